from sqlalchemy import select
from sqlalchemy.orm import Session

from app.recruiters.models import Recruiter


def get_by_external_id(session: Session, org_id: str, external_id: str) -> Recruiter | None:
    return session.scalar(
        select(Recruiter).where(Recruiter.org_id == org_id, Recruiter.external_id == external_id)
    )


def list_page(session: Session, org_id: str, *, after: str | None, limit: int) -> list[Recruiter]:
    stmt = select(Recruiter).where(Recruiter.org_id == org_id)
    if after is not None:
        stmt = stmt.where(Recruiter.external_id > after)
    return list(session.scalars(stmt.order_by(Recruiter.external_id).limit(limit)))
