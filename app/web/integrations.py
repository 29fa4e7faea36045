"""Settings → Integrations: connections, their webhook URL and secret, deliveries, and mail
that matched no candidate (with assign-to-candidate)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.core.deps import SessionDep
from app.core.errors import AppError, NotFound
from app.core.ids import utcnow
from app.integrations import service as integrations_service
from app.integrations.models import IntegrationConnection
from app.integrations.schemas import PROVIDERS, IntegrationCreate, UnmatchedAssign
from app.web.pages import FormDep
from app.web.security import AdminUser, PageNotFound, verify_csrf
from app.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PROVIDER_LABELS = {
    "email": "E-mail (forward, Mailgun, SendGrid)",
    "greenhouse": "Greenhouse",
    "lever": "Lever",
    "ashby": "Ashby",
    "calendly": "Calendly",
    "twilio": "Twilio Voice",
}
ConnectionId = Annotated[str, Path(max_length=64)]


def _base_url(request: Request) -> str:
    return str(request.app.state.settings.base_url)


def _list_page(
    request: Request,
    session: SessionDep,
    org_id: str,
    *,
    created: dict[str, Any] | None = None,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows, _ = integrations_service.list_connections(session, org_id=org_id, limit=200, cursor=None)
    counts, unmatched = integrations_service.connection_stats(session, org_id=org_id)
    connections = [
        {
            "record": c,
            "label": PROVIDER_LABELS.get(c.provider, c.provider),
            "webhook_url": integrations_service.webhook_url(_base_url(request), c.id),
            "deliveries": counts.get(c.id, (0, None))[0],
            "last_delivery_at": counts.get(c.id, (0, None))[1],
            "unmatched": unmatched.get(c.id, 0),
        }
        for c in rows
    ]
    return render(
        request,
        "integrations.html",
        {
            "connections": connections,
            "providers": [(p, PROVIDER_LABELS[p]) for p in PROVIDERS],
            "created": created,
            "error": error,
            "values": values or {"provider": "email", "name": "", "secret": ""},
        },
        status_code=status_code,
    )


@router.get("/settings/integrations", name="web-integrations")
def integrations(request: Request, session: SessionDep, user: AdminUser) -> HTMLResponse:
    return _list_page(request, session, user.org_id)


@router.post("/settings/integrations")
def create_integration(
    request: Request, session: SessionDep, user: AdminUser, form: FormDep
) -> HTMLResponse:
    values = {
        "provider": str(form.get("provider") or ""),
        "name": str(form.get("name") or "").strip(),
        "secret": str(form.get("secret") or "").strip(),
    }
    try:
        data = IntegrationCreate.model_validate(
            {
                "provider": values["provider"],
                "name": values["name"] or PROVIDER_LABELS.get(values["provider"], "Integration"),
                "secret": values["secret"] or None,
            }
        )
        connection, secret = integrations_service.create_connection(
            session,
            org_id=user.org_id,
            data=data,
            secret_key=request.app.state.settings.secret_key.get_secret_value(),
            actor=user.actor,
        )
    except ValidationError as exc:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}))
        error = f"Check {fields}: a secret is 8 or more characters without spaces."
        return _list_page(
            request, session, user.org_id, error=error, values=values, status_code=422
        )
    except AppError as exc:
        return _list_page(
            request, session, user.org_id, error=exc.detail, values=values, status_code=422
        )
    created = {
        "record": connection,
        "label": PROVIDER_LABELS.get(connection.provider, connection.provider),
        "secret": secret,
        "webhook_url": integrations_service.webhook_url(_base_url(request), connection.id),
    }
    return _list_page(request, session, user.org_id, created=created)


def _connection(session: SessionDep, org_id: str, connection_id: str) -> IntegrationConnection:
    try:
        return integrations_service.get_connection(
            session, org_id=org_id, connection_id=connection_id
        )
    except NotFound as exc:
        raise PageNotFound() from exc


@router.get("/settings/integrations/{connection_id}", name="web-integration")
def integration(
    request: Request, session: SessionDep, user: AdminUser, connection_id: ConnectionId
) -> HTMLResponse:
    connection = _connection(session, user.org_id, connection_id)
    deliveries = integrations_service.list_deliveries(session, connection=connection, limit=50)
    unmatched, _ = integrations_service.list_unmatched(
        session, connection=connection, include_assigned=False, limit=100, cursor=None
    )
    return render(
        request,
        "integration.html",
        {
            "connection": connection,
            "label": PROVIDER_LABELS.get(connection.provider, connection.provider),
            "webhook_url": integrations_service.webhook_url(_base_url(request), connection.id),
            "deliveries": deliveries,
            "unmatched": unmatched,
        },
    )


@router.post("/settings/integrations/{connection_id}/delete")
def delete_integration(
    request: Request, session: SessionDep, user: AdminUser, connection_id: ConnectionId
) -> RedirectResponse:
    connection = _connection(session, user.org_id, connection_id)
    name = connection.name
    integrations_service.delete_connection(session, connection=connection, actor=user.actor)
    request.session["flash"] = f"“{name}” is disconnected; its webhook URL no longer works."
    return RedirectResponse("/settings/integrations", status_code=303)


@router.post("/settings/integrations/{connection_id}/unmatched/{mail_id}/assign")
def assign_unmatched(
    request: Request,
    *,
    session: SessionDep,
    user: AdminUser,
    form: FormDep,
    connection_id: ConnectionId,
    mail_id: Annotated[str, Path(max_length=64)],
) -> Response:
    connection = _connection(session, user.org_id, connection_id)
    query = str(form.get("candidate") or "").strip()[:320]
    try:
        candidate = integrations_service.find_candidate(
            session, org_id=user.org_id, candidate_id=None, external_id=query or None, email=query
        )
        integrations_service.assign_unmatched(
            session,
            connection=connection,
            mail_id=mail_id,
            data=UnmatchedAssign(candidate_id=candidate.id),
            now=utcnow(),
        )
    except NotFound as exc:
        raise PageNotFound() from exc
    except AppError as exc:
        request.session["flash"] = f"Not assigned: {exc.detail}"
    else:
        request.session["flash"] = f"Assigned to {candidate.name or candidate.external_id}."
    return RedirectResponse(f"/settings/integrations/{connection.id}#unmatched", status_code=303)


@router.post("/settings/integrations/{connection_id}/unmatched/{mail_id}/dismiss")
def dismiss_unmatched(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    connection_id: ConnectionId,
    mail_id: Annotated[str, Path(max_length=64)],
) -> RedirectResponse:
    connection = _connection(session, user.org_id, connection_id)
    try:
        integrations_service.dismiss_unmatched(session, connection=connection, mail_id=mail_id)
    except NotFound as exc:
        raise PageNotFound() from exc
    request.session["flash"] = "The message is deleted."
    return RedirectResponse(f"/settings/integrations/{connection.id}#unmatched", status_code=303)
