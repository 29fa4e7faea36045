"""Sessions, CSRF and access control for the web UI.

Who is signed in is decided on the server: a row in `user_sessions` (`users/service.py`). The
browser's cookie is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS)
holding only that session's random token, the CSRF token and a one-shot flash message — no
user id — so logout, a password change or "sign out everywhere" ends a session even for a
copied cookie. Every POST must echo the CSRF token, as the `csrf_token` form field or the
`X-CSRF-Token` header (htmx sends the header).

    LoginRequired   → 303 to /login (htmx: HX-Redirect)
    PageForbidden   → 403 page (bad CSRF token, not an admin)
    PageNotFound    → 404 page (absent, or another organisation's)
    UiDisabled      → 503 page (a weak SECRET_KEY on a non-loopback address)
"""

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.audit import Actor
from app.core.deps import SessionDep
from app.core.settings import Settings, is_loopback
from app.users import service as users_service
from app.users.models import User

SESSION_COOKIE = "ft_session"
SESSION_MAX_AGE = int(users_service.SESSION_LIFETIME.total_seconds())
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_TOKEN = "sid"
_CSRF = "csrf"


@dataclass(frozen=True)
class SignedInUser:
    """The signed-in user as the pages need them (detached from the database session)."""

    id: str
    org_id: str
    email: str
    name: str | None
    role: str
    recruiter_external_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> Actor:
        """How the audit log names this user."""
        return Actor("user", self.id, self.email)


class LoginRequired(Exception):
    """No valid session: the browser goes to the sign-in page."""


class PageForbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PageNotFound(Exception):
    """Nothing here for this user (also for another organisation's objects)."""


class UiDisabled(Exception):
    """The UI refuses to run: sessions signed with a guessable secret could be forged."""


def refuse_weak_secret(request: Request) -> None:
    """Serve no page on a non-loopback address while SECRET_KEY is a placeholder."""
    settings: Settings = request.app.state.settings
    if not settings.secret_is_weak:
        return
    server = request.scope.get("server")
    host = str(server[0]) if server else ""
    if not is_loopback(host):
        raise UiDisabled()


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token does not match the session's.

    Every UI router depends on this, so it also refuses to serve with a weak secret.
    """
    refuse_weak_secret(request)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get(_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise PageForbidden(
            "The form was missing its security token or it has expired. "
            "Reload the page and try again."
        )


def start_session(request: Request, session: Session, user: User) -> None:
    """Begin a fresh server-side session for `user` (a new token and CSRF token)."""
    request.session.clear()
    token = users_service.start_session(
        session,
        user=user,
        address=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    request.session[_TOKEN] = token
    csrf_token(request)


def end_session(request: Request, session: Session | None = None) -> None:
    """Revoke the browser's session on the server (when there is one) and clear the cookie."""
    token = request.session.get(_TOKEN)
    if session is not None and isinstance(token, str) and token:
        users_service.end_session(session, token=token)
    request.session.clear()


def current_user(request: Request, session: SessionDep) -> SignedInUser:
    """The signed-in user (redirects to the sign-in page when there is none)."""
    token = request.session.get(_TOKEN)
    record = (
        users_service.resolve_session(session, token=token)
        if isinstance(token, str) and token
        else None
    )
    if record is None:
        request.session.clear()
        raise LoginRequired()
    user = SignedInUser(
        id=record.id,
        org_id=record.org_id,
        email=record.email,
        name=record.name,
        role=record.role,
        recruiter_external_id=record.recruiter_external_id,
    )
    request.state.user = user
    return user


CurrentUser = Annotated[SignedInUser, Depends(current_user)]


def admin_user(user: CurrentUser) -> SignedInUser:
    if not user.is_admin:
        raise PageForbidden("Only administrators can open this page.")
    return user


AdminUser = Annotated[SignedInUser, Depends(admin_user)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None) -> str:
    """A same-site path to go to after signing in (never another host)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target
