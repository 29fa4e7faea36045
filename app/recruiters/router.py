from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.core.deps import ReadPrincipal, SessionDep, WritePrincipal
from app.core.errors import problem_responses
from app.core.pagination import Page, PageParams, page_params
from app.recruiters import service as recruiters_service
from app.recruiters.schemas import RecruiterRead, RecruiterUpsert

router = APIRouter(prefix="/api/v1/recruiters", tags=["recruiters"])


@router.post(
    "",
    response_model=RecruiterRead,
    status_code=201,
    responses=problem_responses(
        400, 401, 403, 422, extra={200: {"description": "Updated", "model": RecruiterRead}}
    ),
)
def upsert_recruiter(
    body: RecruiterUpsert, response: Response, session: SessionDep, principal: WritePrincipal
) -> RecruiterRead:
    """Create or update a recruiter by `external_id` (201 created, 200 updated)."""
    recruiter, created = recruiters_service.upsert_recruiter(
        session, org_id=principal.org_id, data=body
    )
    response.status_code = 201 if created else 200
    return RecruiterRead.model_validate(recruiter)


@router.get("", response_model=Page[RecruiterRead], responses=problem_responses(400, 401, 403))
def list_recruiters(
    session: SessionDep,
    principal: ReadPrincipal,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[RecruiterRead]:
    """List the organisation's recruiters by external_id."""
    rows, next_cursor = recruiters_service.list_recruiters(
        session, org_id=principal.org_id, limit=page.limit, cursor=page.cursor
    )
    return Page[RecruiterRead](
        items=[RecruiterRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )
