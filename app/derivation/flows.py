"""Facts changed -> derived state: the one module that decides when and how derivation runs.

Writes only write. Every path that changes a candidate's facts (events stored, a candidate
created, their time zone changed) marks the candidate dirty in the same transaction
(`dirty_candidates`); nothing is derived in the request. Derivation then happens:

- in the background, by `derive_pending` (the `derive_dirty` task, on procrastinate workers
  with PostgreSQL, or in the `serve` process on SQLite; see `derivation/tasks.py`);
- on read, for one candidate, when a read needs them (`ensure_derived`: detail, flags, score
  history reflect every acknowledged event);
- on read, for a few, before the pipeline and the report (`catch_up`), which otherwise say
  how far behind they are (`Freshness.derived_at`).

A derivation gives what a full rebuild from the candidate's set of events gives, as of now,
so its result never depends on arrival order, batch splits, or which process ran it (the
equivalence test in tests/derivation checks exactly that). Marks are cleared only if no new
change arrived while deriving (a generation counter), so a concurrent write is never lost.

Most changes extend a history (an ATS sync appends the latest events). The mark remembers the
earliest instant the new events can affect (`affected_from`); exchanges that closed before it
cannot change (the exchange state machine starts afresh at each exchange's opening event, a
second copy of a message only ever hides a later one, an absence only pauses clocks after
its notice). Such exchanges keep their stored business time; the ones from the first
affected exchange on are counted again, and only rows that changed are written (upserted by
seq). What still reads the whole history: the events themselves (signals and the score look
at all of them: lapse counts, the candidate's own median, decay) and the state machine over
them, which is cheap and checks that each kept exchange really comes out the same.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from time import monotonic
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.candidates import repository as candidates_repository
from app.candidates import service as candidates_service
from app.candidates.models import Candidate
from app.candidates.schemas import CandidateUpsert
from app.core.db import is_transient_conflict, transaction
from app.core.errors import AppError
from app.core.ids import utcnow
from app.core.logging import get_logger
from app.derivation import repository
from app.events import repository as events_repository
from app.events import service as events_service
from app.events.domain import Exchange, History, compute_history
from app.events.schemas import EventCreate
from app.orgs import service as orgs_service
from app.orgs.service import CurrentSettings
from app.scoring import service as scoring_service

log = get_logger("followthrough.derivation")

DEFAULT_BATCH = 200
# A pipeline or report read derives at most this many pending candidates itself; beyond it,
# the workers catch up and the read says how far behind it is.
READ_CATCH_UP_LIMIT = 200


@dataclass(frozen=True)
class Freshness:
    """How current the stored derived state of an organisation is."""

    pending: int
    derived_at: datetime


# --- writes -----------------------------------------------------------------------------


def upsert_candidate(
    session: Session,
    *,
    org_id: str,
    data: CandidateUpsert,
    fields_set: set[str] | None = None,
    now: datetime | None = None,
) -> candidates_service.UpsertedCandidate:
    """Upsert a candidate and mark them dirty when their derived state must change."""
    result = candidates_service.upsert_candidate(
        session, org_id=org_id, data=data, fields_set=fields_set
    )
    if result.created or result.timezone_changed:
        repository.mark(session, org_id, [result.candidate.id], now or utcnow())
    return result


def record_events(
    session: Session,
    *,
    org_id: str,
    items: list[EventCreate | AppError],
    intents: list[events_service.Classified] | None = None,
    settings: CurrentSettings | None = None,
    now: datetime | None = None,
) -> list[events_service.ItemOutcome]:
    """Store events and mark the candidates they change dirty, in the caller's transaction."""
    now = now or utcnow()
    batch = events_service.record_events(
        session, org_id=org_id, items=items, intents=intents, settings=settings, now=now
    )
    repository.mark(
        session, org_id, sorted(batch.changed_candidate_ids), now, _affected_from(batch)
    )
    return batch.outcomes


def _affected_from(batch: events_service.StoredBatch) -> dict[str, datetime | None]:
    """Per changed candidate, the earliest new event (None: derive from the beginning).

    An absence a notice announces starts at the notice, so the notice's instant covers it.
    """
    since: dict[str, datetime | None] = {}
    for outcome in batch.outcomes:
        if outcome.created and outcome.row is not None:
            cid, at = outcome.row["candidate_id"], outcome.row["occurred_at"]
            earlier = since.get(cid)
            since[cid] = at if earlier is None else min(earlier, at)
    for cid in batch.upserted_candidate_ids:
        since[cid] = None
    return since


# A write that lost a deadlock (the database rolled it back) is run again this many times.
CONFLICT_ATTEMPTS = 3


def ingest_events(
    factory: sessionmaker[Session],
    *,
    org_id: str,
    items: list[EventCreate | AppError],
    now: datetime | None = None,
) -> list[events_service.ItemOutcome]:
    """The HTTP write path (see `_ingest_once`), run again if the database chose it as a
    deadlock's victim: it rolled back whole, and the insert is idempotent anyway."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return _ingest_once(factory, org_id=org_id, items=items, now=now)
        except DBAPIError as exc:
            if attempt == CONFLICT_ATTEMPTS or not is_transient_conflict(exc):
                raise
            log.info("ingest_retried_after_conflict", attempt=attempt, error=str(exc.orig))
    raise AssertionError("unreachable")


def _ingest_once(
    factory: sessionmaker[Session],
    *,
    org_id: str,
    items: list[EventCreate | AppError],
    now: datetime | None = None,
) -> list[events_service.ItemOutcome]:
    """Read what classification needs, classify, then one write.

    On SQLite classification runs with no transaction open, so no one waits for the write
    lock while a long message is read: three short steps, a read (settings, time zones), the
    classifier (no database), a write transaction (candidates, events, dirty marks). On
    PostgreSQL reading takes no lock, so all three share one transaction (fewer round trips).
    """
    if not any(events_service.needs_classification(i) for i in items):
        # Nothing to classify (outreach, calls, meetings): one transaction is enough.
        with transaction(factory) as session:
            return record_events(session, org_id=org_id, items=items, now=now)
    if factory.kw["bind"].dialect.name != "sqlite":
        with transaction(factory) as session:
            settings, zones = _classification_inputs(session, org_id, items)
            intents = events_service.classify_items(items, zones, settings.document.timezone)
            return record_events(
                session, org_id=org_id, items=items, intents=intents, settings=settings, now=now
            )
    with transaction(factory) as session:
        settings, zones = _classification_inputs(session, org_id, items)
    intents = events_service.classify_items(items, zones, settings.document.timezone)
    with transaction(factory) as session:
        return record_events(
            session, org_id=org_id, items=items, intents=intents, settings=settings, now=now
        )


def _classification_inputs(
    session: Session, org_id: str, items: list[EventCreate | AppError]
) -> tuple[CurrentSettings, dict[str, str]]:
    """The org's settings and each item's candidate time zone (dates are read locally)."""
    settings = orgs_service.get_current_settings(session, org_id=org_id)
    zones = events_service.timezones_for(
        session, org_id=org_id, items=items, default_timezone=settings.document.timezone
    )
    return settings, zones


def mark_dirty(
    session: Session, *, org_id: str, candidate_ids: list[str], now: datetime | None = None
) -> None:
    """Mark candidates for re-derivation (e.g. after a change integrations make to facts)."""
    repository.mark(session, org_id, candidate_ids, now or utcnow())


# --- derivation -------------------------------------------------------------------------


@dataclass
class DerivationReport:
    """What derivations did (for tests and the benchmark; nothing reads it to decide)."""

    full: int = 0
    incremental: int = 0
    clocks_reused: int = 0
    clocks_counted: int = 0
    exchanges_written: int = 0


def derive_candidates(
    session: Session,
    *,
    org_id: str,
    candidates: list[Candidate],
    settings: CurrentSettings | None = None,
    now: datetime | None = None,
    affected_from: Mapping[str, datetime | None] | None = None,
    report: DerivationReport | None = None,
) -> dict[str, History]:
    """Bring exchanges, summaries, scores and flags of locked candidates up to their events.

    A candidate with an instant in `affected_from` (and derived under the current settings)
    keeps what lies before it (see the module docstring); the others are rebuilt.
    """
    now = now or utcnow()
    report = report if report is not None else DerivationReport()
    settings = settings or orgs_service.get_current_settings(session, org_id=org_id)
    facts = events_repository.facts_for_candidates(session, org_id, [c.id for c in candidates])
    since = {
        c.id: at
        for c in candidates
        if (at := (affected_from or {}).get(c.id)) is not None
        and c.derived_settings_version == settings.version
    }
    stored = events_repository.exchange_rows_for_candidates(session, org_id, sorted(since))
    histories: dict[str, History] = {}
    rebuilt: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for candidate in candidates:
        events = facts.get(candidate.id, [])
        horizon = max([now, *(e.occurred_at for e in events)])
        calendar = settings.document.calendar(candidate.timezone)
        old = stored.get(candidate.id, [])
        settled = settled_exchanges(old, since[candidate.id]) if candidate.id in since else []
        history = compute_history(events, calendar, horizon, settled=settled)
        histories[candidate.id] = history
        _apply_summary(candidate, history, version=settings.version)
        rows = _exchange_rows(org_id, candidate.id, history)
        if candidate.id in since:
            report.incremental += 1
            changed.extend(_changed_rows(old, rows))
            if len(old) > len(rows):
                counts[candidate.id] = len(rows)
        else:
            report.full += 1
            rebuilt.extend(rows)
        report.clocks_reused += history.reused_clocks
        report.clocks_counted += len(history.exchanges) - history.reused_clocks
    full_ids = [c.id for c in candidates if c.id not in since]
    if full_ids:
        events_repository.replace_exchanges(session, org_id, full_ids, rebuilt)
    events_repository.upsert_exchanges(session, org_id, changed, counts)
    report.exchanges_written += len(changed)
    session.flush()
    scoring_service.refresh_scores(
        session,
        org_id=org_id,
        candidates=candidates,
        settings=settings,
        now=now,
        facts=facts,
        histories=histories,
    )
    return histories


def settled_exchanges(rows: list[dict[str, Any]], since: datetime) -> list[Exchange]:
    """The stored exchanges (seq order) that closed before `since`: they cannot change."""
    settled: list[Exchange] = []
    for row in rows:
        responded_at = row["responded_at"]
        if responded_at is None or responded_at >= since or row["seq"] != len(settled):
            break
        settled.append(
            Exchange(
                index=row["seq"],
                opened_at=row["opened_at"],
                opening_event_id=row["opening_event_id"],
                attempt_event_ids=list(row["attempt_event_ids"]),
                responded_at=responded_at,
                response_event_id=row["response_event_id"],
                paused=[
                    (datetime.fromisoformat(lo), datetime.fromisoformat(hi))
                    for lo, hi in row["paused"]
                ],
                latency_seconds=row["latency_seconds"],
                business_seconds=row["business_seconds"],
            )
        )
    return settled


def _changed_rows(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The new rows that differ from the stored row of the same seq (or have none)."""
    stored = {row["seq"]: row for row in old}
    return [
        row
        for row in new
        if (was := stored.get(row["seq"])) is None
        or any(was[f] != row[f] for f in events_repository.EXCHANGE_FIELDS)
    ]


def _exchange_rows(org_id: str, candidate_id: str, history: History) -> list[dict[str, Any]]:
    return [
        {
            "org_id": org_id,
            "candidate_id": candidate_id,
            "seq": x.index,
            "opened_at": x.opened_at,
            "opening_event_id": x.opening_event_id,
            "attempt_event_ids": x.attempt_event_ids,
            "responded_at": x.responded_at,
            "response_event_id": x.response_event_id,
            "paused": [[lo.isoformat(), hi.isoformat()] for lo, hi in x.paused],
            "latency_seconds": None if x.is_open else x.latency_seconds,
            "business_seconds": None if x.is_open else x.business_seconds,
            "counts_for_latency": x.counts_for_latency,
        }
        for x in history.exchanges
    ]


def _apply_summary(candidate: Candidate, history: History, *, version: int) -> None:
    events = history.events
    candidate.event_count = len(events)
    candidate.last_event_at = events[-1].occurred_at if events else None
    candidate.last_inbound_at = max(
        (e.occurred_at for e in events if e.direction == "inbound"), default=None
    )
    candidate.last_outbound_at = max(
        (e.occurred_at for e in events if e.direction == "outbound"), default=None
    )
    waiting = history.waiting_on_us
    candidate.waiting_since = waiting.opened_at if waiting else None
    candidate.derived_settings_version = version


def derive_dirty(
    session: Session,
    *,
    limit: int = DEFAULT_BATCH,
    org_id: str | None = None,
    now: datetime | None = None,
    report: DerivationReport | None = None,
) -> int:
    """Claim up to `limit` dirty candidates, derive them and clear their marks; return count.

    Runs in the caller's transaction; commit it to release the candidates.
    """
    now = now or utcnow()
    skip = session.get_bind().dialect.name == "postgresql"
    claimed = repository.claim(session, limit=limit, org_id=org_id, skip_locked=skip)
    # Read after locking and before reading facts: a write landing later bumps the generation
    # (and moves `affected_from` no later than its own events).
    marks = repository.read_marks(session, [c.id for c in claimed])
    by_org: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in claimed:
        if candidate.id in marks:
            by_org[candidate.org_id].append(candidate)
    for org, candidates in sorted(by_org.items()):
        derive_candidates(
            session,
            org_id=org,
            candidates=candidates,
            now=now,
            affected_from={cid: m.affected_from for cid, m in marks.items()},
            report=report,
        )
    repository.clear(session, {cid: m.generation for cid, m in marks.items()})
    return len(marks)


def derive_pending(
    factory: sessionmaker[Session],
    *,
    org_id: str | None = None,
    batch: int = DEFAULT_BATCH,
    budget_seconds: float | None = None,
) -> int:
    """Derive dirty candidates batch by batch (one transaction each) until none is left."""
    started = monotonic()
    total = 0
    while budget_seconds is None or monotonic() - started < budget_seconds:
        with transaction(factory) as session:
            done = derive_dirty(session, limit=batch, org_id=org_id)
        total += done
        if done == 0:
            break
    return total


def ensure_derived(session: Session, *, candidate: Candidate) -> None:
    """Derive one candidate now if their facts changed since (read-your-writes)."""
    if not repository.is_dirty(session, candidate.id):
        return
    locked = candidates_repository.lock_many(session, candidate.org_id, [candidate.id])
    marks = repository.read_marks(session, [c.id for c in locked])
    if marks:
        derive_candidates(
            session,
            org_id=candidate.org_id,
            candidates=locked,
            affected_from={cid: m.affected_from for cid, m in marks.items()},
        )
        repository.clear(session, {cid: m.generation for cid, m in marks.items()})


def catch_up(session: Session, *, org_id: str, limit: int | None = None) -> Freshness:
    """Derive an organisation's pending candidates if there are few; say how current it is."""
    limit = READ_CATCH_UP_LIMIT if limit is None else limit
    count, since = repository.pending(session, org_id)
    if 0 < count <= limit:
        derive_dirty(session, limit=limit, org_id=org_id)
        count, since = repository.pending(session, org_id)
    now = utcnow()
    return Freshness(pending=count, derived_at=min(since, now) if since else now)


# --- reads that need derived state --------------------------------------------------------


def evaluation_for(
    session: Session, *, candidate: Candidate, as_of: datetime
) -> scoring_service.CandidateEvaluation:
    """A candidate's evaluation as of `as_of`, reflecting every acknowledged event."""
    ensure_derived(session, candidate=candidate)
    return scoring_service.evaluation_for(session, candidate=candidate, as_of=as_of)


def rederive(
    session: Session, *, org_id: str, candidate_ids: list[str], now: datetime | None = None
) -> int:
    """Rebuild candidates' derived state whether or not they are dirty (after a settings
    change: working hours move business time, thresholds and weights move scores)."""
    locked = candidates_repository.lock_many(session, org_id, candidate_ids)
    generations = repository.generations(session, [c.id for c in locked])
    derive_candidates(session, org_id=org_id, candidates=locked, now=now)
    repository.clear(session, generations)
    return len(locked)
