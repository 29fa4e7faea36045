"""SQL for web UI accounts."""

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.users.models import User, UserSession


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def get(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session, org_id: str) -> list[User]:
    return list(session.scalars(select(User).where(User.org_id == org_id).order_by(User.email)))


def count_attempt(session: Session, user_id: str, *, now: datetime) -> int | None:
    """Count one sign-in attempt atomically; None when the account is locked at `now`."""
    statement = (
        update(User)
        .where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=func.coalesce(User.failed_logins, 0) + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    )
    value = session.execute(statement).scalar_one_or_none()
    return int(value) if value is not None else None


def get_session(session: Session, session_id: str) -> UserSession | None:
    return session.get(UserSession, session_id)


def revoke_sessions(
    session: Session, *, now: datetime, session_id: str | None = None, user_id: str | None = None
) -> int:
    statement = update(UserSession).where(UserSession.revoked_at.is_(None))
    if session_id is not None:
        statement = statement.where(UserSession.id == session_id)
    if user_id is not None:
        statement = statement.where(UserSession.user_id == user_id)
    result = session.execute(
        statement.values(revoked_at=now).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_ended_sessions(session: Session, *, user_id: str, now: datetime) -> None:
    session.execute(
        delete(UserSession)
        .where(
            UserSession.user_id == user_id,
            or_(UserSession.expires_at <= now, UserSession.revoked_at.is_not(None)),
        )
        .execution_options(synchronize_session=False)
    )


def count_live_sessions(session: Session, *, user_id: str, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
        )
        or 0
    )
