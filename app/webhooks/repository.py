"""SQL for webhook subscriptions, messages and attempts (always scoped to an organisation)."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.webhooks.models import WebhookAttempt, WebhookMessage, WebhookSubscription


def get_subscription(
    session: Session, org_id: str, subscription_id: str
) -> WebhookSubscription | None:
    stmt = select(WebhookSubscription).where(
        WebhookSubscription.org_id == org_id, WebhookSubscription.id == subscription_id
    )
    return session.scalars(stmt).one_or_none()


def list_subscriptions(
    session: Session,
    org_id: str,
    *,
    limit: int,
    after: tuple[datetime, str] | None = None,
) -> list[WebhookSubscription]:
    stmt = select(WebhookSubscription).where(WebhookSubscription.org_id == org_id)
    if after is not None:
        created_at, sid = after
        stmt = stmt.where(
            (WebhookSubscription.created_at > created_at)
            | ((WebhookSubscription.created_at == created_at) & (WebhookSubscription.id > sid))
        )
    stmt = stmt.order_by(WebhookSubscription.created_at, WebhookSubscription.id).limit(limit)
    return list(session.scalars(stmt))


def delete_subscription(session: Session, subscription: WebhookSubscription) -> None:
    # Children first, so SQLite without cascading deletes behaves like PostgreSQL.
    for model in (WebhookAttempt, WebhookMessage):
        session.execute(
            delete(model).where(
                model.org_id == subscription.org_id,
                model.subscription_id == subscription.id,
            )
        )
    session.execute(delete(WebhookSubscription).where(WebhookSubscription.id == subscription.id))


def list_messages(
    session: Session,
    org_id: str,
    subscription_id: str,
    *,
    limit: int,
    status: str | None = None,
    before: tuple[datetime, str] | None = None,
) -> list[WebhookMessage]:
    """Messages of one subscription, newest first."""
    stmt = select(WebhookMessage).where(
        WebhookMessage.org_id == org_id, WebhookMessage.subscription_id == subscription_id
    )
    if status is not None:
        stmt = stmt.where(WebhookMessage.status == status)
    if before is not None:
        created_at, mid = before
        stmt = stmt.where(
            (WebhookMessage.created_at < created_at)
            | ((WebhookMessage.created_at == created_at) & (WebhookMessage.id < mid))
        )
    stmt = stmt.order_by(WebhookMessage.created_at.desc(), WebhookMessage.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def attempts_for_messages(
    session: Session, org_id: str, message_ids: list[str]
) -> dict[str, list[WebhookAttempt]]:
    """Each message's attempts, newest first."""
    if not message_ids:
        return {}
    stmt = (
        select(WebhookAttempt)
        .where(WebhookAttempt.org_id == org_id, WebhookAttempt.message_id.in_(message_ids))
        .order_by(WebhookAttempt.message_id, WebhookAttempt.attempt.desc())
    )
    out: dict[str, list[WebhookAttempt]] = defaultdict(list)
    for attempt in session.scalars(stmt):
        out[attempt.message_id].append(attempt)
    return out


def message_counts(session: Session, org_id: str) -> dict[str, dict[str, int]]:
    """Per subscription, how many messages are pending, delivered and failed."""
    stmt = (
        select(WebhookMessage.subscription_id, WebhookMessage.status, func.count())
        .where(WebhookMessage.org_id == org_id)
        .group_by(WebhookMessage.subscription_id, WebhookMessage.status)
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for subscription_id, status, count in session.execute(stmt).all():
        out[subscription_id][status] = count
    return out
