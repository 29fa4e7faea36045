"""SQL for the audit log."""

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


def list_events(
    session: Session,
    *,
    org_id: str,
    action: str | None,
    actor_id: str | None,
    since: datetime | None,
    until: datetime | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.org_id == org_id)
    if action:
        # "flag" matches every flag action; "flag.dismissed" exactly that one.
        query = query.where(
            or_(
                AuditEvent.action == action,
                AuditEvent.action.startswith(action + ".", autoescape=True),
            )
        )
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    if before:
        stamp, event_id = before
        query = query.where(
            or_(
                AuditEvent.occurred_at < stamp,
                and_(AuditEvent.occurred_at == stamp, AuditEvent.id < event_id),
            )
        )
    query = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))
