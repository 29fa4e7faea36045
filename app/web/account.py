"""Account pages: your own password; for administrators, people and their sessions, and the
audit log."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app import audit
from app.audit import service as audit_service
from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.users import service as users_service
from app.web.security import (
    AdminUser,
    CurrentUser,
    PageNotFound,
    start_session,
    verify_csrf,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

AUDIT_PAGE_SIZE = 50
# The families the audit page offers as filters (any recorded action still shows).
AUDIT_FAMILIES = ("flag", "settings", "api_key", "candidate", "user", "integration", "webhook")
PasswordField = Annotated[str, Form(max_length=1024)]


def _account_context(error: str | None = None) -> dict[str, object]:
    return {"error": error, "min_length": users_service.MIN_PASSWORD_LENGTH}


@router.get("/account", name="web-account")
def account_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(request, "account.html", _account_context())


@router.post("/account/password", response_model=None)
def change_password(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    *,
    current_password: PasswordField = "",
    new_password: PasswordField = "",
    confirm_password: PasswordField = "",
) -> HTMLResponse | RedirectResponse:
    """Change your own password: every other session ends; this browser stays signed in."""
    limiter: RateLimiter = request.app.state.rate_limiter
    settings: Settings = request.app.state.settings
    # Counted before the check, like sign-ins: a stolen session cannot guess the password.
    state = limiter.hit(settings.rate_limit_login_account, "password-change", user.id)
    if not state.allowed:
        error = f"Too many attempts; try again in {state.reset_seconds} s."
        return render(request, "account.html", _account_context(error), status_code=429)
    account = users_service.get_user(session, user_id=user.id)
    if account is None or not users_service.verify_password(
        account.password_hash, current_password
    ):
        error = "Your current password is not right."
        return render(request, "account.html", _account_context(error), status_code=403)
    if new_password != confirm_password:
        error = "The new password and its confirmation differ."
        return render(request, "account.html", _account_context(error), status_code=422)
    try:
        ended = users_service.set_password(session, user=account, password=new_password)
    except AppError as exc:
        return render(request, "account.html", _account_context(exc.detail), status_code=422)
    audit.record(
        session,
        org_id=user.org_id,
        actor=user.actor,
        action="user.password_changed",
        target=f"user:{user.id}",
        detail={"email": user.email, "sessions": ended, "by": "self"},
    )
    start_session(request, session, account)
    request.session["flash"] = (
        "Your password is changed; your sessions on other devices have ended."
    )
    return RedirectResponse("/account", status_code=303)


@router.get("/settings/users", name="web-users")
def users_page(request: Request, session: SessionDep, user: AdminUser) -> HTMLResponse:
    people = [
        (person, users_service.count_live_sessions(session, user_id=person.id))
        for person in users_service.list_users(session, org_id=user.org_id)
    ]
    return render(request, "users.html", {"people": people})


@router.post("/settings/users/{user_id}/sign-out")
def sign_out_user(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    user_id: Annotated[str, Path(max_length=64)],
) -> RedirectResponse:
    """End every session of one person of the organisation (a lost laptop, a leaver)."""
    person = users_service.get_user(session, user_id=user_id)
    if person is None or person.org_id != user.org_id:
        raise PageNotFound()
    ended = users_service.end_all_sessions(session, user_id=person.id)
    audit.record(
        session,
        org_id=user.org_id,
        actor=user.actor,
        action="user.signed_out_everywhere",
        target=f"user:{person.id}",
        detail={"email": person.email, "sessions": ended},
    )
    if person.id == user.id:
        request.session.clear()
        request.session["flash"] = f"You have signed out everywhere ({ended} session(s) ended)."
        return RedirectResponse("/login", status_code=303)
    request.session["flash"] = f"{person.email} is signed out everywhere ({ended} session(s))."
    return RedirectResponse("/settings/users", status_code=303)


@router.get("/settings/audit", name="web-audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    action: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> HTMLResponse:
    family = action if action in AUDIT_FAMILIES else None
    try:
        rows, next_cursor = audit_service.list_events(
            session,
            org_id=user.org_id,
            filters=audit_service.AuditFilters(action=family),
            limit=AUDIT_PAGE_SIZE,
            cursor=cursor or None,
        )
    except AppError:  # a tampered cursor: start again from the newest
        rows, next_cursor = audit_service.list_events(
            session,
            org_id=user.org_id,
            filters=audit_service.AuditFilters(action=family),
            limit=AUDIT_PAGE_SIZE,
        )
    query = {"action": family or ""}
    return render(
        request,
        "audit.html",
        {
            "rows": rows,
            "families": AUDIT_FAMILIES,
            "selected": family or "",
            "next_url": "/settings/audit?" + urlencode({**query, "cursor": next_cursor})
            if next_cursor
            else None,
        },
    )
