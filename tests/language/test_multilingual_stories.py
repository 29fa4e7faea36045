"""Fairness across languages: each scenario story told in five languages (identical timing,
translated text) gets, through the HTTP API, the same band and flag codes as its English twin,
and meets its own expectations (`tests/data/multilingual_stories/`, see its README).
"""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import SCENARIOS_DIR
from tests.factories import OrgContext, load_scenario, make_org
from tests.scoring.test_scenarios_http import _check

STORIES_DIR = Path(__file__).parents[1] / "data" / "multilingual_stories"
STORY_FILES = sorted(p for p in STORIES_DIR.glob("*.json") if not p.name.endswith(".en.json"))


def test_every_language_has_stories() -> None:
    languages = {json.loads(p.read_text(encoding="utf-8"))["language"] for p in STORY_FILES}
    assert languages == {"de", "es", "fr", "pt"}


def _english_twin(story: dict[str, Any]) -> dict[str, Any]:
    name = story["twin_of"]
    for path in (STORIES_DIR / f"{name}.en.json", SCENARIOS_DIR / f"{name}.json"):
        if path.exists():
            twin: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return twin
    raise AssertionError(f"no English twin {name!r} for {story['name']}")


def _verdict(client: TestClient, org: OrgContext, story: dict[str, Any]) -> tuple[Any, set[str]]:
    state = _check(client, org, load_scenario(client, org, story), story)
    return state["band"], {flag["code"] for flag in state["flags"]}


@pytest.mark.parametrize("path", STORY_FILES, ids=lambda p: Path(p).stem)
def test_story_gets_the_verdict_of_its_english_twin(
    client: TestClient, engine: Engine, path: Path
) -> None:
    story = json.loads(path.read_text(encoding="utf-8"))
    org = make_org(engine)
    band, flags = _verdict(client, org, story)
    twin_band, twin_flags = _verdict(client, org, _english_twin(story))
    assert (band, flags) == (twin_band, twin_flags), story["name"]
    timeline = client.get(
        f"/api/v1/candidates/{_candidate_id(client, org, story)}/timeline",
        params={"as_of": story["as_of"]},
        headers=org.headers,
    ).json()
    inbound = [e for e in timeline["events"] if e["direction"] == "inbound" and e["body"]]
    assert inbound and all(e["intents_available"] for e in inbound)
    assert {e["language"] for e in inbound} == {story["language"]}


def _candidate_id(client: TestClient, org: OrgContext, story: dict[str, Any]) -> str:
    found = client.get(
        "/api/v1/candidates",
        params={"external_id": story["candidate"]["external_id"]},
        headers=org.headers,
    ).json()["items"]
    return str(found[0]["id"])
