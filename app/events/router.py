from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from app.candidates import repository as candidates_repository
from app.core.deps import ReadPrincipal, SessionDep, SessionFactoryDep, WritePrincipal
from app.core.errors import AppError, problem_responses
from app.derivation import flows
from app.events import service as events_service
from app.events.schemas import (
    BatchItemResult,
    BatchResult,
    EventBatch,
    EventCreate,
    EventRead,
    EventWriteResult,
)
from app.events.views import event_read

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.post(
    "",
    response_model=EventWriteResult,
    status_code=201,
    responses=problem_responses(
        400,
        401,
        403,
        409,
        413,
        422,
        extra={200: {"description": "Replay of a stored event", "model": EventWriteResult}},
    ),
)
def record_event(
    body: EventCreate,
    factory: SessionFactoryDep,
    principal: WritePrincipal,
) -> Response:
    """Record one contact event (201), or acknowledge an identical replay (200).

    The same `external_id` with different content is a 409. An unknown candidate is a 422
    unless the event carries an inline `candidate`, which is upserted first.
    """
    [outcome] = flows.ingest_events(factory, org_id=principal.org_id, items=[body])
    if outcome.problem is not None:
        raise outcome.problem
    read = event_read(outcome.stored_event(), body.candidate_external_id)
    result = EventWriteResult.model_validate({**dict(read), "created": outcome.created})
    # Serialised once, here: returned as a model, FastAPI would dump, validate and dump it
    # again against `response_model` (which still documents the body).
    return Response(
        result.model_dump_json(), status_code=outcome.status, media_type="application/json"
    )


@router.post(
    "/batch",
    response_model=BatchResult,
    responses=problem_responses(400, 401, 403, 413, 422),
)
def record_event_batch(
    body: EventBatch, factory: SessionFactoryDep, principal: WritePrincipal
) -> BatchResult:
    """Record up to 1000 events; each gets its own result, and a bad one rejects no other."""
    items = events_service.parse_items(body.events)
    outcomes = flows.ingest_events(factory, org_id=principal.org_id, items=items)
    results: list[BatchItemResult] = []
    for position, outcome in enumerate(outcomes):
        raw: Any = body.events[position]
        external_id = outcome.external_id or (
            raw.get("external_id") if isinstance(raw, dict) else None
        )
        if outcome.problem is not None:
            results.append(
                BatchItemResult(
                    status=outcome.problem.status,
                    external_id=external_id if isinstance(external_id, str) else None,
                    problem=_item_problem(outcome.problem),
                )
            )
        else:
            results.append(
                BatchItemResult(
                    status=outcome.status,
                    id=outcome.event_id,
                    external_id=outcome.external_id,
                    created=outcome.created,
                )
            )
    return BatchResult(results=results)


def _item_problem(problem: AppError) -> dict[str, Any]:
    return problem.to_problem()


@router.get("/{event_id}", response_model=EventRead, responses=problem_responses(401, 403, 404))
def get_event(
    event_id: Annotated[str, Path(max_length=64)], session: SessionDep, principal: ReadPrincipal
) -> EventRead:
    """Return one stored event with its intents."""
    event = events_service.get_event(session, org_id=principal.org_id, event_id=event_id)
    candidate = candidates_repository.get(session, principal.org_id, event.candidate_id)
    assert candidate is not None
    return event_read(event, candidate.external_id)
