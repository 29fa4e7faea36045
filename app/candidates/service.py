"""Candidates: upsert by external id, look-up, listing and erasure."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.candidates import repository
from app.candidates.models import Candidate
from app.candidates.schemas import CandidateUpsert
from app.core.db_upsert import insert_ignore
from app.core.errors import NotFound
from app.core.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class UpsertedCandidate:
    """A candidate after an upsert, and what changed that derivations depend on."""

    candidate: Candidate
    created: bool
    timezone_changed: bool


def upsert_candidate(
    session: Session,
    *,
    org_id: str,
    data: CandidateUpsert,
    fields_set: set[str] | None = None,
) -> UpsertedCandidate:
    """Create or update a candidate by external_id; only the fields sent change on update.

    Derived state is not touched here: callers go through `derivation.flows.upsert_candidate`
    (or mark the candidate dirty themselves) when it is created or its zone changes.
    """
    assert data.external_id is not None
    created = insert_ignore(
        session,
        Candidate,
        {"org_id": org_id, "external_id": data.external_id, "status": data.status},
        conflict_columns=["org_id", "external_id"],
    )
    candidate = repository.get_by_external_id(session, org_id, data.external_id, for_update=True)
    assert candidate is not None
    changed_timezone = False
    sent = fields_set if fields_set is not None else data.model_fields_set
    for field in sent - {"external_id"}:
        value = getattr(data, field)
        if field == "timezone" and value != candidate.timezone:
            changed_timezone = True
        setattr(candidate, field, value)
    session.flush()
    # Working hours follow the candidate's zone, so their latencies change with it.
    return UpsertedCandidate(
        candidate=candidate,
        created=created,
        timezone_changed=changed_timezone and candidate.event_count > 0,
    )


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
