"""Candidates: upsert by external id, look-up, listing and erasure."""

from sqlalchemy.orm import Session

from app.candidates import repository
from app.candidates.models import Candidate
from app.candidates.schemas import CandidateUpsert
from app.core.db_upsert import insert_ignore
from app.core.errors import NotFound
from app.core.pagination import decode_cursor, encode_cursor


def upsert_candidate(
    session: Session,
    *,
    org_id: str,
    data: CandidateUpsert,
    fields_set: set[str] | None = None,
) -> tuple[Candidate, bool]:
    """Create or update a candidate by external_id; only the fields sent change on update."""
    assert data.external_id is not None
    created = insert_ignore(
        session,
        Candidate,
        {"org_id": org_id, "external_id": data.external_id, "status": data.status},
        conflict_columns=["org_id", "external_id"],
    )
    candidate = repository.get_by_external_id(session, org_id, data.external_id, for_update=True)
    assert candidate is not None
    if created:
        from app.scoring import service as scoring_service

        scoring_service.add_placeholder_score(session, candidate=candidate)
    changed_timezone = False
    sent = fields_set if fields_set is not None else data.model_fields_set
    for field in sent - {"external_id"}:
        value = getattr(data, field)
        if field == "timezone" and value != candidate.timezone:
            changed_timezone = True
        setattr(candidate, field, value)
    session.flush()
    if changed_timezone and candidate.event_count:
        from app.events import service as events_service

        # Working hours follow the candidate's zone, so their latencies change with it.
        events_service.refresh_candidates(session, org_id=org_id, candidate_ids=[candidate.id])
    return candidate, created


def get_candidate(session: Session, *, org_id: str, candidate_id: str) -> Candidate:
    candidate = repository.get(session, org_id, candidate_id)
    if candidate is None:
        raise NotFound("No such candidate.")
    return candidate


def list_candidates(
    session: Session,
    *,
    org_id: str,
    limit: int,
    cursor: str | None,
    external_id: str | None = None,
    recruiter_external_id: str | None = None,
    status: str | None = None,
) -> tuple[list[Candidate], str | None]:
    after = decode_cursor(cursor, types=(str,))[0] if cursor else None
    rows = repository.list_page(
        session,
        org_id,
        after=after,
        limit=limit + 1,
        external_id=external_id,
        recruiter_external_id=recruiter_external_id,
        status=status,
    )
    next_cursor = encode_cursor([rows[limit - 1].external_id]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def erase_candidate(session: Session, *, candidate: Candidate) -> None:
    """Erase a candidate with every event and everything derived from them."""
    repository.erase(session, candidate)
