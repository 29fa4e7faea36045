"""Settings → Webhooks: outgoing subscriptions, their secret (once) and delivery log."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from app.core.deps import SessionDep
from app.core.errors import NotFound
from app.core.settings import Settings
from app.web.pages import FormDep
from app.web.security import AdminUser, PageNotFound, verify_csrf
from app.web.templating import render
from app.webhooks import service as webhooks_service
from app.webhooks.models import EVENT_TYPES, WebhookSubscription
from app.webhooks.ssrf import UnsafeUrl

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

EVENT_HELP = {
    "candidate.flagged": "a flag is raised on a candidate",
    "candidate.band_changed": "a candidate's band changes (e.g. engaged → cooling)",
    "flag.cleared": "a flag no longer holds (the candidate responded)",
    "flag.dismissed": "someone dismissed a flag",
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _list_page(
    request: Request,
    session: Session,
    org_id: str,
    *,
    created: dict[str, Any] | None = None,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    subscriptions, _ = webhooks_service.list_subscriptions(
        session, org_id=org_id, limit=200, cursor=None
    )
    return render(
        request,
        "webhooks.html",
        {
            "subscriptions": subscriptions,
            "counts": webhooks_service.message_counts(session, org_id=org_id),
            "event_types": EVENT_TYPES,
            "event_help": EVENT_HELP,
            "created": created,
            "error": error,
            "values": values or {"url": "", "description": "", "events": list(EVENT_TYPES)},
        },
        status_code=status_code,
    )


def _subscription(session: Session, org_id: str, webhook_id: str) -> WebhookSubscription:
    try:
        return webhooks_service.get_subscription(session, org_id=org_id, subscription_id=webhook_id)
    except NotFound as exc:
        raise PageNotFound() from exc


WebhookId = Annotated[str, Path(max_length=64)]


@router.get("/settings/webhooks", name="web-webhooks")
def webhooks_page(request: Request, session: SessionDep, user: AdminUser) -> HTMLResponse:
    return _list_page(request, session, user.org_id)


@router.post("/settings/webhooks")
def create_webhook(
    request: Request, session: SessionDep, user: AdminUser, form: FormDep
) -> HTMLResponse:
    url = str(form.get("url") or "").strip()[:2000]
    description = str(form.get("description") or "").strip()[:200]
    events = [e for e in form.getlist("events") if isinstance(e, str) and e in EVENT_TYPES]
    values = {"url": url, "description": description, "events": events}
    error = None
    if not url:
        error = "Enter the https URL that should receive the events."
    elif not events:
        error = "Choose at least one event."
    if error is None:
        try:
            hook, secret = webhooks_service.create_subscription(
                session,
                org_id=user.org_id,
                url=url,
                events=events,
                description=description,
                settings=_settings(request),
                actor=user.actor,
            )
        except UnsafeUrl as exc:
            error = exc.detail
        else:
            created = {"hook": hook, "secret": secret}
            return _list_page(request, session, user.org_id, created=created)
    return _list_page(request, session, user.org_id, error=error, values=values, status_code=422)


@router.get("/settings/webhooks/{webhook_id}", name="web-webhook")
def webhook_page(
    request: Request, session: SessionDep, user: AdminUser, webhook_id: WebhookId
) -> HTMLResponse:
    subscription = _subscription(session, user.org_id, webhook_id)
    log, _ = webhooks_service.list_deliveries(
        session, subscription=subscription, limit=100, cursor=None
    )
    return render(
        request,
        "webhook.html",
        {"hook": subscription, "deliveries": log, "event_help": EVENT_HELP},
    )


@router.post("/settings/webhooks/{webhook_id}/{action}")
def change_webhook(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    webhook_id: WebhookId,
    action: Annotated[str, Path(pattern="^(enable|disable|delete)$")],
) -> RedirectResponse:
    subscription = _subscription(session, user.org_id, webhook_id)
    if action == "delete":
        webhooks_service.delete_subscription(session, subscription=subscription, actor=user.actor)
        request.session["flash"] = f"Webhook to {subscription.url} deleted."
        return RedirectResponse("/settings/webhooks", status_code=303)
    try:
        webhooks_service.set_enabled(
            session,
            subscription=subscription,
            enabled=action == "enable",
            settings=_settings(request),
            actor=user.actor,
        )
    except UnsafeUrl as exc:
        request.session["flash"] = exc.detail
    else:
        request.session["flash"] = f"Webhook {'enabled' if subscription.enabled else 'disabled'}."
    return RedirectResponse(f"/settings/webhooks/{subscription.id}", status_code=303)
