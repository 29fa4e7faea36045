"""SQL for web UI accounts."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.users.models import User


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def get(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)
