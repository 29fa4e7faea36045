"""Fairness harness: the demo personas moved across time zones (UTC-8 ... UTC+9, local times
kept) get the same band and the same flag codes (app/demo/fairness.py; bench/fairness.py
prints the table)."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.demo import generator
from app.demo.fairness import (
    ZONE_VARIANTS,
    ZONES,
    Variant,
    compare,
    flag_rates,
    replay,
    verdict,
    zone_variant,
)
from app.orgs.scoring_settings import ScoringSettingsDocument
from tests.factories import OrgContext

# Replays every persona in 18 zones: minutes, so `make test-fast` leaves it to `make test`.
pytestmark = pytest.mark.slow

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 11, 20, tzinfo=UTC)
AS_OF = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def candidates() -> list[generator.GeneratedCandidate]:
    recruiters = generator.generate_recruiters(seed=11, recruiters=2)
    found = list(
        generator.iter_candidates(
            seed=11, candidates=27, recruiters=recruiters, start=START, end=END
        )
    )
    assert {c.persona for c in found} == set(generator.PERSONAS)
    return found


def test_zones_span_utc_minus_8_to_plus_9() -> None:
    names = [v.name for v in ZONE_VARIANTS]
    assert (names[0], names[-1]) == ("UTC-8", "UTC+9")
    assert len(ZONES) == 18


def test_moving_keeps_local_times(candidates: list[generator.GeneratedCandidate]) -> None:
    candidate = candidates[0]
    moved = zone_variant("Etc/GMT-9").apply(candidate)
    first, again = candidate.events[0]["occurred_at"], moved.events[0]["occurred_at"]
    assert first[:19] == again[:19] and again.endswith("+09:00")
    assert moved.body["timezone"] == "Etc/GMT-9"


def test_every_persona_gets_the_same_verdict_in_every_zone(
    candidates: list[generator.GeneratedCandidate],
) -> None:
    verdicts = replay(candidates, ZONE_VARIANTS, as_of=AS_OF)
    assert compare(verdicts) == []
    rates = flag_rates(verdicts)
    for persona in generator.PERSONAS:
        rows = [rates[(persona, v.name)] for v in ZONE_VARIANTS]
        assert all(row == rows[0] for row in rows), persona
    # The personas do differ from each other: the harness is not comparing empty verdicts.
    assert rates[("ghoster", "UTC+0")]["ghosting"] > 0
    assert rates[("withdrawn", "UTC+0")]["band:declined"] > 0
    assert any(v.codes for v in verdicts) and any(not v.codes for v in verdicts)


def test_the_harness_catches_an_unfair_variant(
    candidates: list[generator.GeneratedCandidate],
) -> None:
    """Changing the zone but not the instants (local times move) must change some verdicts."""

    def relabel(candidate: generator.GeneratedCandidate) -> generator.GeneratedCandidate:
        return replace(candidate, body={**candidate.body, "timezone": "Etc/GMT-9"})

    unfair = Variant("relabelled", relabel, lambda _c, instant: instant)
    verdicts = replay(candidates, [ZONE_VARIANTS[0], unfair], as_of=AS_OF)
    assert compare(verdicts)


def _post(client: TestClient, org: OrgContext, candidate: generator.GeneratedCandidate) -> str:
    body = {k: v for k, v in candidate.body.items() if k != "recruiter_external_id"}
    created = client.post("/api/v1/candidates", json=body, headers=org.headers)
    assert created.status_code in (200, 201), created.text
    events = [
        {k: v for k, v in e.items() if k != "recruiter_external_id"} for e in candidate.events
    ]
    batch = client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    assert batch.status_code == 200, batch.text
    assert all(r["status"] in (200, 201) for r in batch.json()["results"]), batch.text
    return str(created.json()["id"])


@pytest.mark.parametrize("zone", ["Etc/GMT+8", "Etc/GMT-9"])
def test_through_http_the_verdict_is_the_harness_verdict(
    client: TestClient, org: OrgContext, candidates: list[generator.GeneratedCandidate], zone: str
) -> None:
    variant = zone_variant(zone)
    picked = {c.persona: c for c in candidates}
    for persona in ("no_show", "ghoster", "withdrawn", "out_of_office"):
        moved = variant.apply(picked[persona])
        as_of = variant.as_of(picked[persona], AS_OF)
        cid = _post(client, org, moved)
        state: dict[str, Any] = client.get(
            f"/api/v1/candidates/{cid}", params={"as_of": as_of.isoformat()}, headers=org.headers
        ).json()
        expected = verdict(
            moved, variant=variant.name, as_of=as_of, settings=ScoringSettingsDocument()
        )
        assert state["band"] == expected.band, persona
        assert tuple(sorted({f["code"] for f in state["flags"]})) == expected.codes, persona
