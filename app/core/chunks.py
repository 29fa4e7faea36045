"""Splitting long id lists into pieces a SQL `IN (…)` can take on every database."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# SQLite allows 32,766 bound parameters and PostgreSQL 65,535; 500 keeps statements small
# enough to plan quickly and leaves room for the other parameters of the query.
SQL_CHUNK = 500


def chunked(items: Sequence[T], size: int = SQL_CHUNK) -> Iterator[list[T]]:
    """Yield consecutive slices of `items`, each at most `size` long."""
    if size < 1:
        raise ValueError("size must be at least 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
