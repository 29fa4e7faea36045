"""Webhook subscriptions and their delivery log: the rules behind the API and the UI."""

import base64
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app import audit
from app.core.auth import Principal
from app.core.errors import NotFound
from app.core.ids import utcnow
from app.core.pagination import decode_time_cursor, encode_cursor
from app.core.sealing import seal, unseal
from app.core.settings import Settings
from app.webhooks import outbox, repository, ssrf
from app.webhooks.models import WebhookAttempt, WebhookMessage, WebhookSubscription


@dataclass(frozen=True)
class Delivery:
    """A message with its attempts (newest first)."""

    message: WebhookMessage
    attempts: list[WebhookAttempt]


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


SEALING_CONTEXT = b"followthrough/webhooks/signing-secret/v1"


def seal_secret(secret: str, *, settings: Settings) -> str:
    return seal(secret, secret_key=settings.secret_key.get_secret_value(), context=SEALING_CONTEXT)


def unseal_secret(sealed: str, *, settings: Settings) -> str | None:
    """The signing secret, or None when SECRET_KEY changed since the subscription was made."""
    return unseal(
        sealed, secret_key=settings.secret_key.get_secret_value(), context=SEALING_CONTEXT
    )


def check_url(url: str, *, settings: Settings) -> None:
    """Refuse URLs the delivery would refuse (422 problem naming `url`)."""
    ssrf.check_url(
        url,
        allow_private=settings.webhooks_allow_private,
        allow_http=settings.webhooks_allow_http,
    )


def create_subscription(
    session: Session,
    *,
    org_id: str,
    url: str,
    events: list[str],
    description: str = "",
    settings: Settings,
    actor: audit.Actor | Principal,
) -> tuple[WebhookSubscription, str]:
    """Subscribe `url` to `events` (audited); return it with its signing secret (to show once)."""
    check_url(url, settings=settings)
    secret = new_secret()
    subscription = WebhookSubscription(
        org_id=org_id,
        url=url,
        description=description.strip(),
        events=sorted(set(events)),
        secret_sealed=seal_secret(secret, settings=settings),
        enabled=True,
        created_at=utcnow(),
    )
    session.add(subscription)
    session.flush()
    outbox.forget_subscriptions(session)
    _audit(session, subscription, actor, "webhook.created", events=subscription.events)
    return subscription, secret


def get_subscription(session: Session, *, org_id: str, subscription_id: str) -> WebhookSubscription:
    subscription = repository.get_subscription(session, org_id, subscription_id)
    if subscription is None:
        raise NotFound("No such webhook subscription.")
    return subscription


def list_subscriptions(
    session: Session, *, org_id: str, limit: int, cursor: str | None
) -> tuple[list[WebhookSubscription], str | None]:
    after = None
    if cursor:
        after = decode_time_cursor(cursor)
    rows = repository.list_subscriptions(session, org_id, limit=limit + 1, after=after)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return rows[:limit], next_cursor


def _audit(
    session: Session,
    subscription: WebhookSubscription,
    actor: audit.Actor | Principal,
    action: str,
    **detail: object,
) -> None:
    audit.record(
        session,
        org_id=subscription.org_id,
        actor=actor,
        action=action,
        target=f"webhook:{subscription.id}",
        detail={"url": subscription.url, **detail},
    )


def delete_subscription(
    session: Session, *, subscription: WebhookSubscription, actor: audit.Actor | Principal
) -> None:
    """Delete a subscription with its deliveries (audited)."""
    _audit(session, subscription, actor, "webhook.deleted")
    repository.delete_subscription(session, subscription)
    outbox.forget_subscriptions(session)


def set_enabled(
    session: Session,
    *,
    subscription: WebhookSubscription,
    enabled: bool,
    settings: Settings,
    actor: audit.Actor | Principal,
) -> WebhookSubscription:
    """Disable an endpoint by hand, or enable it again (its URL is checked again); audited."""
    if enabled and not subscription.enabled:
        check_url(subscription.url, settings=settings)
        subscription.enabled = True
        subscription.disabled_at = None
        subscription.disabled_reason = None
        _audit(session, subscription, actor, "webhook.enabled")
    elif not enabled and subscription.enabled:
        subscription.enabled = False
        subscription.disabled_at = utcnow()
        subscription.disabled_reason = "Disabled by an administrator."
        _audit(session, subscription, actor, "webhook.disabled")
    session.flush()
    outbox.forget_subscriptions(session)
    return subscription


def list_deliveries(
    session: Session,
    *,
    subscription: WebhookSubscription,
    limit: int,
    cursor: str | None,
    status: str | None = None,
) -> tuple[list[Delivery], str | None]:
    """The delivery log of a subscription, newest message first, each with its attempts."""
    before = None
    if cursor:
        before = decode_time_cursor(cursor)
    messages = repository.list_messages(
        session,
        subscription.org_id,
        subscription.id,
        limit=limit + 1,
        status=status,
        before=before,
    )
    next_cursor = None
    if len(messages) > limit:
        last = messages[limit - 1]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    messages = messages[:limit]
    attempts = repository.attempts_for_messages(
        session, subscription.org_id, [m.id for m in messages]
    )
    return [Delivery(message=m, attempts=attempts.get(m.id, [])) for m in messages], next_cursor


def message_counts(session: Session, *, org_id: str) -> dict[str, dict[str, int]]:
    return repository.message_counts(session, org_id)
