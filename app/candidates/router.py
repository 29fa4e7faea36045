from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from app import audit
from app.candidates import service as candidates_service
from app.candidates.models import Candidate
from app.candidates.schemas import CandidateRead, CandidateStatus, CandidateSummary, CandidateUpsert
from app.core.deps import AsOf, ReadPrincipal, SessionDep, WritePrincipal
from app.core.errors import problem_responses
from app.core.pagination import Page, PageParams, page_params
from app.derivation import flows
from app.events import service as events_service
from app.events.schemas import TimelineRead
from app.events.views import timeline_read
from app.orgs import service as orgs_service
from app.scoring import service as scoring_service
from app.scoring.schemas import FlagRead, ScoreChangeRead
from app.scoring.views import candidate_read, flag_read

router = APIRouter(prefix="/api/v1/candidates", tags=["candidates"])


def load_candidate(
    candidate_id: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    principal: ReadPrincipal,
) -> Candidate:
    """The path's candidate, within the caller's organisation (404 otherwise)."""
    return candidates_service.get_candidate(
        session, org_id=principal.org_id, candidate_id=candidate_id
    )


CurrentCandidate = Annotated[Candidate, Depends(load_candidate)]


@router.post(
    "",
    response_model=CandidateSummary,
    status_code=201,
    responses=problem_responses(
        400, 401, 403, 422, extra={200: {"description": "Updated", "model": CandidateSummary}}
    ),
)
def upsert_candidate(
    body: CandidateUpsert, response: Response, session: SessionDep, principal: WritePrincipal
) -> CandidateSummary:
    """Create or update a candidate by `external_id` (201 created, 200 updated)."""
    result = flows.upsert_candidate(session, org_id=principal.org_id, data=body)
    response.status_code = 201 if result.created else 200
    return CandidateSummary.model_validate(result.candidate)


@router.get(
    "", response_model=Page[CandidateSummary], responses=problem_responses(400, 401, 403, 422)
)
def list_candidates(
    session: SessionDep,
    principal: ReadPrincipal,
    page: Annotated[PageParams, Depends(page_params)],
    external_id: Annotated[str | None, Query(max_length=200)] = None,
    recruiter_external_id: Annotated[str | None, Query(max_length=200)] = None,
    status: CandidateStatus | None = None,
) -> Page[CandidateSummary]:
    """List candidates by external_id; `?external_id=` finds one by the ATS's id."""
    rows, next_cursor = candidates_service.list_candidates(
        session,
        org_id=principal.org_id,
        limit=page.limit,
        cursor=page.cursor,
        external_id=external_id,
        recruiter_external_id=recruiter_external_id,
        status=status,
    )
    return Page[CandidateSummary](
        items=[CandidateSummary.model_validate(c) for c in rows], next_cursor=next_cursor
    )


@router.get(
    "/{candidate_id}", response_model=CandidateRead, responses=problem_responses(401, 403, 404, 422)
)
def get_candidate(candidate: CurrentCandidate, session: SessionDep, as_of: AsOf) -> CandidateRead:
    """Return a candidate with score, band, open flags, breakdown, metrics and next action."""
    evaluation = flows.evaluation_for(session, candidate=candidate, as_of=as_of)
    return candidate_read(evaluation, as_of=as_of)


@router.delete("/{candidate_id}", status_code=204, responses=problem_responses(401, 403, 404))
def erase_candidate(
    candidate_id: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    principal: WritePrincipal,
) -> Response:
    """Erase the candidate with all their events and derived data (right to erasure)."""
    candidate = candidates_service.get_candidate(
        session, org_id=principal.org_id, candidate_id=candidate_id
    )
    candidates_service.erase_candidate(session, candidate=candidate)
    # Only the id: the point of erasure is that nothing about the person stays behind.
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action="candidate.erased",
        target=f"candidate:{candidate_id}",
    )
    return Response(status_code=204)


@router.get(
    "/{candidate_id}/timeline",
    response_model=TimelineRead,
    responses=problem_responses(401, 403, 404, 422),
)
def get_timeline(candidate: CurrentCandidate, session: SessionDep, as_of: AsOf) -> TimelineRead:
    """Return the candidate's events and exchanges in time order, as of `as_of`."""
    settings = orgs_service.get_current_settings(session, org_id=candidate.org_id)
    events, history = events_service.history_for(
        session, candidate=candidate, settings=settings, as_of=as_of
    )
    return timeline_read(candidate, events, history)


@router.get(
    "/{candidate_id}/flags",
    response_model=list[FlagRead],
    responses=problem_responses(401, 403, 404),
)
def list_flags(candidate: CurrentCandidate, session: SessionDep) -> list[FlagRead]:
    """Return every flag ever raised for the candidate, with its status."""
    flows.ensure_derived(session, candidate=candidate)
    return [flag_read(f) for f in scoring_service.list_flags(session, candidate=candidate)]


@router.get(
    "/{candidate_id}/score-history",
    response_model=list[ScoreChangeRead],
    responses=problem_responses(401, 403, 404),
)
def get_score_history(candidate: CurrentCandidate, session: SessionDep) -> list[ScoreChangeRead]:
    """List each change of the candidate's score or band, with the signals that changed."""
    flows.ensure_derived(session, candidate=candidate)
    return [
        ScoreChangeRead(
            at=c.at,
            score=c.score,
            band=c.band,
            previous_score=c.previous_score,
            previous_band=c.previous_band,
            settings_version=c.settings_version,
            reason=c.reason,
            signals_added=c.signals_added,
            signals_removed=c.signals_removed,
        )
        for c in scoring_service.score_history(session, candidate=candidate)
    ]
