"""The scenario stories (tests/data/scenarios), evaluated by the pure engine (no database, no HTTP).

Intents are attached by hand below, per event: the real classifier (app/language/) is
someone else's, and the HTTP-level scenario test runs these files through it. Here the engine
alone is on trial, so each message gets the intents a reader would give it.
"""

import json
from datetime import datetime
from typing import Any

import pytest

from app.events.domain import EventFacts, compute_history
from app.language import IntentMatch
from app.scoring.score import evaluate
from tests.conftest import SCENARIOS_DIR
from tests.scoring.helpers import DEFAULTS, codes, intent

SCENARIOS = SCENARIOS_DIR

INTENTS: dict[str, tuple[IntentMatch, ...]] = {
    # seed-not-that-into-you
    "s1-e2": (intent("scheduling", "Thursday morning works"),),
    "s1-e4": (),
    "s1-e8": (
        intent("apology", "I am so sorry"),
        intent("excuse", "Fires needed putting out"),
        intent("excuse", "travelling"),
        intent("excuse", "could not access email"),
        intent("assurance", "still very interested"),
    ),
    "s1-e11": (
        intent("apology", "Apologies again"),
        intent("excuse", "crazy week"),
        intent("assurance", "remain very keen"),
        intent("commitment", "will get it to you soon"),
    ),
    # seed-diligent-follow-up
    "s2-e2": (intent("scheduling", "available Wednesday afternoon"),),
    "s2-e4": (intent("scheduling", "Confirmed for Wednesday"),),
    "s2-e6": (intent("thanks", "Thank you for your time"),),
    "s2-e9": (intent("assurance", "remain very interested"),),
    "s2-e11": (intent("scheduling", "Thursday works"),),
    # weekend-is-not-slow
    "s3-e2": (intent("scheduling", "Tuesday at 11 works"),),
    # out-of-office-is-not-ghosting
    "s4-e2": (intent("scheduling", "tomorrow afternoon is good"),),
    "s4-e5": (
        intent(
            "out_of_office",
            "out of the office until Monday, November 16",
            until=datetime.fromisoformat("2026-11-16T00:00:00-08:00"),
        ),
        intent("excuse", "limited access to email"),
    ),
}


def _when(raw: Any) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def to_facts(raw: dict[str, Any]) -> EventFacts:
    """Convert one scenario event (API fields) to the engine's facts, ids distinct from ext ids."""
    return EventFacts(
        id=f"evt-{raw['external_id']}",
        external_id=raw["external_id"],
        direction=raw["direction"],
        channel=raw["channel"],
        type=raw["type"],
        occurred_at=datetime.fromisoformat(raw["occurred_at"]),
        outcome=raw.get("outcome"),
        scheduled_for=_when(raw.get("scheduled_for")),
        due_at=_when(raw.get("due_at")),
        promised_by=_when(raw.get("promised_by")),
        in_reply_to=raw.get("in_reply_to"),
        fulfills=raw.get("fulfills"),
        auto_reply=bool(raw.get("auto_reply", False)),
        expects_reply=bool(raw.get("expects_reply", True)),
        intents=INTENTS.get(raw["external_id"], ()),
    )


def _scenarios() -> list[Any]:
    files = sorted(SCENARIOS.glob("*.json"))
    return [pytest.param(json.loads(f.read_text()), id=f.stem) for f in files]


@pytest.mark.parametrize("scenario", _scenarios())
def test_scenario_holds(scenario: dict[str, Any]) -> None:
    calendar = DEFAULTS.calendar(scenario["candidate"].get("timezone"))
    events = [to_facts(raw) for raw in scenario["events"]]
    history = compute_history(events, calendar, datetime.fromisoformat(scenario["as_of"]))
    result = evaluate(history, settings=DEFAULTS, calendar=calendar)
    expect = scenario["expect"]
    flags = codes(result)
    breakdown = {item.code for item in result.breakdown}
    context = f"score={result.score} flags={sorted(flags)} breakdown={result.breakdown}"

    if "band" in expect:
        assert result.band == expect["band"], context
    assert result.band not in expect.get("band_not", []), context
    assert set(expect.get("flags_include", [])) <= flags, context
    assert not set(expect.get("flags_exclude", [])) & flags, context
    assert set(expect.get("breakdown_include", [])) <= breakdown, context
    for check in expect.get("exchanges", []):
        exchange = history.exchanges[check["index"]]
        for name, value in check.items():
            if name != "index":
                assert getattr(exchange, name) == value, (name, exchange)


def test_every_scenario_event_has_hand_intents_or_none_needed() -> None:
    known = {raw["external_id"] for p in _scenarios() for raw in p.values[0]["events"]}
    assert set(INTENTS) <= known
