"""Recording contact events: a write path that only writes.

Ingestion is bulk-first: a single POST is a batch of one. Every item is validated on its own,
messages are classified (before any write, see `classify_items`), candidates are resolved (and
inline ones upserted) in bulk, rows go in with one `INSERT … ON CONFLICT DO NOTHING RETURNING`,
and replays are compared by content hash. Nothing is derived here: the caller
(`derivation/flows.py`) marks the changed candidates dirty in the same transaction.
"""

import hashlib
import json
from dataclasses import dataclass, field
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
from app.language import Classification, classify_message
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
    row: dict[str, Any] | None = None  # what was inserted (no ORM object made per row)

    @property
    def event_id(self) -> str | None:
        if self.event is not None:
            return self.event.id
        return str(self.row["id"]) if self.row is not None else None

    def stored_event(self) -> Event:
        """The stored event (built from the inserted row when it was created now)."""
        if self.event is None:
            assert self.row is not None
            self.event = Event(**self.row)
        return self.event


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


@dataclass
class StoredBatch:
    """The outcome of each item, and the candidates whose facts changed."""

    outcomes: list[ItemOutcome]
    changed_candidate_ids: set[str] = field(default_factory=set)
    created: int = 0
    upserted_candidate_ids: set[str] = field(default_factory=set)
    """Candidates the batch created or gave a new time zone (derived from the beginning)."""


def timezones_for(
    session: Session,
    *,
    org_id: str,
    items: list[EventCreate | AppError],
    default_timezone: str,
) -> dict[str, str]:
    """The zone each item's candidate reads dates in (inline zone, stored zone, org default)."""
    valid = [i for i in items if isinstance(i, EventCreate)]
    wanted = sorted({i.candidate_external_id for i in valid if needs_classification(i)})
    stored = candidates_repository.timezones_by_external_id(session, org_id, wanted)
    zones: dict[str, str] = {}
    for item in valid:
        inline = item.candidate.timezone if item.candidate is not None else None
        zone = inline or stored.get(item.candidate_external_id) or default_timezone
        zones.setdefault(item.candidate_external_id, zone)
        if inline:
            zones[item.candidate_external_id] = inline
    return zones


# What classify_items found for one item: its classification, None when the item is not an
# inbound message, or the exception classifying it raised (that item's problem alone).
Classified = Classification | Exception | None


def classify_items(
    items: list[EventCreate | AppError], zones: dict[str, str], default_timezone: str
) -> list[Classified]:
    """Classify each inbound message (no database: run it outside any write transaction).

    An item whose classification fails gets the exception instead; `record_events` turns it
    into that item's problem, so it never fails the others.
    """
    out: list[Classified] = []
    for item in items:
        if not isinstance(item, EventCreate) or not needs_classification(item):
            out.append(None)
            continue
        try:
            tz = ZoneInfo(zones.get(item.candidate_external_id, default_timezone))
            found = classify_message(
                body=item.body,
                subject=item.subject,
                occurred_at=item.occurred_at,
                tz=tz,
                auto_reply=item.auto_reply,
            )
            out.append(found)
        except Exception as exc:  # judged per item, see record_events
            out.append(exc)
    return out


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def needs_classification(item: EventCreate | AppError) -> bool:
    """Whether an item is a message from the candidate (the only kind classified)."""
    return isinstance(item, EventCreate) and item.direction == "inbound" and item.type == "message"


def record_events(
    session: Session,
    *,
    org_id: str,
    items: list[EventCreate | AppError],
    intents: list[Classified] | None = None,
    settings: CurrentSettings | None = None,
    now: datetime | None = None,
) -> StoredBatch:
    """Store a batch of events idempotently; derive nothing (derivation/flows.py does).

    `intents` are the classifications made beforehand (classify_items); without them the
    messages are classified here, inside the transaction (fine for the CLI and the demo).
    """
    now = now or utcnow()
    settings = settings or orgs_service.get_current_settings(session, org_id=org_id)
    if intents is None:
        zones = timezones_for(
            session, org_id=org_id, items=items, default_timezone=settings.document.timezone
        )
        intents = classify_items(items, zones, settings.document.timezone)
    outcomes: list[ItemOutcome] = [
        ItemOutcome(status=i.status, problem=i) if isinstance(i, AppError) else ItemOutcome(0)
        for i in items
    ]
    valid = [(n, i) for n, i in enumerate(items) if isinstance(i, EventCreate)]
    candidates, created_ids = _resolve_candidates(
        session, org_id=org_id, items=valid, outcomes=outcomes
    )
    batch = StoredBatch(
        outcomes=outcomes,
        changed_candidate_ids=set(created_ids),
        upserted_candidate_ids=set(created_ids),
    )
    plan = _plan_rows(
        valid, outcomes, candidates, intents, org_id=org_id, settings=settings, now=now
    )
    inserted = repository.insert_new_events(session, plan.rows)
    replays = [x for x in plan.first_of if x not in inserted]
    stored: dict[str, Event] = {
        e.external_id: e for e in repository.get_by_external_ids(session, org_id, replays)
    }
    by_external_id = {r["external_id"]: r for r in plan.rows}
    for position, item, digest in plan.pending:
        outcome = outcomes[position]
        outcome.candidate = candidates[item.candidate_external_id]
        new = item.external_id in inserted
        if new and plan.first_of[item.external_id][0] == position:
            outcome.status, outcome.created = 201, True
            outcome.row = by_external_id[item.external_id]
            batch.changed_candidate_ids.add(outcome.candidate.id)
            continue
        outcome.event = stored.get(item.external_id)
        outcome.row = by_external_id[item.external_id] if new else None
        _judge_replay(outcome, item, digest)
    batch.created = sum(1 for o in outcomes if o.created)
    if batch.created:
        EVENTS_INGESTED.inc(batch.created)
    return batch


@dataclass
class _RowPlan:
    rows: list[dict[str, Any]] = field(default_factory=list)
    first_of: dict[str, tuple[int, str]] = field(default_factory=dict)
    pending: list[tuple[int, EventCreate, str]] = field(default_factory=list)


def _plan_rows(
    valid: list[tuple[int, EventCreate]],
    outcomes: list[ItemOutcome],
    candidates: dict[str, Candidate],
    intents: list[Classified],
    *,
    org_id: str,
    settings: CurrentSettings,
    now: datetime,
) -> _RowPlan:
    """One row per new external_id (the first item wins); every item judged on its own."""
    plan = _RowPlan()
    for position, item in valid:
        outcome = outcomes[position]
        outcome.external_id = item.external_id
        if outcome.problem is not None:
            continue
        try:
            digest = content_hash(item)
            row = None
            if item.external_id not in plan.first_of:
                classified = intents[position]
                if isinstance(classified, Exception):
                    raise classified
                row = _event_row(
                    item,
                    org_id=org_id,
                    candidate=candidates[item.candidate_external_id],
                    settings=settings,
                    digest=digest,
                    classified=classified,
                    now=now,
                )
        except Exception as exc:  # one item's failure is its own problem, never the batch's
            outcome.status, outcome.problem = 422, _item_failure(item, exc)
            continue
        plan.pending.append((position, item, digest))
        if row is not None:
            plan.first_of[item.external_id] = (position, digest)
            plan.rows.append(row)
    return plan


def _judge_replay(outcome: ItemOutcome, item: EventCreate, digest: str) -> None:
    """An external_id stored before (or earlier in the batch): 200 if the same, else 409."""
    stored_hash = (
        outcome.event.content_hash
        if outcome.event is not None
        else (outcome.row or {}).get("content_hash")
    )
    if stored_hash is None:  # pragma: no cover - inserted or there already, by construction
        outcome.status, outcome.problem = 500, AppError("The event could not be stored.")
    elif stored_hash == digest:
        outcome.status, outcome.created = 200, False
    else:
        outcome.status, outcome.event, outcome.row = 409, None, None
        outcome.problem = Conflict(
            f"An event with external_id {item.external_id!r} already exists with "
            "different content; external_id is the idempotency key."
        )


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
) -> tuple[dict[str, Candidate], set[str]]:
    """Upsert inline candidates, then look up the rest; unknown ones fail their item.

    Returns the candidates by external id and the ids of those whose derived state the
    upserts changed (created, or a new time zone).
    """
    changed: set[str] = set()
    # In external_id order (stable, so a later item still wins), the order of every lock.
    for _, item in sorted(items, key=lambda pair: pair[1].candidate_external_id):
        if item.candidate is not None:
            data = item.candidate.model_copy(update={"external_id": item.candidate_external_id})
            upserted = candidates_service.upsert_candidate(
                session,
                org_id=org_id,
                data=data,
                fields_set=item.candidate.model_fields_set | {"external_id"},
            )
            if upserted.created or upserted.timezone_changed:
                changed.add(upserted.candidate.id)
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
    return found, changed


def _event_row(
    item: EventCreate,
    *,
    org_id: str,
    candidate: Candidate,
    settings: CurrentSettings,
    digest: str,
    classified: Classification | None,
    now: datetime,
) -> dict[str, Any]:
    intents = [m.to_dict() for m in classified.intents] if classified is not None else []
    language = classified.language if classified is not None else None
    intents_available = classified.intents_available if classified is not None else True
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
        "occurred_at": _utc(item.occurred_at),
        "scheduled_for": _utc(item.scheduled_for),
        "due_at": _utc(item.due_at),
        "promised_by": _utc(item.promised_by),
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
            subject=item.subject,
        ),
        "body_key": domain.body_key_of(item.body),
        "content_hash": digest,
        "received_at": now,
    }


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
