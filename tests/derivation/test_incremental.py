"""The incremental path: which derivations keep stored exchanges, and that they equal a rebuild.

A conversation of daily exchanges (an e-mail at 10:00, the candidate's answer at 14:00) is
derived once, then grows. `DerivationReport` says which path each derivation took and how
many exchanges kept their stored business time; every state is compared with a rebuild of
the same event set in another organisation.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.candidates.schemas import CandidateUpsert
from app.core.db import create_sessionmaker, transaction
from app.derivation import flows
from app.derivation import repository as dirty_repository
from app.events import service as events_service
from tests.derivation.snapshot import derived_state
from tests.factories import make_org

START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CANDIDATE = "inc-1"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return START + timedelta(days=day, hours=hour, minutes=minute)


def _event(
    external_id: str, direction: str, at: datetime, body: str | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "external_id": external_id,
        "candidate_external_id": CANDIDATE,
        "direction": direction,
        "channel": "email",
        "type": "message",
        "occurred_at": at.isoformat(),
    }
    if body is not None:
        event["body"] = body
    return event


def _exchanges(first: int, last: int) -> list[dict[str, Any]]:
    """Days first..last-1: an e-mail at 10:00 and the candidate's answer at 14:00."""
    events: list[dict[str, Any]] = []
    for day in range(first, last):
        events.append(_event(f"out-{day}", "outbound", _at(day, 10)))
        events.append(_event(f"in-{day}", "inbound", _at(day, 14), body="Sounds good."))
    return events


class Conversation:
    """One candidate whose events arrive batch by batch, derived after each batch."""

    def __init__(self, engine: Engine, *, timezone: str | None = "Europe/Berlin") -> None:
        self.engine = engine
        self.factory = create_sessionmaker(engine)
        self.org_id = make_org(engine).org_id
        self.events: list[dict[str, Any]] = []
        self.timezone = timezone
        self.upsert(timezone)

    def upsert(self, timezone: str | None) -> None:
        with transaction(self.factory) as session:
            flows.upsert_candidate(
                session,
                org_id=self.org_id,
                data=CandidateUpsert(external_id=CANDIDATE, timezone=timezone),
                now=NOW,
            )
        self.timezone = timezone

    def add(self, events: list[dict[str, Any]]) -> None:
        with transaction(self.factory) as session:
            outcomes = flows.record_events(
                session, org_id=self.org_id, items=events_service.parse_items(events), now=NOW
            )
        assert {o.status for o in outcomes} == {201}
        self.events.extend(events)

    def affected_from(self) -> datetime | None:
        with self.factory() as session:
            marks = list(dirty_repository.read_marks(session, self.ids(session)).values())
        assert len(marks) == 1
        return marks[0].affected_from

    def ids(self, session: Session) -> list[str]:
        return list(session.scalars(select(Candidate.id).where(Candidate.org_id == self.org_id)))

    def derive(self) -> flows.DerivationReport:
        report = flows.DerivationReport()
        with transaction(self.factory) as session:
            assert flows.derive_dirty(session, org_id=self.org_id, now=NOW, report=report) == 1
        return report

    def state(self) -> dict[str, Any]:
        with self.factory() as session:
            return derived_state(session, self.org_id)[CANDIDATE]

    def rebuilt(self) -> dict[str, Any]:
        """The state of the same events stored at once and derived once, elsewhere."""
        other = Conversation(self.engine, timezone=self.timezone)
        other.add(self.events)
        assert other.derive().full == 1
        return other.state()


def test_appended_events_keep_the_closed_exchanges(engine: Engine) -> None:
    talk = Conversation(engine)
    talk.add(_exchanges(0, 10))
    assert talk.derive().full == 1  # a new candidate is derived from the beginning

    talk.add(_exchanges(10, 11))
    assert talk.affected_from() == _at(10, 10)
    report = talk.derive()
    assert (report.full, report.incremental) == (0, 1)
    assert (report.clocks_reused, report.clocks_counted, report.exchanges_written) == (10, 1, 1)
    assert talk.state() == talk.rebuilt()

    # An attempt opens an exchange; its answer later closes it.
    talk.add([_event("out-11", "outbound", _at(11, 10))])
    report = talk.derive()
    assert (report.clocks_reused, report.clocks_counted, report.exchanges_written) == (11, 1, 1)
    assert talk.state()["exchanges"][-1][4] is None
    talk.add([_event("in-11", "inbound", _at(11, 15), body="Yes, Thursday works.")])
    report = talk.derive()
    assert (report.clocks_reused, report.clocks_counted, report.exchanges_written) == (11, 1, 1)
    assert talk.state() == talk.rebuilt()


def test_a_late_event_recounts_from_the_first_exchange_it_affects(engine: Engine) -> None:
    talk = Conversation(engine)
    talk.add(_exchanges(0, 10))
    talk.derive()

    # The candidate's earlier answer to day 3's e-mail, synced late by a second source.
    talk.add([_event("late-3", "inbound", _at(3, 11), body="Quick answer from my phone.")])
    assert talk.affected_from() == _at(3, 11)
    report = talk.derive()
    assert report.incremental == 1
    # Days 0-2 closed before the late answer; day 3 closes earlier now, days 4-9 are recounted.
    assert (report.clocks_reused, report.clocks_counted, report.exchanges_written) == (3, 7, 1)
    state = talk.state()
    assert state["exchanges"][3][5] == "late-3"
    assert state == talk.rebuilt()


def test_a_late_absence_notice_pauses_what_follows_it(engine: Engine) -> None:
    talk = Conversation(engine)
    talk.add(_exchanges(0, 10))
    talk.derive()
    before = talk.state()

    # Tuesday afternoon: away until Friday.
    talk.add([_event("ooo", "inbound", _at(1, 16), body="I am out of office until 9 October.")])
    report = talk.derive()
    assert report.incremental == 1
    assert report.clocks_reused == 2  # Monday's and Tuesday's exchanges closed before it
    state = talk.state()
    assert state["exchanges"][0][8] != before["exchanges"][0][8]  # their pauses list it
    assert before["exchanges"][2][7] > 0
    assert state["exchanges"][2][7] == 0  # Wednesday's e-mail waited for no business time
    assert state == talk.rebuilt()


def test_an_earlier_copy_of_a_message_can_leave_fewer_exchanges(engine: Engine) -> None:
    talk = Conversation(engine)
    talk.add(_exchanges(0, 4))
    talk.add([_event("nudge", "outbound", _at(3, 14, 5), body="Just checking in.")])
    talk.derive()
    assert len(talk.state()["exchanges"]) == 5

    # The mailbox syncs its copy, sent before the answer of 14:00: the ATS's copy (14:05) is
    # now the second copy of it, and the exchange it opened is gone.
    talk.add([_event("nudge-copy", "outbound", _at(3, 13, 58), body="Just checking in.")])
    report = talk.derive()
    assert (report.incremental, report.clocks_reused) == (1, 3)
    state = talk.state()
    assert len(state["exchanges"]) == 4
    assert state == talk.rebuilt()


def test_a_new_time_zone_rebuilds_from_the_beginning(engine: Engine) -> None:
    talk = Conversation(engine)
    talk.add(_exchanges(0, 6))
    talk.derive()
    talk.add(_exchanges(6, 7))
    talk.upsert("America/Los_Angeles")  # business hours move: nothing stored holds
    assert talk.affected_from() is None
    report = talk.derive()
    assert (report.full, report.incremental, report.clocks_reused) == (1, 0, 0)
    assert talk.state() == talk.rebuilt()


def test_marks_keep_the_earliest_instant_and_from_the_beginning_wins(engine: Engine) -> None:
    talk = Conversation(engine)
    talk.derive()
    factory = create_sessionmaker(engine)
    with factory() as session:
        (cid,) = talk.ids(session)

    def mark(at: datetime | None) -> datetime | None:
        with transaction(factory) as session:
            dirty_repository.mark(session, talk.org_id, [cid], NOW, {cid: at})
        return talk.affected_from()

    assert mark(_at(5, 0)) == _at(5, 0)
    assert mark(_at(2, 0)) == _at(2, 0)
    assert mark(_at(7, 0)) == _at(2, 0)
    assert mark(None) is None
    assert mark(_at(1, 0)) is None
