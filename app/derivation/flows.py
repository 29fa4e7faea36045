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

A derivation is a full rebuild from the candidate's set of events, as of now, so its result
never depends on arrival order, batch splits, or which process ran it (the equivalence test
in tests/derivation checks exactly that). Marks are cleared only if no new change arrived
while deriving (a generation counter), so a concurrent write is never lost.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from time import monotonic
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.candidates import repository as candidates_repository
from app.candidates import service as candidates_service
from app.candidates.models import Candidate
from app.candidates.schemas import CandidateUpsert
from app.core.db import transaction
from app.core.errors import AppError
from app.core.ids import utcnow
from app.derivation import repository
from app.events import repository as events_repository
from app.events import service as events_service
from app.events.domain import History, compute_history
from app.events.schemas import EventCreate
from app.orgs import service as orgs_service
from app.orgs.service import CurrentSettings
from app.scoring import service as scoring_service

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
    repository.mark(session, org_id, sorted(batch.changed_candidate_ids), now)
    return batch.outcomes


def ingest_events(
    factory: sessionmaker[Session],
    *,
    org_id: str,
    items: list[EventCreate | AppError],
    now: datetime | None = None,
) -> list[events_service.ItemOutcome]:
    """The HTTP write path: read what classification needs, classify, then one write.

    Classification runs with no transaction open, so on SQLite no one waits for the write
    lock while a long message is read. Three short steps: a read (settings, time zones), the
    classifier (no database), a write transaction (candidates, events, dirty marks).
    """
    with transaction(factory) as session:
        settings = orgs_service.get_current_settings(session, org_id=org_id)
        zones = events_service.timezones_for(
            session, org_id=org_id, items=items, default_timezone=settings.document.timezone
        )
    intents = events_service.classify_items(items, zones, settings.document.timezone)
    with transaction(factory) as session:
        return record_events(
            session, org_id=org_id, items=items, intents=intents, settings=settings, now=now
        )


def mark_dirty(
    session: Session, *, org_id: str, candidate_ids: list[str], now: datetime | None = None
) -> None:
    """Mark candidates for re-derivation (e.g. after a change integrations make to facts)."""
    repository.mark(session, org_id, candidate_ids, now or utcnow())


# --- derivation -------------------------------------------------------------------------


def derive_candidates(
    session: Session,
    *,
    org_id: str,
    candidates: list[Candidate],
    settings: CurrentSettings | None = None,
    now: datetime | None = None,
) -> dict[str, History]:
    """Rebuild exchanges, summaries, scores and flags of locked candidates from their events."""
    now = now or utcnow()
    settings = settings or orgs_service.get_current_settings(session, org_id=org_id)
    facts = events_repository.facts_for_candidates(session, org_id, [c.id for c in candidates])
    histories: dict[str, History] = {}
    exchange_rows: list[dict[str, Any]] = []
    for candidate in candidates:
        events = facts.get(candidate.id, [])
        horizon = max([now, *(e.occurred_at for e in events)])
        calendar = settings.document.calendar(candidate.timezone)
        history = compute_history(events, calendar, horizon)
        histories[candidate.id] = history
        _apply_summary(candidate, history, version=settings.version)
        exchange_rows.extend(_exchange_rows(org_id, candidate.id, history))
    events_repository.replace_exchanges(session, org_id, [c.id for c in candidates], exchange_rows)
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
) -> int:
    """Claim up to `limit` dirty candidates, derive them and clear their marks; return count.

    Runs in the caller's transaction; commit it to release the candidates.
    """
    now = now or utcnow()
    skip = session.get_bind().dialect.name == "postgresql"
    claimed = repository.claim(session, limit=limit, org_id=org_id, skip_locked=skip)
    # Read after locking and before reading facts: a write landing later bumps the generation.
    generations = repository.generations(session, [c.id for c in claimed])
    by_org: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in claimed:
        if candidate.id in generations:
            by_org[candidate.org_id].append(candidate)
    for org, candidates in sorted(by_org.items()):
        derive_candidates(session, org_id=org, candidates=candidates, now=now)
    repository.clear(session, generations)
    return len(generations)


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
    generations = repository.generations(session, [c.id for c in locked])
    if generations:
        derive_candidates(session, org_id=candidate.org_id, candidates=locked)
        repository.clear(session, generations)


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
