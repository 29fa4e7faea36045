"""Sessions, CSRF and access control for the web UI.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS) holding
the user id, when they signed in and a per-session CSRF token. Every POST must echo the token,
as the `csrf_token` form field or the `X-CSRF-Token` header (htmx sends the header).

    LoginRequired   → 303 to /login (htmx: HX-Redirect)
    PageForbidden   → 403 page (bad CSRF token, not an admin)
    PageNotFound    → 404 page (absent, or another organisation's)
"""

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.core.deps import SessionDep
from app.users import service as users_service
from app.users.models import User

SESSION_COOKIE = "ft_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_USER = "uid"
_ISSUED = "iat"
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


class LoginRequired(Exception):
    """No valid session: the browser goes to the sign-in page."""


class PageForbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PageNotFound(Exception):
    """Nothing here for this user (also for another organisation's objects)."""


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token does not match the session's."""
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


def start_session(request: Request, user: User) -> None:
    """Begin a fresh session for `user` (a new CSRF token; nothing carried over)."""
    request.session.clear()
    request.session[_USER] = user.id
    request.session[_ISSUED] = int(time.time())
    csrf_token(request)


def end_session(request: Request) -> None:
    request.session.clear()


def _session_user_id(request: Request) -> str | None:
    user_id = request.session.get(_USER)
    issued = request.session.get(_ISSUED)
    if not isinstance(user_id, str) or not isinstance(issued, int):
        return None
    if time.time() - issued > SESSION_MAX_AGE:
        return None
    return user_id


def current_user(request: Request, session: SessionDep) -> SignedInUser:
    """The signed-in user (redirects to the sign-in page when there is none)."""
    user_id = _session_user_id(request)
    record = users_service.get_user(session, user_id=user_id) if user_id else None
    if record is None:
        end_session(request)
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
