"""Inbound integrations API: connections, deliveries from providers, unmatched mail."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from app.core.deps import AdminPrincipal, SessionDep, enforce_rate_limit
from app.core.errors import problem_responses
from app.core.ids import utcnow
from app.core.pagination import Page, PageParams, page_params
from app.integrations import service
from app.integrations.base import InboundRequest, read_form
from app.integrations.models import IntegrationConnection
from app.integrations.schemas import (
    DeliveryRead,
    DeliveryResult,
    IntegrationCreate,
    IntegrationCreated,
    IntegrationRead,
    UnmatchedAssign,
    UnmatchedMailRead,
)

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])

ConnectionId = Annotated[str, Path(max_length=64)]


def load_connection(
    connection_id: ConnectionId, session: SessionDep, principal: AdminPrincipal
) -> IntegrationConnection:
    """The path's connection, within the caller's organisation (404 otherwise)."""
    return service.get_connection(session, org_id=principal.org_id, connection_id=connection_id)


CurrentConnection = Annotated[IntegrationConnection, Depends(load_connection)]


def _base_url(request: Request) -> str:
    return str(request.app.state.settings.base_url)


def _secret_key(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def connection_read(
    connection: IntegrationConnection,
    base_url: str,
    stats: tuple[dict[str, Any], dict[str, int]] | None = None,
) -> IntegrationRead:
    counts, unmatched = stats or ({}, {})
    deliveries, last_at = counts.get(connection.id, (0, None))
    return IntegrationRead(
        id=connection.id,
        provider=connection.provider,
        name=connection.name,
        webhook_url=service.webhook_url(base_url, connection.id),
        created_at=connection.created_at,
        deliveries=deliveries,
        last_delivery_at=last_at,
        unmatched=unmatched.get(connection.id, 0),
    )


@router.post(
    "",
    response_model=IntegrationCreated,
    status_code=201,
    responses=problem_responses(400, 401, 403, 422),
)
def create_integration(
    body: IntegrationCreate, request: Request, session: SessionDep, principal: AdminPrincipal
) -> IntegrationCreated:
    """Connect a provider; the answer holds the webhook URL and the secret (shown once)."""
    connection, secret = service.create_connection(
        session,
        org_id=principal.org_id,
        data=body,
        secret_key=_secret_key(request),
        actor=principal,
    )
    read = connection_read(connection, _base_url(request))
    return IntegrationCreated(**read.model_dump(), secret=secret)


@router.get(
    "", response_model=Page[IntegrationRead], responses=problem_responses(400, 401, 403, 422)
)
def list_integrations(
    request: Request,
    session: SessionDep,
    principal: AdminPrincipal,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[IntegrationRead]:
    """List the organisation's connections (never their secrets)."""
    rows, next_cursor = service.list_connections(
        session, org_id=principal.org_id, limit=page.limit, cursor=page.cursor
    )
    stats = service.connection_stats(session, org_id=principal.org_id)
    return Page[IntegrationRead](
        items=[connection_read(c, _base_url(request), stats) for c in rows],
        next_cursor=next_cursor,
    )


@router.get(
    "/{connection_id}", response_model=IntegrationRead, responses=problem_responses(401, 403, 404)
)
def get_integration(
    connection: CurrentConnection, request: Request, session: SessionDep
) -> IntegrationRead:
    """One connection with its delivery count and open unmatched mail (never its secret)."""
    stats = service.connection_stats(session, org_id=connection.org_id)
    return connection_read(connection, _base_url(request), stats)


@router.delete("/{connection_id}", status_code=204, responses=problem_responses(401, 403, 404))
def delete_integration(
    connection: CurrentConnection, session: SessionDep, principal: AdminPrincipal
) -> Response:
    """Disconnect: its URL stops working; events already recorded stay."""
    service.delete_connection(session, connection=connection, actor=principal)
    return Response(status_code=204)


@router.get(
    "/{connection_id}/deliveries",
    response_model=list[DeliveryRead],
    responses=problem_responses(401, 403, 404, 422),
)
def list_deliveries(
    connection: CurrentConnection,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DeliveryRead]:
    """The latest deliveries, newest first, with what each did or why it failed."""
    rows = service.list_deliveries(session, connection=connection, limit=limit)
    return [DeliveryRead.model_validate(r) for r in rows]


async def inbound_request(request: Request) -> InboundRequest:
    """The delivery as received: raw body, headers and (for forms) the fields."""
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    form, form_raw = read_form(headers.get("content-type", ""), body)
    url = _base_url(request).rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return InboundRequest(public_url=url, headers=headers, body=body, form=form, form_raw=form_raw)


@router.post(
    "/{connection_id}/webhook",
    response_model=DeliveryResult,
    openapi_extra={"security": []},
    responses=problem_responses(
        401,
        413,
        429,
        extra={202: {"description": "Kept as unmatched", "model": DeliveryResult}},
    ),
)
def receive_webhook(
    connection_id: ConnectionId,
    session: SessionDep,
    inbound: Annotated[InboundRequest, Depends(inbound_request)],
    request: Request,
) -> JSONResponse:
    """A provider's delivery, authenticated by the provider's own signature (no API key).

    A bad or missing signature (or an unknown connection) is 401 and stores nothing; a
    repeated delivery is 200 and stored once; mail no candidate matches is 202 and kept;
    payloads we cannot use are logged and answered 200, so the provider keeps the hook on.
    More than `RATE_LIMIT_INTEGRATION` deliveries to one connection is 429 with `Retry-After`
    (providers retry), counted before anything is read from the database.
    """
    limit = request.app.state.settings.rate_limit_integration
    enforce_rate_limit(request, limit, "integration", connection_id, "This connection")
    connection = service.load_connection(session, connection_id=connection_id)
    outcome = service.receive_delivery(
        session,
        connection=connection,
        request=inbound,
        secret_key=_secret_key(request),
        now=utcnow(),
    )
    result = DeliveryResult(
        status=outcome.status,
        delivery_id=outcome.delivery_id,
        events=outcome.events,
        unmatched_id=outcome.unmatched_id,
        detail=outcome.detail,
    )
    return JSONResponse(result.model_dump(mode="json"), status_code=outcome.http_status)


@router.get(
    "/{connection_id}/unmatched",
    response_model=Page[UnmatchedMailRead],
    responses=problem_responses(400, 401, 403, 404, 422),
)
def list_unmatched(
    connection: CurrentConnection,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    include_assigned: bool = False,
) -> Page[UnmatchedMailRead]:
    """Mail that matched no candidate, newest first; assign it to record it."""
    rows, next_cursor = service.list_unmatched(
        session,
        connection=connection,
        include_assigned=include_assigned,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[UnmatchedMailRead](
        items=[UnmatchedMailRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.post(
    "/{connection_id}/unmatched/{mail_id}/assign",
    response_model=UnmatchedMailRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def assign_unmatched(
    connection: CurrentConnection,
    mail_id: Annotated[str, Path(max_length=64)],
    body: UnmatchedAssign,
    session: SessionDep,
) -> UnmatchedMailRead:
    """Record a kept message as the chosen candidate's event (`candidate_id` or external id)."""
    row = service.assign_unmatched(
        session, connection=connection, mail_id=mail_id, data=body, now=utcnow()
    )
    return UnmatchedMailRead.model_validate(row)


@router.delete(
    "/{connection_id}/unmatched/{mail_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404),
)
def dismiss_unmatched(
    connection: CurrentConnection,
    mail_id: Annotated[str, Path(max_length=64)],
    session: SessionDep,
) -> Response:
    """Delete a kept message that is about no candidate (spam, a newsletter)."""
    service.dismiss_unmatched(session, connection=connection, mail_id=mail_id)
    return Response(status_code=204)
