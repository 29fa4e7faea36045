"""The synthetic organisation generator: deterministic, valid, realistic enough to score."""

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.candidates.schemas import CandidateUpsert
from app.demo.generator import PERSONAS, GeneratedOrg, generate_org
from app.events.schemas import EventCreate
from app.recruiters.schemas import RecruiterUpsert
from tests.factories import OrgContext

START = datetime(2026, 8, 3, tzinfo=UTC)
END = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _org(**overrides: Any) -> GeneratedOrg:
    args: dict[str, Any] = {"seed": 11, "candidates": 60, "start": START, "end": END}
    args.update(overrides)
    return generate_org(**args)


def test_same_seed_same_org_and_another_seed_differs() -> None:
    first, again, other = _org(), _org(), _org(seed=12)
    assert first == again
    assert first.events != other.events


def test_every_body_validates_against_the_api_schemas() -> None:
    org = _org()
    for recruiter in org.recruiters:
        RecruiterUpsert.model_validate(recruiter)
    for candidate in org.candidates:
        CandidateUpsert.model_validate(candidate)
    for event in org.events:
        EventCreate.model_validate(event)


def test_counts_ids_and_window() -> None:
    org = _org(candidates=200, recruiters=4, events_per_candidate=12.0, prefix="x-")
    assert len(org.recruiters) == 4
    assert len(org.candidates) == 200
    assert 0.9 * 2400 <= len(org.events) <= 1.05 * 2400
    assert [c["external_id"] for c in org.candidates] == [f"x-cand-{n}" for n in range(1, 201)]
    ids = [e["external_id"] for e in org.events]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("x-ev-") for i in ids)
    for event in org.events:
        occurred = datetime.fromisoformat(event["occurred_at"])
        assert occurred.utcoffset() is not None
        assert START <= occurred <= END
    known = {e["external_id"] for e in org.events}
    for event in org.events:
        for ref in ("in_reply_to", "fulfills"):
            assert event.get(ref) is None or event[ref] in known


def test_long_histories_keep_the_requested_mean() -> None:
    org = _org(candidates=100, events_per_candidate=50.0)
    assert 0.9 * 5000 <= len(org.events) <= 1.05 * 5000


def test_realistic_mix() -> None:
    org = _org(candidates=300)
    assert set(org.personas.values()) == set(PERSONAS)
    statuses = Counter(c["status"] for c in org.candidates)
    assert statuses["active"] > 0.8 * len(org.candidates)
    zones = Counter(c["timezone"] for c in org.candidates)
    assert len(zones) > 3 and zones.most_common(1)[0][1] > 0.5 * len(org.candidates)
    kinds = Counter((e["direction"], e["type"], e.get("outcome")) for e in org.events)
    for kind in [
        ("outbound", "message", None),
        ("inbound", "message", None),
        ("outbound", "call", "voicemail"),
        ("outbound", "call", "connected"),
        ("outbound", "meeting", "scheduled"),
        ("outbound", "meeting", "attended"),
        ("outbound", "meeting", "no_show"),
        ("inbound", "meeting", "rescheduled"),
        ("outbound", "request", None),
    ]:
        assert kinds[kind] > 0, kind
    assert Counter(e["channel"] for e in org.events).most_common(1)[0][0] == "email"
    assert any(e.get("fulfills") for e in org.events)
    assert any(e.get("promised_by") and e.get("expects_reply") is False for e in org.events)
    assert any(e.get("auto_reply") for e in org.events)
    bodies = [e.get("body") or "" for e in org.events]
    assert any("wrote:\n>" in b for b in bodies)
    assert any("accepted another offer" in b for b in bodies)
    weekdays = Counter(datetime.fromisoformat(e["occurred_at"]).weekday() for e in org.events)
    assert weekdays[5] + weekdays[6] < 0.02 * len(org.events)


def test_loaded_through_the_api_gives_a_mix_of_bands(client: TestClient, org: OrgContext) -> None:
    generated = generate_org(seed=5, candidates=30, start=START, end=END, prefix="gen-")
    for recruiter in generated.recruiters:
        response = client.post("/api/v1/recruiters", json=recruiter, headers=org.headers)
        assert response.status_code in (200, 201), response.text
    for candidate in generated.candidates:
        response = client.post("/api/v1/candidates", json=candidate, headers=org.headers)
        assert response.status_code in (200, 201), response.text
    # An ATS sync sends events in time order, many candidates per batch.
    events = sorted(generated.events, key=lambda e: datetime.fromisoformat(e["occurred_at"]))
    for start in range(0, len(events), 200):
        response = client.post(
            "/api/v1/events/batch",
            json={"events": events[start : start + 200]},
            headers=org.headers,
        )
        assert response.status_code == 200, response.text
        statuses = Counter(r["status"] for r in response.json()["results"])
        assert set(statuses) == {201}, response.text

    response = client.get(
        "/api/v1/pipeline",
        params={"limit": 500, "as_of": END.isoformat()},
        headers=org.headers,
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    bands = Counter(item["band"] for item in items)
    assert bands["engaged"] >= 1, bands
    assert bands["not_that_into_you"] >= 1, bands
    band_of = {item["external_id"]: item["band"] for item in items}
    ghosters = [x for x, p in generated.personas.items() if p == "ghoster" and x in band_of]
    assert ghosters and all(band_of[x] == "not_that_into_you" for x in ghosters), band_of


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_personas_shape_the_story(seed: int) -> None:
    org = _org(seed=seed, candidates=90)
    by_candidate: dict[str, list[dict[str, Any]]] = {}
    for event in org.events:
        by_candidate.setdefault(event["candidate_external_id"], []).append(event)
    for external_id, persona in org.personas.items():
        events = by_candidate.get(external_id, [])
        if persona == "ghoster" and len(events) >= 4:
            assert all(e["direction"] == "outbound" for e in events[-4:]), external_id
        if persona == "withdrawn" and events:
            inbound = [e.get("body") or "" for e in events if e["direction"] == "inbound"]
            assert any(("accept" in b and "offer" in b) or "withdraw" in b for b in inbound)
