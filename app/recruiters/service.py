from sqlalchemy.orm import Session

from app.core.db_upsert import insert_ignore
from app.core.pagination import decode_cursor, encode_cursor
from app.recruiters import repository
from app.recruiters.models import Recruiter
from app.recruiters.schemas import RecruiterUpsert


def upsert_recruiter(
    session: Session, *, org_id: str, data: RecruiterUpsert
) -> tuple[Recruiter, bool]:
    """Create or update a recruiter by external_id; return (recruiter, created)."""
    created = insert_ignore(
        session,
        Recruiter,
        {"org_id": org_id, "external_id": data.external_id, "name": data.name},
        conflict_columns=["org_id", "external_id"],
    )
    recruiter = repository.get_by_external_id(session, org_id, data.external_id)
    assert recruiter is not None
    for field, value in data.model_dump(exclude_unset=True, exclude={"external_id"}).items():
        setattr(recruiter, field, value)
    session.flush()
    return recruiter, created


def list_recruiters(
    session: Session, *, org_id: str, limit: int, cursor: str | None
) -> tuple[list[Recruiter], str | None]:
    after = decode_cursor(cursor, types=(str,))[0] if cursor else None
    rows = repository.list_page(session, org_id, after=after, limit=limit + 1)
    next_cursor = encode_cursor([rows[limit - 1].external_id]) if len(rows) > limit else None
    return rows[:limit], next_cursor
