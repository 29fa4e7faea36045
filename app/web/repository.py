"""Read-only SQL the recruiter UI needs beyond what the domains offer: filter choices and the
"waiting on us" count. Every query is scoped to one organisation."""

from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.candidates.models import Candidate
from app.events import repository as events_repository
from app.events.models import Event
from app.recruiters.models import Recruiter
from app.scoring.models import CandidateScore


def recruiter_choices(session: Session, org_id: str) -> list[tuple[str, str | None]]:
    """(external_id, name) of every recruiter known or named on a candidate, by name."""
    known = {
        r.external_id: r.name
        for r in session.scalars(select(Recruiter).where(Recruiter.org_id == org_id))
    }
    on_candidates = session.scalars(
        select(Candidate.recruiter_external_id)
        .where(Candidate.org_id == org_id, Candidate.recruiter_external_id.is_not(None))
        .distinct()
    )
    ids = set(known) | {i for i in on_candidates if i}
    return sorted(((i, known.get(i)) for i in ids), key=lambda r: ((r[1] or r[0]).lower(), r[0]))


def stage_choices(session: Session, org_id: str) -> list[str]:
    stmt = (
        select(Candidate.stage)
        .where(Candidate.org_id == org_id, Candidate.stage.is_not(None))
        .distinct()
        .order_by(Candidate.stage)
    )
    return [s for s in session.scalars(stmt) if s]


def count_waiting_on_us(
    session: Session, org_id: str, *, as_of: datetime, recruiter_external_id: str | None
) -> int:
    """Active candidates who wait on the recruiting side, or whose promised update is overdue.

    Waiting: the mirror clock is open (`waiting_since`) or the stored evaluation counts
    business hours on it. Overdue: an outbound `promised_by` before `as_of` with no later
    outbound event (contract section 3, mirror view).
    """
    promise = aliased(Event)
    overdue_promise = exists().where(
        promise.candidate_id == Candidate.id,
        events_repository.overdue_promise_clause(promise, org_id=org_id, as_of=as_of),
    )
    waiting_hours = CandidateScore.metrics["waiting_on_us_business_hours"].as_float()
    stmt = (
        select(func.count())
        .select_from(Candidate)
        .outerjoin(CandidateScore, CandidateScore.candidate_id == Candidate.id)
        .where(
            Candidate.org_id == org_id,
            Candidate.status == "active",
            or_(
                and_(Candidate.waiting_since.is_not(None), Candidate.waiting_since <= as_of),
                waiting_hours > 0,
                overdue_promise,
            ),
        )
    )
    if recruiter_external_id is not None:
        stmt = stmt.where(Candidate.recruiter_external_id == recruiter_external_id)
    return int(session.scalar(stmt) or 0)
