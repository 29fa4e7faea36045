"""`/api/v1/webhooks`: Standard Webhooks subscriptions and their delivery log (scope admin)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.core.deps import AdminPrincipal, SessionDep
from app.core.errors import problem_responses
from app.core.pagination import Page, PageParams, page_params
from app.core.settings import Settings
from app.webhooks import service as webhooks_service
from app.webhooks.models import WebhookSubscription
from app.webhooks.schemas import (
    DeliveryStatus,
    WebhookAttemptRead,
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryRead,
    WebhookRead,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def current_subscription(
    session: SessionDep,
    principal: AdminPrincipal,
    webhook_id: Annotated[str, Path(max_length=64)],
) -> WebhookSubscription:
    """The subscription named in the path, if it is the caller's organisation's (else 404)."""
    return webhooks_service.get_subscription(
        session, org_id=principal.org_id, subscription_id=webhook_id
    )


CurrentSubscription = Annotated[WebhookSubscription, Depends(current_subscription)]


def delivery_read(delivery: webhooks_service.Delivery) -> WebhookDeliveryRead:
    message = delivery.message
    return WebhookDeliveryRead(
        id=message.id,
        event_type=message.event_type,
        status=message.status,
        created_at=message.created_at,
        attempt_count=message.attempts,
        next_attempt_at=message.next_attempt_at if message.status == "pending" else None,
        delivered_at=message.delivered_at,
        failed_at=message.failed_at,
        last_error=message.last_error,
        payload=message.payload,
        attempts=[WebhookAttemptRead.model_validate(a) for a in delivery.attempts],
    )


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    responses=problem_responses(400, 401, 403, 422),
)
def create_webhook(
    body: WebhookCreate, session: SessionDep, principal: AdminPrincipal, settings: SettingsDep
) -> WebhookCreated:
    """Subscribe an https endpoint to events; the `whsec_…` secret is shown only in this answer.

    Deliveries follow Standard Webhooks: headers `webhook-id`, `webhook-timestamp` and
    `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), JSON body
    `{"type", "timestamp", "data"}`. URLs that resolve to loopback, private, link-local,
    multicast or reserved addresses are refused (422).
    """
    subscription, secret = webhooks_service.create_subscription(
        session,
        org_id=principal.org_id,
        url=body.url,
        events=list(body.events),
        description=body.description,
        settings=settings,
        actor=principal,
    )
    read = WebhookRead.model_validate(subscription)
    return WebhookCreated(**read.model_dump(), secret=secret)


@router.get("", response_model=Page[WebhookRead], responses=problem_responses(400, 401, 403))
def list_webhooks(
    session: SessionDep,
    principal: AdminPrincipal,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[WebhookRead]:
    """List the organisation's webhook subscriptions (disabled ones say why)."""
    rows, next_cursor = webhooks_service.list_subscriptions(
        session, org_id=principal.org_id, limit=page.limit, cursor=page.cursor
    )
    return Page(items=[WebhookRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/{webhook_id}", response_model=WebhookRead, responses=problem_responses(401, 403, 404))
def get_webhook(subscription: CurrentSubscription) -> WebhookRead:
    """Return one subscription."""
    return WebhookRead.model_validate(subscription)


@router.delete("/{webhook_id}", status_code=204, responses=problem_responses(401, 403, 404))
def delete_webhook(
    session: SessionDep, subscription: CurrentSubscription, principal: AdminPrincipal
) -> Response:
    """Delete a subscription with its undelivered messages and delivery log."""
    webhooks_service.delete_subscription(session, subscription=subscription, actor=principal)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/disable",
    response_model=WebhookRead,
    responses=problem_responses(401, 403, 404),
)
def disable_webhook(
    session: SessionDep,
    subscription: CurrentSubscription,
    settings: SettingsDep,
    principal: AdminPrincipal,
) -> WebhookRead:
    """Stop sending to this endpoint; events are not queued for it while disabled."""
    webhooks_service.set_enabled(
        session, subscription=subscription, enabled=False, settings=settings, actor=principal
    )
    return WebhookRead.model_validate(subscription)


@router.post(
    "/{webhook_id}/enable",
    response_model=WebhookRead,
    responses=problem_responses(401, 403, 404, 422),
)
def enable_webhook(
    session: SessionDep,
    subscription: CurrentSubscription,
    settings: SettingsDep,
    principal: AdminPrincipal,
) -> WebhookRead:
    """Send to this endpoint again (its URL is checked again); new events only."""
    webhooks_service.set_enabled(
        session, subscription=subscription, enabled=True, settings=settings, actor=principal
    )
    return WebhookRead.model_validate(subscription)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[WebhookDeliveryRead],
    responses=problem_responses(400, 401, 403, 404, 422),
)
def list_webhook_deliveries(
    session: SessionDep,
    subscription: CurrentSubscription,
    page: Annotated[PageParams, Depends(page_params)],
    status: DeliveryStatus | None = None,
) -> Page[WebhookDeliveryRead]:
    """The delivery log: each message (`webhook-id`), newest first, with every attempt."""
    rows, next_cursor = webhooks_service.list_deliveries(
        session,
        subscription=subscription,
        limit=page.limit,
        cursor=page.cursor,
        status=status,
    )
    return Page(items=[delivery_read(r) for r in rows], next_cursor=next_cursor)
