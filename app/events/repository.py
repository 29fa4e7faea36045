"""SQL for events and stored exchanges."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from app.core.chunks import chunked
from app.core.db_upsert import _with_defaults
from app.events.domain import EventFacts
from app.events.models import Event, Exchange
from app.language import IntentMatch

FACT_COLUMNS = (
    Event.id,
    Event.candidate_id,
    Event.external_id,
    Event.direction,
    Event.channel,
    Event.type,
    Event.occurred_at,
    Event.outcome,
    Event.scheduled_for,
    Event.due_at,
    Event.promised_by,
    Event.in_reply_to,
    Event.fulfills,
    Event.auto_reply,
    Event.expects_reply,
    Event.intents,
    Event.needs_reply,
    Event.body_key,
)


def insert_new_events(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert events, skipping external_ids already stored; return the inserted external_ids."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = (
        module.insert(Event)
        .on_conflict_do_nothing(index_elements=["org_id", "external_id"])
        .returning(Event.external_id)
    )
    full = [_with_defaults(Event, r) for r in rows]
    return set(session.scalars(stmt, full))


def get_by_external_ids(session: Session, org_id: str, external_ids: list[str]) -> list[Event]:
    found: list[Event] = []
    for chunk in chunked(external_ids):
        stmt = select(Event).where(Event.org_id == org_id, Event.external_id.in_(chunk))
        found.extend(session.scalars(stmt))
    return found


def get(session: Session, org_id: str, event_id: str) -> Event | None:
    return session.scalar(select(Event).where(Event.org_id == org_id, Event.id == event_id))


def list_for_candidate(
    session: Session, org_id: str, candidate_id: str, *, until: datetime | None = None
) -> list[Event]:
    stmt = select(Event).where(Event.org_id == org_id, Event.candidate_id == candidate_id)
    if until is not None:
        stmt = stmt.where(Event.occurred_at <= until)
    return list(session.scalars(stmt.order_by(Event.occurred_at, Event.external_id)))


def facts_for_candidates(
    session: Session, org_id: str, candidate_ids: list[str]
) -> dict[str, list[EventFacts]]:
    """Load the derivation facts (no text) of several candidates' events in one pass."""
    out: dict[str, list[EventFacts]] = defaultdict(list)
    for chunk in chunked(candidate_ids):
        stmt = select(*FACT_COLUMNS).where(Event.org_id == org_id, Event.candidate_id.in_(chunk))
        for row in session.execute(stmt):
            out[row.candidate_id].append(row_to_facts(row))
    return out


def row_to_facts(row: Any) -> EventFacts:
    return EventFacts(
        id=row.id,
        external_id=row.external_id,
        direction=row.direction,
        channel=row.channel,
        type=row.type,
        occurred_at=row.occurred_at,
        outcome=row.outcome,
        scheduled_for=row.scheduled_for,
        due_at=row.due_at,
        promised_by=row.promised_by,
        in_reply_to=row.in_reply_to,
        fulfills=row.fulfills,
        auto_reply=bool(row.auto_reply),
        expects_reply=bool(row.expects_reply),
        intents=tuple(IntentMatch.from_dict(i) for i in (row.intents or [])),
        needs_reply=row.needs_reply,
        body_key=row.body_key,
    )


def replace_exchanges(
    session: Session, org_id: str, candidate_ids: list[str], rows: list[dict[str, Any]]
) -> None:
    for chunk in chunked(candidate_ids):
        session.execute(
            delete(Exchange).where(Exchange.org_id == org_id, Exchange.candidate_id.in_(chunk))
        )
    if rows:
        session.execute(insert(Exchange), [_with_defaults(Exchange, r) for r in rows])


def overdue_promise_clause(promise: Any, *, org_id: str, as_of: datetime) -> ColumnElement[bool]:
    """SQL for the mirror view's overdue promise (events/domain.py), on an Event alias.

    An outbound `promised_by` passed before `as_of` with no later outbound event of the same
    candidate (later in the contract's order: occurred_at, then external_id).
    """
    later = aliased(Event)
    kept = exists().where(
        later.org_id == org_id,
        later.candidate_id == promise.candidate_id,
        later.direction == "outbound",
        later.occurred_at <= as_of,
        or_(
            later.occurred_at > promise.occurred_at,
            and_(
                later.occurred_at == promise.occurred_at,
                later.external_id > promise.external_id,
            ),
        ),
    )
    return and_(
        promise.org_id == org_id,
        promise.direction == "outbound",
        promise.promised_by.is_not(None),
        promise.promised_by < as_of,
        promise.occurred_at <= as_of,
        ~kept,
    )
