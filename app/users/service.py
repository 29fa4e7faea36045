"""Web UI accounts: creation with argon2id hashes, sign-in with a per-account lockout.

A wrong password counts against the account (`failed_logins`); after `MAX_FAILED_LOGINS` in a
row the account is locked for `LOCKOUT` (`locked_until`), and no password is checked while it
is. A successful sign-in resets the count. The per-address limiter lives in `web/throttle.py`.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.errors import UnprocessableContent, field_error
from app.core.ids import utcnow
from app.users import repository
from app.users.models import User

ROLES = ("recruiter", "admin")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

# argon2-cffi's defaults are argon2id with the RFC 9106 low-memory profile.
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class LoginOutcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in attempt; `user` is set only when it succeeded."""

    outcome: LoginOutcome
    user: User | None = None
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its stored argon2 hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _validate_email(email: str) -> None:
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        raise UnprocessableContent(
            "The email address is not valid.",
            errors=[field_error("email", "not a valid email address")],
        )
    if len(email) > 320:
        raise UnprocessableContent(
            "The email address is too long.", errors=[field_error("email", "too long")]
        )


def _validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UnprocessableContent(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            errors=[field_error("password", f"at least {MIN_PASSWORD_LENGTH} characters")],
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UnprocessableContent(
            "The password is too long.", errors=[field_error("password", "too long")]
        )


def get_user_by_email(session: Session, *, email: str) -> User | None:
    return repository.get_by_email(session, normalize_email(email))


def get_user(session: Session, *, user_id: str) -> User | None:
    return repository.get(session, user_id)


def create_user(
    session: Session,
    *,
    org_id: str,
    email: str,
    password: str,
    role: str = "recruiter",
    name: str | None = None,
    recruiter_external_id: str | None = None,
) -> User:
    """Create a web UI account with an argon2id password hash."""
    email = normalize_email(email)
    _validate_email(email)
    _validate_password(password)
    if role not in ROLES:
        raise UnprocessableContent(
            f"The role must be one of {', '.join(ROLES)}.",
            errors=[field_error("role", "recruiter or admin")],
        )
    duplicate = UnprocessableContent(
        "A user with this email address already exists.",
        errors=[field_error("email", "already in use")],
    )
    if get_user_by_email(session, email=email) is not None:
        raise duplicate
    user = User(
        org_id=org_id,
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        recruiter_external_id=recruiter_external_id or None,
        failed_logins=0,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as exc:  # a concurrent create won the race for the email
        raise duplicate from exc
    return user


def authenticate(
    session: Session, *, email: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check an email and password, counting failures and locking the account after too many."""
    now = now or utcnow()
    user = get_user_by_email(session, email=email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return LoginResult(LoginOutcome.INVALID)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until)
    if not verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            session.flush()
            return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until)
        session.flush()
        return LoginResult(LoginOutcome.INVALID)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    return LoginResult(LoginOutcome.OK, user=user)


def set_password(session: Session, *, user: User, password: str) -> None:
    """Replace a user's password (and lift any lockout)."""
    _validate_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
