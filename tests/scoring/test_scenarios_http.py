"""Every scenario story (tests/data/scenarios), through the HTTP API, in order and shuffled."""

import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SCENARIOS_DIR
from tests.factories import OrgContext, create_candidate, load_scenario

SCENARIO_FILES = sorted(SCENARIOS_DIR.glob("*.json"))


def _check(
    client: TestClient, org: OrgContext, candidate_id: str, scenario: dict[str, Any]
) -> dict[str, Any]:
    as_of = scenario["as_of"]
    expect = scenario["expect"]
    response = client.get(
        f"/api/v1/candidates/{candidate_id}", params={"as_of": as_of}, headers=org.headers
    )
    assert response.status_code == 200, response.text
    state = response.json()
    codes = {f["code"] for f in state["flags"]}
    if "band" in expect:
        assert state["band"] == expect["band"], state
    for band in expect.get("band_not", []):
        assert state["band"] != band, state
    for code in expect.get("flags_include", []):
        assert code in codes, (code, codes)
    for code in expect.get("flags_exclude", []):
        assert code not in codes, (code, codes)
    breakdown_codes = {b["code"] for b in state["score_breakdown"]}
    for code in expect.get("breakdown_include", []):
        assert code in breakdown_codes, (code, breakdown_codes)
    for code in expect.get("breakdown_exclude", []):
        assert code not in breakdown_codes, (code, breakdown_codes)
    for name, (low, high) in expect.get("metrics", {}).items():
        value = state["metrics"][name]
        assert value is not None and low <= value <= high, (name, value, state["metrics"])
    _check_next_action(state["next_action"], expect.get("next_action", {}))
    timeline = client.get(
        f"/api/v1/candidates/{candidate_id}/timeline", params={"as_of": as_of}, headers=org.headers
    ).json()
    for check in expect.get("exchanges", []):
        exchange = timeline["exchanges"][check["index"]]
        for key, value in check.items():
            if key != "index":
                assert exchange[key] == value, (key, exchange)
    return state


def _check_next_action(action: dict[str, Any] | None, expect: dict[str, Any]) -> None:
    if not expect:
        return
    assert action is not None, expect
    if "action_in" in expect:
        assert action["action"] in expect["action_in"], action
    assert action["action"] not in expect.get("action_not", []), action
    if "due_not_before" in expect:
        due = datetime.fromisoformat(action["due_at"])
        assert due >= datetime.fromisoformat(expect["due_not_before"]), action


def test_scenarios_exist() -> None:
    assert SCENARIO_FILES, f"no scenarios found in {SCENARIOS_DIR}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: Path(p).stem)
def test_scenario_in_order_and_shuffled(client: TestClient, engine: Any, path: Path) -> None:
    from tests.factories import make_org

    scenario = json.loads(path.read_text())
    org_a = make_org(engine)
    in_order = _check(client, org_a, load_scenario(client, org_a, scenario), scenario)

    order = list(range(len(scenario["events"])))
    random.Random(path.stem).shuffle(order)
    org_b = make_org(engine)
    shuffled = _check(client, org_b, load_scenario(client, org_b, scenario, order=order), scenario)

    assert in_order["score"] == shuffled["score"]
    assert in_order["band"] == shuffled["band"]
    assert in_order["score_breakdown"] == shuffled["score_breakdown"]
    assert sorted(f["code"] for f in in_order["flags"]) == sorted(
        f["code"] for f in shuffled["flags"]
    )


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: Path(p).stem)
def test_scenario_one_event_at_a_time_reversed(
    client: TestClient, org: OrgContext, path: Path
) -> None:
    scenario = json.loads(path.read_text())
    candidate = create_candidate(client, org, **scenario["candidate"])
    for event in reversed(scenario["events"]):
        body = dict(event, candidate_external_id=scenario["candidate"]["external_id"])
        response = client.post("/api/v1/events", json=body, headers=org.headers)
        assert response.status_code == 201, response.text
    _check(client, org, candidate["id"], scenario)
