"""SQL for dirty marks: mark, claim, clear."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.core.chunks import chunked
from app.derivation.models import DirtyCandidate


def mark(
    session: Session,
    org_id: str,
    candidate_ids: list[str],
    now: datetime,
    affected_from: Mapping[str, datetime | None] | None = None,
) -> None:
    """Mark candidates dirty; one statement, rows in id order (the order of every lock).

    `affected_from` gives, per candidate, the earliest instant the change can affect; a
    candidate missing from it (or None) is rebuilt from the beginning. An existing mark
    keeps the earlier of the two instants, and "from the beginning" wins.
    """
    if not candidate_ids:
        return
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = module.insert(DirtyCandidate)
    old, new = DirtyCandidate.affected_from, stmt.excluded.affected_from
    stmt = stmt.on_conflict_do_update(
        index_elements=["candidate_id"],
        set_={
            "generation": DirtyCandidate.generation + 1,
            "affected_from": case(
                (or_(old.is_(None), new.is_(None)), None), (new < old, new), else_=old
            ),
        },
    )
    since = affected_from or {}
    rows = [
        {
            "candidate_id": cid,
            "org_id": org_id,
            "marked_at": now,
            "generation": 1,
            "affected_from": since.get(cid),
        }
        for cid in sorted(set(candidate_ids))
    ]
    session.execute(stmt, rows)


@dataclass(frozen=True)
class Mark:
    """A dirty mark as read before deriving: what to clear, and what may be kept."""

    generation: int
    affected_from: datetime | None


def read_marks(session: Session, candidate_ids: list[str]) -> dict[str, Mark]:
    if not candidate_ids:
        return {}
    stmt = select(
        DirtyCandidate.candidate_id, DirtyCandidate.generation, DirtyCandidate.affected_from
    ).where(DirtyCandidate.candidate_id.in_(candidate_ids))
    return {
        row.candidate_id: Mark(row.generation, row.affected_from) for row in session.execute(stmt)
    }


def generations(session: Session, candidate_ids: list[str]) -> dict[str, int]:
    return {cid: m.generation for cid, m in read_marks(session, candidate_ids).items()}


def clear(session: Session, marks: dict[str, int]) -> None:
    """Delete the marks that still carry the generation read before deriving.

    On PostgreSQL the rows are first locked in candidate id order, the order `mark` upserts
    them in: a writer marking some of the same candidates meanwhile then waits instead of
    deadlocking with this delete (whose own lock order is the table's scan order).
    """
    if not marks:
        return
    if session.get_bind().dialect.name == "postgresql":
        for chunk in chunked(sorted(marks)):
            session.execute(
                select(DirtyCandidate.candidate_id)
                .where(DirtyCandidate.candidate_id.in_(chunk))
                .order_by(DirtyCandidate.candidate_id)
                .with_for_update()
            )
    conditions = [
        and_(DirtyCandidate.candidate_id == cid, DirtyCandidate.generation == gen)
        for cid, gen in sorted(marks.items())
    ]
    for start in range(0, len(conditions), 200):
        session.execute(delete(DirtyCandidate).where(or_(*conditions[start : start + 200])))


def oldest(session: Session, limit: int, org_id: str | None = None) -> list[tuple[str, str]]:
    """(org_id, candidate_id) of the longest-waiting marks."""
    stmt = select(DirtyCandidate.org_id, DirtyCandidate.candidate_id)
    if org_id is not None:
        stmt = stmt.where(DirtyCandidate.org_id == org_id)
    stmt = stmt.order_by(DirtyCandidate.marked_at, DirtyCandidate.candidate_id).limit(limit)
    return [(row.org_id, row.candidate_id) for row in session.execute(stmt)]


def lock_candidates(
    session: Session, org_id: str, candidate_ids: list[str], *, skip_locked: bool
) -> list[Candidate]:
    """Lock candidates for derivation (external_id order); skip those another deriver holds."""
    stmt = (
        select(Candidate)
        .where(Candidate.org_id == org_id, Candidate.id.in_(candidate_ids))
        .order_by(Candidate.external_id)
        .with_for_update(key_share=True, skip_locked=skip_locked)
    )
    return list(session.scalars(stmt))


def pending(session: Session, org_id: str) -> tuple[int, datetime | None]:
    """How many of the org's candidates wait for derivation, and since when."""
    stmt = select(func.count(), func.min(DirtyCandidate.marked_at)).where(
        DirtyCandidate.org_id == org_id
    )
    count, since = session.execute(stmt).one()
    return int(count or 0), since


def is_dirty(session: Session, candidate_id: str) -> bool:
    stmt = select(DirtyCandidate.candidate_id).where(DirtyCandidate.candidate_id == candidate_id)
    return session.scalar(stmt) is not None


def claim(
    session: Session, *, limit: int, org_id: str | None = None, skip_locked: bool = True
) -> list[Candidate]:
    """Lock up to `limit` dirty candidates, longest waiting first.

    On PostgreSQL, candidates another deriver holds are skipped (SKIP LOCKED fills the limit
    from the rest), so several workers and replicas split the work and never wait on each
    other; FOR NO KEY UPDATE does not conflict with the key-share locks event inserts take.
    """
    stmt = select(Candidate).join(DirtyCandidate, DirtyCandidate.candidate_id == Candidate.id)
    if org_id is not None:
        stmt = stmt.where(DirtyCandidate.org_id == org_id)
    stmt = (
        stmt.order_by(DirtyCandidate.marked_at, DirtyCandidate.candidate_id)
        .limit(limit)
        .with_for_update(of=Candidate, key_share=True, skip_locked=skip_locked)
    )
    return list(session.scalars(stmt))


def count_all(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(DirtyCandidate)) or 0)
