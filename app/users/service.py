"""Web UI accounts: argon2id hashes, sign-in with a per-account lockout, server-side sessions.

Every attempt counts against the account (`failed_logins`) before the password is checked;
after `MAX_FAILED_LOGINS` failures in a row the account is locked for `LOCKOUT`
(`locked_until`), and no password is checked while it is. A successful sign-in resets the
count. Unknown emails lock the same way (counted outside the database), so the answers never
tell which accounts exist. The per-address and per-email rate limits live in the web layer.

A session is a row in `user_sessions`; the browser holds only a random token whose SHA-256
is the row's id. Logout revokes the row; a password change or "sign out everywhere" revokes
all of a user's rows, so a copied cookie stops working at once.
"""

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.errors import UnprocessableContent, field_error
from app.core.ids import utcnow
from app.core.ratelimit import RateLimiter
from app.users import repository
from app.users.models import User, UserSession

ROLES = ("recruiter", "admin")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)

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
    # The account tried, when the email has one (for the audit log, never for the answer).
    account: User | None = None


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


def _unknown_key(email: str) -> str:
    return "login-unknown/" + hashlib.sha256(email.encode()).hexdigest()


def _fail_unknown(counters: RateLimiter, email: str, now: datetime) -> LoginResult:
    """Count a failure for an email with no account exactly as an account would count it."""
    key = _unknown_key(email)
    failures = counters.count(key + "/failures", expiry_seconds=int(LOCKOUT.total_seconds()))
    if failures >= MAX_FAILED_LOGINS:
        counters.clear(key + "/failures")
        counters.count(key + "/locked", expiry_seconds=int(LOCKOUT.total_seconds()))
        return LoginResult(LoginOutcome.LOCKED, locked_until=now + LOCKOUT)
    return LoginResult(LoginOutcome.INVALID)


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    counters: RateLimiter,
    now: datetime | None = None,
) -> LoginResult:
    """Check an email and password, counting the attempt first and locking after too many.

    The attempt is counted with one atomic `UPDATE … RETURNING` before the password is
    checked, so parallel guesses each see the others (the row lock orders them on
    PostgreSQL); once `MAX_FAILED_LOGINS` are spent the rest are refused unchecked. Emails
    with no account are counted in `counters` (memory or Redis) and lock the same way, and
    cost the same argon2 verification, so the answers do not tell which accounts exist.
    """
    now = now or utcnow()
    email = normalize_email(email)
    user = get_user_by_email(session, email=email)
    if user is None:
        locked, expires = counters.peek(_unknown_key(email) + "/locked")
        if locked:
            return LoginResult(
                LoginOutcome.LOCKED, locked_until=datetime.fromtimestamp(expires, tz=UTC)
            )
        verify_password(_DUMMY_HASH, password)
        return _fail_unknown(counters, email, now)
    attempt = repository.count_attempt(session, user.id, now=now)
    session.refresh(user)
    if attempt is None or attempt > MAX_FAILED_LOGINS:
        locked_until = user.locked_until or now + LOCKOUT
        return LoginResult(LoginOutcome.LOCKED, locked_until=locked_until, account=user)
    if not verify_password(user.password_hash, password):
        if attempt >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            session.flush()
            return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until, account=user)
        return LoginResult(LoginOutcome.INVALID, account=user)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    return LoginResult(LoginOutcome.OK, user=user, account=user)


# --- server-side sessions ---------------------------------------------------------------


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session,
    *,
    user: User,
    now: datetime | None = None,
    address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Open a session for `user`; return its token (the cookie's value; stored only hashed)."""
    now = now or utcnow()
    # Housekeeping: the user's ended sessions have nothing left to check.
    repository.delete_ended_sessions(session, user_id=user.id, now=now)
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=_token_id(token),
            user_id=user.id,
            org_id=user.org_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            address=(address or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return token


def resolve_session(session: Session, *, token: str, now: datetime | None = None) -> User | None:
    """The user of a live session token (None when unknown, expired or revoked)."""
    now = now or utcnow()
    record = repository.get_session(session, _token_id(token))
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    return repository.get(session, record.user_id)


def end_session(session: Session, *, token: str, now: datetime | None = None) -> None:
    """Revoke one session (logout)."""
    repository.revoke_sessions(session, now=now or utcnow(), session_id=_token_id(token))


def end_all_sessions(session: Session, *, user_id: str, now: datetime | None = None) -> int:
    """Revoke every live session of a user ("sign out everywhere"); return how many."""
    return repository.revoke_sessions(session, now=now or utcnow(), user_id=user_id)


def count_live_sessions(session: Session, *, user_id: str, now: datetime | None = None) -> int:
    return repository.count_live_sessions(session, user_id=user_id, now=now or utcnow())


def list_users(session: Session, *, org_id: str) -> list[User]:
    return repository.list_users(session, org_id)


def set_password(session: Session, *, user: User, password: str) -> int:
    """Replace a user's password, lift any lockout and end all their sessions (how many)."""
    _validate_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return end_all_sessions(session, user_id=user.id)
