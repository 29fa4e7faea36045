"""SQL for events and stored exchanges."""

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Table,
    Text,
    and_,
    delete,
    exists,
    insert,
    or_,
    select,
    type_coerce,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from app.core.chunks import chunked
from app.core.db import UTCDateTime
from app.core.db_upsert import _with_defaults
from app.events.domain import EventFacts
from app.events.models import Event, Exchange
from app.language import IntentMatch


def insert_new_events(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert events, skipping external_ids already stored; return the inserted external_ids."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        return _copy_new_events(session, rows)
    module: Any = postgresql if dialect == "postgresql" else sqlite
    table = Event.__table__
    names = {attr: column.name for attr, column in Event.__mapper__.columns.items()}
    stmt = (
        module.insert(table)
        .on_conflict_do_nothing(index_elements=["org_id", "external_id"])
        .returning(table.c.external_id)
    )
    # Core, not the ORM: one multi-row INSERT per page instead of a statement per row.
    full = [{names[k]: v for k, v in _with_defaults(Event, r).items()} for r in rows]
    return set(session.connection().execute(stmt, full).scalars())


_INCOMING = "events_incoming"
# Below this many rows one INSERT … RETURNING costs fewer round trips than the COPY dance.
COPY_FROM_ROWS = 50


def _copy_new_events(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON
    CONFLICT DO NOTHING RETURNING — the idempotency check at COPY speed."""
    from psycopg.types.json import Json

    columns = list(Event.__mapper__.columns.items())
    names = [column.name for _, column in columns]
    json_columns = {attr for attr, column in columns if isinstance(column.type, JSON)}
    connection = session.connection()
    # Per connection; asked every time, as a rolled-back transaction takes its creation along.
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_INCOMING} "
        "(LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    column_list = ", ".join(f'"{n}"' for n in names)
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {_INCOMING} ({column_list}) FROM STDIN") as copy:
            for raw in rows:
                row = _with_defaults(Event, raw)
                copy.write_row(
                    [
                        Json(row[attr])
                        if attr in json_columns and row[attr] is not None
                        else row[attr]
                        for attr, _ in columns
                    ]
                )
        cursor.execute(
            f"INSERT INTO events ({column_list}) SELECT {column_list} FROM {_INCOMING} "
            "ON CONFLICT (org_id, external_id) DO NOTHING RETURNING external_id"
        )
        inserted = {r[0] for r in cursor.fetchall()}
        cursor.execute(f"TRUNCATE {_INCOMING}")
    return inserted


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
    """Load the derivation facts (no text) of several candidates' events in one pass.

    A full rebuild reads every event of the candidates, so this is built for speed: plain
    tuples from Core (no ORM rows, no per-value type decorators), timestamps made UTC here,
    and each distinct stored intents document parsed once.
    """
    out: dict[str, list[EventFacts]] = defaultdict(list)
    intents: dict[str | None, tuple[IntentMatch, ...]] = {None: (), "[]": ()}
    utc = _utc_reader(session.get_bind().dialect.name)
    connection = session.connection()
    for chunk in chunked(candidate_ids):
        stmt = select(*_FAST_FACT_COLUMNS).where(
            _EVENTS.c.org_id == org_id, _EVENTS.c.candidate_id.in_(chunk)
        )
        for row in connection.execute(stmt).all():
            (cid, id_, external_id, direction, channel, type_, occurred_at, outcome,
             scheduled_for, due_at, promised_by, in_reply_to, fulfills, auto_reply,
             expects_reply, raw_intents, needs_reply, body_key) = row  # fmt: skip
            parsed = intents.get(raw_intents)
            if parsed is None:
                parsed = intents[raw_intents] = _parse_intents(raw_intents)
            out[cid].append(
                EventFacts(
                    id=id_,
                    external_id=external_id,
                    direction=direction,
                    channel=channel,
                    type=type_,
                    occurred_at=utc(occurred_at),
                    outcome=outcome,
                    scheduled_for=scheduled_for and utc(scheduled_for),
                    due_at=due_at and utc(due_at),
                    promised_by=promised_by and utc(promised_by),
                    in_reply_to=in_reply_to,
                    fulfills=fulfills,
                    auto_reply=bool(auto_reply),
                    expects_reply=bool(expects_reply),
                    intents=parsed,
                    needs_reply=needs_reply,
                    body_key=body_key,
                )
            )
    return out


_EVENTS = cast(Table, Event.__table__)
_PLAIN_TIME = DateTime(timezone=True)


def _fact_column(name: str) -> ColumnElement[Any]:
    column = _EVENTS.c[name]
    if isinstance(column.type, UTCDateTime):
        # The driver's value, made UTC by `_utc_reader`: no per-value decorator call.
        return type_coerce(column, _PLAIN_TIME).label(name)
    if name == "intents":
        # The stored JSON text, parsed once per distinct document (most are "[]").
        return sa_cast(column, Text).label(name)
    return column


_FAST_FACT_COLUMNS = tuple(
    _fact_column(c)
    for c in (
        "candidate_id", "id", "external_id", "direction", "channel", "type", "occurred_at",
        "outcome", "scheduled_for", "due_at", "promised_by", "in_reply_to", "fulfills",
        "auto_reply", "expects_reply", "intents", "needs_reply", "body_key",
    )
)  # fmt: skip


def _utc_reader(dialect: str) -> Callable[[datetime], datetime]:
    """What `UTCDateTime` does to a read value, for the values this dialect returns."""
    if dialect == "sqlite":
        # SQLite keeps no offset: the stored value is the UTC wall time.
        return lambda value: value.replace(tzinfo=UTC)
    return lambda value: value if value.tzinfo is UTC else value.astimezone(UTC)


def _parse_intents(raw: str) -> tuple[IntentMatch, ...]:
    return tuple(IntentMatch.from_dict(i) for i in (json.loads(raw) or []))


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


EXCHANGE_FIELDS = (
    "opened_at",
    "opening_event_id",
    "attempt_event_ids",
    "responded_at",
    "response_event_id",
    "paused",
    "latency_seconds",
    "business_seconds",
    "counts_for_latency",
)
_EXCHANGES = cast(Table, Exchange.__table__)
_STORED_EXCHANGE_COLUMNS = (
    _EXCHANGES.c.candidate_id,
    _EXCHANGES.c.seq,
    *(
        # JSON as the stored text and timestamps as the driver gives them: compared below
        # without decoding a document or calling a type decorator per value.
        sa_cast(_EXCHANGES.c[f], Text).label(f)
        if isinstance(_EXCHANGES.c[f].type, JSON)
        else type_coerce(_EXCHANGES.c[f], _PLAIN_TIME).label(f)
        if isinstance(_EXCHANGES.c[f].type, UTCDateTime)
        else _EXCHANGES.c[f]
        for f in EXCHANGE_FIELDS
    ),
)


def replace_exchanges(
    session: Session, org_id: str, candidate_ids: list[str], rows: list[dict[str, Any]]
) -> None:
    """Make the stored exchanges of candidates equal `rows`, writing only what changed.

    An appended event usually changes only the last exchange (or adds one), and a rebuild
    with nothing new changes none: the rows already stored as they should be are left alone.
    """
    wanted = {(r["candidate_id"], r["seq"]): r for r in rows}
    stale: list[tuple[str, int]] = []
    same = _exchange_comparer(session.get_bind().dialect.name)
    connection = session.connection()
    for chunk in chunked(candidate_ids):
        stmt = select(*_STORED_EXCHANGE_COLUMNS).where(
            _EXCHANGES.c.org_id == org_id, _EXCHANGES.c.candidate_id.in_(chunk)
        )
        for row in connection.execute(stmt).all():
            key = (row[0], row[1])
            new = wanted.get(key)
            if new is not None and same(row, new):
                del wanted[key]
            else:
                stale.append(key)
    for start in range(0, len(stale), 200):
        keys = stale[start : start + 200]
        session.execute(
            delete(Exchange).where(
                Exchange.org_id == org_id,
                or_(*(and_(Exchange.candidate_id == c, Exchange.seq == q) for c, q in keys)),
            )
        )
    if wanted:
        # Core on the table: one multi-row INSERT per page, not one statement per row.
        connection.execute(
            insert(_EXCHANGES), [_with_defaults(Exchange, r) for r in wanted.values()]
        )


def exchange_rows_for_candidates(
    session: Session, org_id: str, candidate_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Stored exchanges of candidates as row dicts (seq and EXCHANGE_FIELDS), in seq order."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    columns = [getattr(Exchange, f) for f in ("candidate_id", "seq", *EXCHANGE_FIELDS)]
    for chunk in chunked(candidate_ids):
        stmt = (
            select(*columns)
            .where(Exchange.org_id == org_id, Exchange.candidate_id.in_(chunk))
            .order_by(Exchange.candidate_id, Exchange.seq)
        )
        for row in session.execute(stmt):
            out[row.candidate_id].append(dict(row._mapping))
    return out


def upsert_exchanges(
    session: Session, org_id: str, rows: list[dict[str, Any]], counts: dict[str, int]
) -> None:
    """Write exchange rows by (candidate_id, seq) and drop each candidate's seq >= count.

    `rows` are only the rows that changed; `counts` how many exchanges each candidate has
    now (for candidates that lost some).
    """
    if rows:
        module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        stmt = module.insert(Exchange.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["candidate_id", "seq"],
            set_={f: stmt.excluded[f] for f in EXCHANGE_FIELDS},
        )
        session.connection().execute(stmt, [_with_defaults(Exchange, r) for r in rows])
    for candidate_id, count in sorted(counts.items()):
        session.execute(
            delete(Exchange).where(
                Exchange.org_id == org_id,
                Exchange.candidate_id == candidate_id,
                Exchange.seq >= count,
            )
        )


def _exchange_comparer(dialect: str) -> Callable[[Any, dict[str, Any]], bool]:
    """Whether a stored exchange row (of `_STORED_EXCHANGE_COLUMNS`) equals a wanted one.

    JSON is compared as text against the text the insert writes (`json.dumps`): equal text
    means equal values; a row stored with other spacing only reads as changed and is
    rewritten, which is still correct.
    """
    utc = _utc_reader(dialect)

    def same(row: Any, new: dict[str, Any]) -> bool:
        (_, _, opened_at, opening_event_id, attempt_event_ids, responded_at,
         response_event_id, paused, latency_seconds, business_seconds,
         counts_for_latency) = row  # fmt: skip
        return bool(
            opening_event_id == new["opening_event_id"]
            and response_event_id == new["response_event_id"]
            and latency_seconds == new["latency_seconds"]
            and business_seconds == new["business_seconds"]
            and bool(counts_for_latency) == new["counts_for_latency"]
            and utc(opened_at) == new["opened_at"]
            and (None if responded_at is None else utc(responded_at)) == new["responded_at"]
            and attempt_event_ids == json.dumps(new["attempt_event_ids"])
            and paused == json.dumps(new["paused"])
        )

    return same


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
