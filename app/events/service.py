"""Recording contact events and keeping each candidate's derived state up to date.

Ingestion is bulk-first: a single POST is a batch of one. Every item is validated on its own,
candidates are resolved (and inline ones upserted) in bulk, rows go in with one
`INSERT … ON CONFLICT DO NOTHING RETURNING`, replays are compared by content hash, and the
derived state (exchanges, summary columns, scores) of every touched candidate is rebuilt from
its full set of events inside the same transaction — so it never depends on arrival order.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.candidates import repository as candidates_repository
from app.candidates import service as candidates_service
from app.candidates.models import Candidate
from app.core.errors import (
    AppError,
    Conflict,
    NotFound,
    UnprocessableContent,
    field_error,
)
from app.core.ids import new_id, utcnow
from app.core.logging import get_logger
from app.core.metrics import EVENTS_INGESTED
from app.core.validation import validation_problem
from app.events import domain, repository
from app.events.domain import History, compute_history
from app.events.models import Event
from app.events.schemas import EventCreate
from app.language import classify_message
from app.orgs import service as orgs_service
from app.orgs.service import CurrentSettings

log = get_logger("followthrough.events")

_DATETIME_FIELDS = ("occurred_at", "scheduled_for", "due_at", "promised_by")


@dataclass
class ItemOutcome:
    """What happened to one submitted event."""

    status: int
    event: Event | None = None
    candidate: Candidate | None = None
    created: bool = False
    problem: AppError | None = None
    external_id: str | None = None


def parse_items(raw_items: list[Any]) -> list[EventCreate | AppError]:
    """Validate each raw batch item on its own; a bad one becomes its problem."""
    parsed: list[EventCreate | AppError] = []
    for position, raw in enumerate(raw_items):
        try:
            parsed.append(EventCreate.model_validate(raw))
        except ValidationError as exc:
            parsed.append(validation_problem(exc.errors(), prefix=f"events[{position}]"))
    return parsed


def content_hash(item: EventCreate) -> str:
    """Hash what the event says (instants in UTC), not how it was spelled or who it upserts."""
    data = item.model_dump(mode="python", exclude={"candidate"})
    for name in _DATETIME_FIELDS:
        if data[name] is not None:
            data[name] = data[name].astimezone(UTC).isoformat()
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_events(
    session: Session,
    *,
    org_id: str,
    items: list[EventCreate | AppError],
    now: datetime | None = None,
) -> list[ItemOutcome]:
    """Store a batch of events idempotently and refresh the touched candidates."""
    now = now or utcnow()
    settings = orgs_service.get_current_settings(session, org_id=org_id)
    outcomes: list[ItemOutcome] = [
        ItemOutcome(status=i.status, problem=i) if isinstance(i, AppError) else ItemOutcome(0)
        for i in items
    ]
    valid = [(n, i) for n, i in enumerate(items) if isinstance(i, EventCreate)]
    candidates = _resolve_candidates(session, org_id=org_id, items=valid, outcomes=outcomes)

    rows: list[dict[str, Any]] = []
    first_of: dict[str, tuple[int, str]] = {}
    pending: list[tuple[int, EventCreate, str]] = []
    for position, item in valid:
        outcome = outcomes[position]
        outcome.external_id = item.external_id
        if outcome.problem is not None:
            continue
        try:
            digest = content_hash(item)
            row = None
            if item.external_id not in first_of:
                candidate = candidates[item.candidate_external_id]
                row = _event_row(
                    item, org_id=org_id, candidate=candidate, settings=settings, digest=digest
                )
        except Exception as exc:  # one item's failure is its own problem, never the batch's
            outcome.status, outcome.problem = 422, _item_failure(item, exc)
            continue
        pending.append((position, item, digest))
        if row is None:
            continue
        first_of[item.external_id] = (position, digest)
        outcome.candidate = candidate
        rows.append(row)

    inserted = repository.insert_new_events(session, rows)
    stored = {
        e.external_id: e
        for e in repository.get_by_external_ids(session, org_id, list(first_of.keys()))
    }
    touched: dict[str, Candidate] = {}
    for position, item, digest in pending:
        outcome = outcomes[position]
        event = stored.get(item.external_id)
        if event is None:  # pragma: no cover - inserted or already there, by construction
            outcome.status, outcome.problem = 500, AppError("The event could not be stored.")
            continue
        is_first = first_of[item.external_id][0] == position
        if is_first and item.external_id in inserted:
            outcome.status, outcome.created, outcome.event = 201, True, event
            outcome.candidate = candidates[item.candidate_external_id]
            touched[event.candidate_id] = outcome.candidate
        elif event.content_hash == digest:
            outcome.status, outcome.created, outcome.event = 200, False, event
        else:
            outcome.status = 409
            outcome.problem = Conflict(
                f"An event with external_id {item.external_id!r} already exists with "
                "different content; external_id is the idempotency key."
            )
    if touched:
        EVENTS_INGESTED.inc(sum(1 for o in outcomes if o.created))
        refresh_candidates(
            session,
            org_id=org_id,
            candidate_ids=list(touched.keys()),
            settings=settings,
            now=now,
        )
    return outcomes


def _item_failure(item: EventCreate, exc: Exception) -> UnprocessableContent:
    """Log an unexpected failure while processing one item and describe it to the client."""
    log.exception("event_item_failed", external_id=item.external_id, error=type(exc).__name__)
    return UnprocessableContent(
        f"The event {item.external_id!r} could not be processed ({type(exc).__name__}); "
        "the other events of the request are unaffected.",
        errors=[field_error("body", "this event could not be processed")],
    )


def _resolve_candidates(
    session: Session,
    *,
    org_id: str,
    items: list[tuple[int, EventCreate]],
    outcomes: list[ItemOutcome],
) -> dict[str, Candidate]:
    """Upsert inline candidates, then look up the rest; unknown ones fail their item."""
    # In external_id order (stable, so a later item still wins), the order of every lock.
    for _, item in sorted(items, key=lambda pair: pair[1].candidate_external_id):
        if item.candidate is not None:
            data = item.candidate.model_copy(update={"external_id": item.candidate_external_id})
            candidates_service.upsert_candidate(
                session,
                org_id=org_id,
                data=data,
                fields_set=item.candidate.model_fields_set | {"external_id"},
            )
    wanted = sorted({item.candidate_external_id for _, item in items})
    found = candidates_repository.get_many_by_external_id(session, org_id, wanted)
    for position, item in items:
        if item.candidate_external_id not in found:
            outcomes[position].status = 422
            outcomes[position].problem = UnprocessableContent(
                f"Unknown candidate {item.candidate_external_id!r}: create it first with "
                "POST /api/v1/candidates, or send an inline `candidate` object.",
                errors=[field_error("body.candidate_external_id", "unknown candidate")],
            )
    return found


def _event_row(
    item: EventCreate,
    *,
    org_id: str,
    candidate: Candidate,
    settings: CurrentSettings,
    digest: str,
) -> dict[str, Any]:
    intents: list[dict[str, Any]] = []
    language: str | None = None
    intents_available = True
    if item.direction == "inbound" and item.type == "message":
        tz = ZoneInfo(candidate.timezone or settings.document.timezone)
        found = classify_message(
            body=item.body,
            subject=item.subject,
            occurred_at=item.occurred_at,
            tz=tz,
            auto_reply=item.auto_reply,
        )
        intents = [m.to_dict() for m in found.intents]
        language, intents_available = found.language, found.intents_available
    redact = settings.document.body_retention == "redact"
    text = item.body if item.body is not None else item.subject
    return {
        "id": new_id(),
        "org_id": org_id,
        "candidate_id": candidate.id,
        "external_id": item.external_id,
        "recruiter_external_id": item.recruiter_external_id,
        "direction": item.direction,
        "channel": item.channel,
        "type": item.type,
        "outcome": item.outcome,
        "occurred_at": item.occurred_at,
        "scheduled_for": item.scheduled_for,
        "due_at": item.due_at,
        "promised_by": item.promised_by,
        "in_reply_to": item.in_reply_to,
        "fulfills": item.fulfills,
        "subject": None if redact else item.subject,
        "body": None if redact else item.body,
        "body_redacted": redact and (item.body is not None or item.subject is not None),
        "auto_reply": item.auto_reply,
        "expects_reply": item.expects_reply,
        "event_metadata": item.metadata,
        "intents": intents,
        "language": language,
        "intents_available": intents_available,
        "needs_reply": domain.detect_needs_reply(
            direction=item.direction,
            type_=item.type,
            outcome=item.outcome,
            auto_reply=item.auto_reply,
            text=text,
            intents=[(str(i["intent"]), str(i.get("evidence") or "")) for i in intents],
        ),
        "body_key": domain.body_key_of(item.body),
        "content_hash": digest,
    }


def refresh_candidates(
    session: Session,
    *,
    org_id: str,
    candidate_ids: list[str],
    settings: CurrentSettings | None = None,
    now: datetime | None = None,
) -> dict[str, History]:
    """Rebuild exchanges and summaries (and scores) of candidates from all their events."""
    from app.scoring import service as scoring_service

    now = now or utcnow()
    settings = settings or orgs_service.get_current_settings(session, org_id=org_id)
    locked = candidates_repository.lock_many(session, org_id, candidate_ids)
    facts = repository.facts_for_candidates(session, org_id, [c.id for c in locked])
    histories: dict[str, History] = {}
    exchange_rows: list[dict[str, Any]] = []
    for candidate in locked:
        events = facts.get(candidate.id, [])
        horizon = max([now, *(e.occurred_at for e in events)])
        calendar = settings.document.calendar(candidate.timezone)
        history = compute_history(events, calendar, horizon)
        histories[candidate.id] = history
        _apply_summary(candidate, history, version=settings.version)
        exchange_rows.extend(
            {
                "org_id": org_id,
                "candidate_id": candidate.id,
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
        )
    repository.replace_exchanges(session, org_id, [c.id for c in locked], exchange_rows)
    session.flush()
    scoring_service.refresh_scores(
        session,
        org_id=org_id,
        candidates=locked,
        settings=settings,
        now=now,
        facts=facts,
        histories=histories,
    )
    return histories


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


def get_event(session: Session, *, org_id: str, event_id: str) -> Event:
    event = repository.get(session, org_id, event_id)
    if event is None:
        raise NotFound("No such event.")
    return event


def history_for(
    session: Session,
    *,
    candidate: Candidate,
    settings: CurrentSettings,
    as_of: datetime,
) -> tuple[list[Event], History]:
    """Return a candidate's events up to `as_of` and what they derive, as of then."""
    events = repository.list_for_candidate(session, candidate.org_id, candidate.id, until=as_of)
    facts = [repository.row_to_facts(e) for e in events]
    calendar = settings.document.calendar(candidate.timezone)
    return events, compute_history(facts, calendar, as_of)
