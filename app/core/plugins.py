"""Optional parts of the product (web UI, reports) found by module name."""

import importlib
from collections.abc import Iterator
from types import ModuleType


def optional_modules(*names: str) -> Iterator[ModuleType]:
    """Yield the named modules that exist; a missing one is skipped, a broken one raises."""
    for name in names:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
