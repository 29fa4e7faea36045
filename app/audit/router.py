from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.audit import service as audit_service
from app.audit.schemas import AuditEventRead
from app.core.deps import AdminPrincipal, SessionDep
from app.core.errors import UnprocessableContent, field_error, problem_responses
from app.core.pagination import Page, PageParams, page_params
from app.core.timestamps import require_aware

router = APIRouter(prefix="/api/v1", tags=["audit"])

Since = Annotated[
    datetime | None, Query(description="Only events at or after this instant (with offset).")
]
Until = Annotated[datetime | None, Query(description="Only events before this instant.")]


def _instant(value: datetime | None, *, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return require_aware(value, field=field)
    except OverflowError as exc:  # year 1 with a positive offset has no UTC instant
        raise UnprocessableContent(
            f"{field} is out of range.", errors=[field_error(f"query.{field}", "out of range")]
        ) from exc


@router.get(
    "/audit",
    response_model=Page[AuditEventRead],
    responses=problem_responses(400, 401, 403, 422, 429),
)
def list_audit_events(
    session: SessionDep,
    principal: AdminPrincipal,
    page: Annotated[PageParams, Depends(page_params)],
    action: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=r"^[a-z_.]+$",
            description='An action ("flag.dismissed") or its family ("flag").',
        ),
    ] = None,
    actor_id: Annotated[
        str | None, Query(max_length=64, description="A user id or an API key id.")
    ] = None,
    since: Since = None,
    until: Until = None,
) -> Page[AuditEventRead]:
    """Who did what in the organisation, newest first: flag decisions, settings changes, API
    keys, erasures, sign-ins and sign-outs."""
    filters = audit_service.AuditFilters(
        action=action,
        actor_id=actor_id,
        since=_instant(since, field="since"),
        until=_instant(until, field="until"),
    )
    rows, next_cursor = audit_service.list_events(
        session, org_id=principal.org_id, filters=filters, limit=page.limit, cursor=page.cursor
    )
    return Page[AuditEventRead](
        items=[AuditEventRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )
