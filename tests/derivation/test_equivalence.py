"""Derivation off the request path gives exactly what a full rebuild gives.

For random histories, random arrival orders, random batch splits, and derivation runs at
random points in between (as the background worker or a read would run them), the derived
state equals the one from storing the whole event set at once and deriving it once.

The second property is the usual life of an ATS sync: the history arrives mostly in time
order, batch after batch with a derivation after each (the incremental path: closed
exchanges keep their stored business time), with some events arriving late (out of order,
late absence notices, second copies of a message synced by another source).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from app.candidates.schemas import CandidateUpsert
from app.core.db import create_sessionmaker, transaction
from app.derivation import flows
from app.events import service as events_service
from tests.derivation.snapshot import derived_state, dirty_count
from tests.factories import make_org

START = datetime(2026, 10, 5, 8, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
BODIES = [
    None,
    "Sorry for the delay, I was travelling.",
    "Thanks so much for the interview!",
    "I'm still very interested. I'll send it by Friday.",
    "I have accepted another offer, so I withdraw.",
    "Could we do Tuesday at 3pm?",
    "I am out of office until 3 December.",
    "I'm on holiday until 20 October, with limited access to email.",
]
OUTBOUND_BODIES = [None, "Any update on the documents?", "Can we talk tomorrow at 10?"]


@st.composite
def an_event(draw: st.DrawFn, candidate: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["message", "message", "call", "meeting", "request"]))
    direction = draw(st.sampled_from(["outbound", "inbound"]))
    occurred = START + timedelta(minutes=draw(st.integers(0, 40 * 24 * 60)))
    body: dict[str, Any] = {
        "candidate_external_id": candidate,
        "direction": direction,
        "channel": draw(st.sampled_from(["email", "phone", "sms"])),
        "type": kind,
        "occurred_at": occurred.isoformat(),
    }
    if kind == "message":
        bodies = BODIES if direction == "inbound" else OUTBOUND_BODIES
        body["body"] = draw(st.sampled_from(bodies))
    if kind == "call":
        body["outcome"] = draw(st.sampled_from(["connected", "no_answer", "voicemail"]))
    if kind == "meeting":
        outcome = draw(st.sampled_from(["scheduled", "attended", "no_show", "rescheduled"]))
        body["outcome"] = outcome
        if outcome in ("scheduled", "rescheduled"):
            body["scheduled_for"] = (occurred + timedelta(days=2)).isoformat()
    if kind == "request":
        body["direction"] = "outbound"
        body["due_at"] = (occurred + timedelta(days=draw(st.integers(1, 6)))).isoformat()
    return body


@st.composite
def a_history(draw: st.DrawFn, max_size: int = 9) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for candidate in ("c1", "c2"):
        events.extend(draw(st.lists(an_event(candidate), min_size=0, max_size=max_size)))
    # Second copies of some messages, as another source syncs them (some beyond the window).
    originals = [e for e in events if e.get("body")]
    for original in draw(
        st.lists(st.sampled_from(originals), max_size=3) if originals else st.just([])
    ):
        copy = dict(original)
        at = datetime.fromisoformat(original["occurred_at"])
        copy["occurred_at"] = (at + timedelta(minutes=draw(st.integers(0, 12)))).isoformat()
        events.append(copy)
    for n, event in enumerate(events):
        event["external_id"] = f"e{n}"
    return events


def _store(
    engine: Engine,
    org_id: str,
    batches: list[list[dict[str, Any]]],
    derive: list[bool],
    *,
    limit: int = 1,
    report: flows.DerivationReport | None = None,
) -> None:
    factory = create_sessionmaker(engine)
    for batch, derive_after in zip(batches, derive, strict=True):
        with transaction(factory) as session:
            outcomes = flows.record_events(
                session, org_id=org_id, items=events_service.parse_items(batch), now=NOW
            )
            assert all(o.status in (200, 201) for o in outcomes), [o.problem for o in outcomes]
        if derive_after:
            with transaction(factory) as session:
                flows.derive_dirty(session, org_id=org_id, limit=limit, now=NOW, report=report)


def _finish(engine: Engine, org_id: str) -> dict[str, Any]:
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        while flows.derive_dirty(session, org_id=org_id, now=NOW):
            pass
    with factory() as session:
        assert dirty_count(session, org_id) == 0
        return derived_state(session, org_id)


def _org_with_candidates(engine: Engine) -> str:
    org = make_org(engine)
    with transaction(create_sessionmaker(engine)) as session:
        for external_id, zone in (("c1", "Europe/Berlin"), ("c2", None)):
            flows.upsert_candidate(
                session,
                org_id=org.org_id,
                data=CandidateUpsert(external_id=external_id, timezone=zone),
                now=NOW,
            )
    return org.org_id


def _compare(engine: Engine, incremental: str, rebuilt: str) -> None:
    got, want = _finish(engine, incremental), _finish(engine, rebuilt)
    for name in want:
        for part in want[name]:
            assert got[name][part] == want[name][part], (name, part)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=a_history(), data=st.data())
def test_any_order_split_and_timing_equals_a_full_rebuild(
    engine: Engine, history: list[dict[str, Any]], data: st.DataObject
) -> None:
    order = data.draw(st.permutations(history))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(order) - 1)), max_size=4)))
    batches = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]
    batches = [b for b in batches if b]
    derive = [data.draw(st.booleans()) for _ in batches]
    # A replay of an earlier batch changes nothing.
    if batches:
        batches.append(batches[0])
        derive.append(False)

    incremental = _org_with_candidates(engine)
    _store(engine, incremental, batches, derive)
    rebuilt = _org_with_candidates(engine)
    _store(engine, rebuilt, [history] if history else [], [False] if history else [])
    _compare(engine, incremental, rebuilt)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=a_history(max_size=25), data=st.data())
def test_time_ordered_batches_with_late_arrivals_equal_a_full_rebuild(
    engine: Engine, history: list[dict[str, Any]], data: st.DataObject
) -> None:
    order = sorted(history, key=lambda e: (e["occurred_at"], e["external_id"]))
    # A few events arrive late: each moves some places further down the stream.
    for _ in range(data.draw(st.integers(0, 4))):
        if len(order) < 2:
            break
        source = data.draw(st.integers(0, len(order) - 2))
        target = data.draw(st.integers(source + 1, len(order) - 1))
        order.insert(target, order.pop(source))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(order) - 1)), max_size=6)))
    batches = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]
    batches = [b for b in batches if b]

    incremental = _org_with_candidates(engine)
    report = flows.DerivationReport()
    _store(engine, incremental, batches, [True] * len(batches), limit=10, report=report)
    # The first derivation of each candidate (new: marked from the beginning) is a rebuild;
    # every later one, after a batch with their events, takes the incremental path.
    later = sum(len({e["candidate_external_id"] for e in batch}) for batch in batches[1:])
    assert (report.full, report.incremental) == (2 if batches else 0, later)
    print("STATS", report)
    rebuilt = _org_with_candidates(engine)
    _store(engine, rebuilt, [history] if history else [], [False] if history else [])
    _compare(engine, incremental, rebuilt)
