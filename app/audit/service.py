"""Record and read the audit log.

`record` is the one way to write it: call it inside the transaction that does the action, so
the action and its audit row commit (or roll back) together.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.audit import repository
from app.audit.models import AuditEvent
from app.core.auth import Principal
from app.core.errors import UnprocessableContent, field_error
from app.core.ids import utcnow
from app.core.pagination import decode_time_cursor, encode_cursor

ActorKind = Literal["user", "api_key", "system"]
_ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
_MAX_TEXT = 2000


@dataclass(frozen=True)
class Actor:
    """Who acted: a signed-in user, an API key, or the system (CLI, jobs)."""

    kind: ActorKind
    id: str | None = None
    label: str | None = None


SYSTEM = Actor("system", None, "system")


def actor_of(who: Actor | Principal | None) -> Actor:
    """The actor behind a principal (API key or user), or the system when there is none."""
    if who is None:
        return SYSTEM
    if isinstance(who, Actor):
        return who
    if who.user_id is not None:
        return Actor("user", who.user_id, who.label)
    if who.api_key_id is not None:
        return Actor("api_key", who.api_key_id, who.label)
    return SYSTEM


def _bounded(value: Any) -> Any:
    if isinstance(value, str):
        return value[:_MAX_TEXT]
    if isinstance(value, Mapping):
        return {str(k)[:100]: _bounded(v) for k, v in list(value.items())[:50]}
    if isinstance(value, list | tuple):
        return [_bounded(v) for v in list(value)[:50]]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:_MAX_TEXT]


def record(
    session: Session,
    *,
    org_id: str,
    actor: Actor | Principal | None,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add one audit row to the current transaction (`action` like "flag.dismissed")."""
    if not _ACTION.match(action):
        raise ValueError(f"audit action {action!r} is not like 'noun.verb'")
    who = actor_of(actor)
    event = AuditEvent(
        org_id=org_id,
        occurred_at=at or utcnow(),
        actor_type=who.kind,
        actor_id=who.id,
        actor_label=who.label[:320] if who.label else None,
        action=action,
        target=target[:300] if target else None,
        detail=_bounded(dict(detail or {})),
    )
    session.add(event)
    return event


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Dotted names of the fields that differ between two documents (nested objects opened)."""
    changed: list[str] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            changed += [f"{key}.{sub}" for sub in changed_fields(old, new)]
        elif old != new:
            changed.append(key)
    return changed


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_events(
    session: Session,
    *,
    org_id: str,
    filters: AuditFilters,
    limit: int,
    cursor: str | None = None,
) -> tuple[list[AuditEvent], str | None]:
    """One page of the organisation's audit log, newest first."""
    if filters.since and filters.until and filters.since > filters.until:
        raise UnprocessableContent(
            "`since` is after `until`.", errors=[field_error("query.since", "after until")]
        )
    after = decode_time_cursor(cursor) if cursor else None
    rows = repository.list_events(
        session,
        org_id=org_id,
        action=filters.action,
        actor_id=filters.actor_id,
        since=filters.since,
        until=filters.until,
        before=after,
        limit=limit + 1,
    )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.occurred_at.isoformat(), last.id])
    return rows[:limit], next_cursor
