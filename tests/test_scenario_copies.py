"""The repository carries its own copies of the scenario stories; keep them in step.

`tests/data/scenarios/` is what the tests run; `app/demo/stories/` is what `make run` loads.
On a development machine the originals sit in `../shared/scenarios/`: when that folder exists
the copies must match it, and when it doesn't (a user's clone) that comparison is skipped.
"""

import json
from pathlib import Path

import pytest

from app.demo.loader import STORIES_DIR
from tests.conftest import SCENARIOS_DIR

SHARED = Path(__file__).resolve().parents[2] / "shared" / "scenarios"


def _stories(folder: Path) -> dict[str, object]:
    return {path.name: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}


def test_the_tests_have_their_own_stories() -> None:
    assert len(_stories(SCENARIOS_DIR)) >= 4


def test_the_demo_loads_the_same_stories_as_the_tests() -> None:
    assert _stories(STORIES_DIR) == _stories(SCENARIOS_DIR)


def test_copies_match_the_shared_originals() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (a clone of the repository on its own)")
    assert _stories(SCENARIOS_DIR) == _stories(SHARED)
