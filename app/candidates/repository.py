from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.core.chunks import chunked


def get(session: Session, org_id: str, candidate_id: str) -> Candidate | None:
    return session.scalar(
        select(Candidate).where(Candidate.org_id == org_id, Candidate.id == candidate_id)
    )


def get_by_external_id(
    session: Session, org_id: str, external_id: str, *, for_update: bool = False
) -> Candidate | None:
    stmt = select(Candidate).where(Candidate.org_id == org_id, Candidate.external_id == external_id)
    if for_update:
        stmt = stmt.with_for_update(key_share=True)
    return session.scalar(stmt)


def get_many_by_external_id(
    session: Session, org_id: str, external_ids: list[str]
) -> dict[str, Candidate]:
    found: dict[str, Candidate] = {}
    for chunk in chunked(external_ids):
        stmt = select(Candidate).where(Candidate.org_id == org_id, Candidate.external_id.in_(chunk))
        found.update({c.external_id: c for c in session.scalars(stmt)})
    return found


def timezones_by_external_id(
    session: Session, org_id: str, external_ids: list[str]
) -> dict[str, str]:
    """The stored zone of each candidate that has one (no lock: read before classifying)."""
    found: dict[str, str] = {}
    for start in range(0, len(external_ids), 500):
        chunk = external_ids[start : start + 500]
        stmt = select(Candidate.external_id, Candidate.timezone).where(
            Candidate.org_id == org_id,
            Candidate.external_id.in_(chunk),
            Candidate.timezone.is_not(None),
        )
        found.update({row.external_id: row.timezone for row in session.execute(stmt)})
    return found


def lock_many(session: Session, org_id: str, candidate_ids: list[str]) -> list[Candidate]:
    """Lock candidates for a rebuild of their derived state and return them.

    FOR NO KEY UPDATE serialises writers of one candidate without conflicting with the
    key-share locks that inserting their events takes; every path locks candidates in
    external_id order, so two writers never wait on each other in a cycle.
    """
    stmt = (
        select(Candidate)
        .where(Candidate.org_id == org_id, Candidate.id.in_(candidate_ids))
        .order_by(Candidate.external_id)
        .with_for_update(key_share=True)
    )
    return list(session.scalars(stmt))


def list_page(
    session: Session,
    org_id: str,
    *,
    after: str | None,
    limit: int,
    external_id: str | None = None,
    recruiter_external_id: str | None = None,
    status: str | None = None,
) -> list[Candidate]:
    stmt = select(Candidate).where(Candidate.org_id == org_id)
    if external_id is not None:
        stmt = stmt.where(Candidate.external_id == external_id)
    if recruiter_external_id is not None:
        stmt = stmt.where(Candidate.recruiter_external_id == recruiter_external_id)
    if status is not None:
        stmt = stmt.where(Candidate.status == status)
    if after is not None:
        stmt = stmt.where(Candidate.external_id > after)
    return list(session.scalars(stmt.order_by(Candidate.external_id).limit(limit)))


def erase(session: Session, candidate: Candidate) -> None:
    """Delete a candidate; their events and every derived row go with them.

    Each table that holds a candidate's rows references `candidates.id` with ON DELETE
    CASCADE (SQLite runs with foreign keys on), so domains above this one need not be named
    here; the erasure test checks each of them is emptied.
    """
    session.execute(delete(Candidate).where(Candidate.id == candidate.id))


def all_ids(session: Session, org_id: str) -> list[str]:
    stmt = select(Candidate.id).where(Candidate.org_id == org_id).order_by(Candidate.id)
    return list(session.scalars(stmt))
