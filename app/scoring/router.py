from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from app import audit
from app.candidates.schemas import CandidateStatus
from app.core.deps import AsOf, ReadPrincipal, SessionDep, WritePrincipal
from app.core.errors import problem_responses
from app.core.pagination import Page, PageParams, page_params
from app.derivation import flows
from app.scoring import service as scoring_service
from app.scoring.schemas import Band, FlagDismiss, FlagRead, NextActionRead
from app.scoring.signals import NEGATIVE_CODES
from app.scoring.views import flag_read

router = APIRouter(prefix="/api/v1", tags=["scoring"])

FLAG_CODES = NEGATIVE_CODES


class PipelineItem(BaseModel):
    candidate_id: str
    external_id: str
    name: str | None
    recruiter_external_id: str | None
    job: str | None
    stage: str | None
    status: str
    score: int | None
    band: Band
    flags: list[str]
    last_inbound_at: datetime | None
    last_outbound_at: datetime | None
    median_reply_business_hours: float | None
    waiting_on_us_business_hours: float
    next_action: NextActionRead | None


class PipelinePage(Page[PipelineItem]):
    derived_at: datetime = Field(
        description="Every event acknowledged before this instant is reflected in the ranking "
        "(now, unless derivation is behind)."
    )
    pending_derivations: int = Field(
        description="Candidates whose latest events are not reflected yet (derived in seconds)."
    )


@router.get(
    "/pipeline",
    response_model=PipelinePage,
    responses=problem_responses(400, 401, 403, 422),
)
def get_pipeline(
    session: SessionDep,
    principal: ReadPrincipal,
    as_of: AsOf,
    page: Annotated[PageParams, Depends(page_params)],
    recruiter_external_id: Annotated[str | None, Query(max_length=200)] = None,
    band: Band | None = None,
    flag: Annotated[str | None, Query(pattern="^(" + "|".join(FLAG_CODES) + ")$")] = None,
    stage: Annotated[str | None, Query(max_length=100)] = None,
    status: CandidateStatus = "active",
    q: Annotated[str | None, Query(max_length=100, description="Search by name")] = None,
) -> PipelinePage:
    """Rank candidates least responsive first, with score, band, open flags and next action.

    Ranks reflect events within seconds of their acknowledgement; `derived_at` says up to
    when, and `pending_derivations` how many candidates are still being brought up to date.
    """
    freshness = flows.catch_up(session, org_id=principal.org_id)
    rows, next_cursor = scoring_service.pipeline(
        session,
        org_id=principal.org_id,
        as_of=as_of,
        limit=page.limit,
        cursor=page.cursor,
        recruiter_external_id=recruiter_external_id,
        band=band,
        flag=flag,
        stage=stage,
        status=status,
        search=q,
    )
    items = [
        PipelineItem(
            candidate_id=c.id,
            external_id=c.external_id,
            name=c.name,
            recruiter_external_id=c.recruiter_external_id,
            job=c.job,
            stage=c.stage,
            status=c.status,
            score=s.score,
            band=s.band,
            flags=s.flag_codes.split(),
            last_inbound_at=c.last_inbound_at,
            last_outbound_at=c.last_outbound_at,
            median_reply_business_hours=s.median_reply_business_hours,
            waiting_on_us_business_hours=float(m.get("waiting_on_us_business_hours") or 0),
            next_action=NextActionRead.model_validate(s.next_action) if s.next_action else None,
        )
        for c, s, m in ((row.candidate, row.score, row.metrics) for row in rows)
    ]
    return PipelinePage(
        items=items,
        next_cursor=next_cursor,
        derived_at=freshness.derived_at,
        pending_derivations=freshness.pending,
    )


@router.post(
    "/flags/{flag_id}/dismiss",
    response_model=FlagRead,
    responses=problem_responses(401, 403, 404, 422),
)
def dismiss_flag(
    flag_id: Annotated[str, Path(max_length=64)],
    body: FlagDismiss,
    session: SessionDep,
    principal: WritePrincipal,
) -> FlagRead:
    """Dismiss a flag with a reason; it never returns for the same evidence."""
    flag = scoring_service.get_flag(session, org_id=principal.org_id, flag_id=flag_id)
    changed = scoring_service.set_flag_status(
        session, flag=flag, status="dismissed", reason=body.reason
    )
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action="flag.dismissed",
        target=f"flag:{flag.id}",
        detail={"candidate_id": flag.candidate_id, "code": flag.code, "reason": body.reason},
    )
    return flag_read(changed)


@router.post(
    "/flags/{flag_id}/acknowledge",
    response_model=FlagRead,
    responses=problem_responses(401, 403, 404),
)
def acknowledge_flag(
    flag_id: Annotated[str, Path(max_length=64)], session: SessionDep, principal: WritePrincipal
) -> FlagRead:
    """Acknowledge a flag: the recruiter has seen it; it stays until the behaviour clears."""
    flag = scoring_service.get_flag(session, org_id=principal.org_id, flag_id=flag_id)
    changed = scoring_service.set_flag_status(
        session, flag=flag, status="acknowledged", reason=None
    )
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action="flag.acknowledged",
        target=f"flag:{flag.id}",
        detail={"candidate_id": flag.candidate_id, "code": flag.code},
    )
    return flag_read(changed)
