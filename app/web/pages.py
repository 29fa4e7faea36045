"""Recruiter pages: sign-in, the pipeline, a candidate, and acting on flags."""

import hashlib
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import audit
from app.audit import Actor
from app.core.deps import SessionDep
from app.core.errors import NotFound
from app.core.ids import utcnow
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.scoring.labels import BAND_LABELS
from app.scoring.router import FLAG_CODES
from app.users import service as users_service
from app.users.service import LoginOutcome
from app.web import service as web_service
from app.web import views
from app.web.security import (
    CurrentUser,
    LoginRequired,
    PageNotFound,
    SignedInUser,
    client_address,
    current_user,
    end_session,
    safe_next,
    start_session,
    verify_csrf,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

Text = Annotated[str | None, Query(max_length=200)]


async def form_data(request: Request) -> FormData:
    """The submitted form, read once (handlers stay synchronous)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def page_now(request: Request) -> datetime:
    """The instant pages are computed as of: now, unless the app pins a clock (tests, demos)."""
    clock = getattr(request.app.state, "web_clock", None)
    return clock() if clock is not None else utcnow()


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- signing in and out -----------------------------------------------------------------


@router.get("/login", name="web-login")
def login_form(
    request: Request, next_path: Annotated[str | None, Query(alias="next")] = None
) -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next_path), "error": None, "email": ""})


def _too_many(request: Request, context: dict[str, Any], retry_after: int) -> HTMLResponse:
    minutes = max(1, -(-retry_after // 60))
    error = f"Too many sign-in attempts. Wait {minutes} minute(s) and try again."
    response = render(request, "login.html", {**context, "error": error}, status_code=429)
    response.headers["Retry-After"] = str(max(1, retry_after))
    return response


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    limiter: RateLimiter = request.app.state.rate_limiter
    settings: Settings = request.app.state.settings
    address = client_address(request)
    account_key = hashlib.sha256(users_service.normalize_email(email).encode()).hexdigest()
    context: dict[str, Any] = {"next": safe_next(next_path), "email": email}
    # Counted before any check, so parallel attempts cannot all pass one reading.
    for limit, kind, key in (
        (settings.rate_limit_login_address, "login-address", address),
        (settings.rate_limit_login_account, "login-account", account_key),
    ):
        state = limiter.hit(limit, kind, key)
        if not state.allowed:
            return _too_many(request, context, state.reset_seconds)
    result = users_service.authenticate(session, email=email, password=password, counters=limiter)
    account = result.account
    if result.outcome is LoginOutcome.OK and result.user is not None:
        # The per-address limit counts failures: a good sign-in gives its attempt back.
        limiter.refund(settings.rate_limit_login_address, "login-address", address)
        start_session(request, session, result.user)
        audit.record(
            session,
            org_id=result.user.org_id,
            actor=Actor("user", result.user.id, result.user.email),
            action="user.signed_in",
            detail={"address": address},
        )
        return _see_other(safe_next(next_path))
    if account is not None:
        audit.record(
            session,
            org_id=account.org_id,
            actor=Actor("user", account.id, account.email),
            action="user.sign_in_failed",
            detail={"address": address, "locked": result.outcome is LoginOutcome.LOCKED},
        )
    if result.outcome is LoginOutcome.LOCKED:
        error = (
            "Too many failed sign-ins for this account. It is locked for 15 minutes; "
            "try again later."
        )
        return render(request, "login.html", {**context, "error": error}, status_code=429)
    error = "Wrong email or password."
    return render(request, "login.html", {**context, "error": error}, status_code=401)


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> RedirectResponse:
    user = _signed_in_or_none(request, session)
    end_session(request, session)
    if user is not None:
        audit.record(session, org_id=user.org_id, actor=user.actor, action="user.signed_out")
    request.session["flash"] = "You have signed out."
    return _see_other("/login")


@router.post("/sign-out-everywhere")
def sign_out_everywhere(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """End every session of the signed-in user, this one included."""
    ended = users_service.end_all_sessions(session, user_id=user.id)
    audit.record(
        session,
        org_id=user.org_id,
        actor=user.actor,
        action="user.signed_out_everywhere",
        target=f"user:{user.id}",
        detail={"sessions": ended},
    )
    end_session(request)
    request.session["flash"] = f"You have signed out everywhere ({ended} session(s) ended)."
    return _see_other("/login")


def _signed_in_or_none(request: Request, session: Session) -> SignedInUser | None:
    try:
        return current_user(request, session)
    except LoginRequired:
        return None


# --- pipeline ---------------------------------------------------------------------------


def _choice(value: str | None, allowed: tuple[str, ...] | list[str]) -> str | None:
    return value if value in allowed else None


@router.get("/", name="web-pipeline")
def pipeline(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    recruiter: Text = None,
    band: Text = None,
    flag: Text = None,
    stage: Text = None,
    status: Text = None,
    q: Text = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> HTMLResponse:
    if recruiter is None:
        recruiter = user.recruiter_external_id or "all"
    filters = web_service.PipelineFilters(
        recruiter=None if recruiter in ("all", "") else recruiter,
        band=_choice(band, tuple(BAND_LABELS)),
        flag=_choice(flag, FLAG_CODES),
        stage=stage or None,
        status=_choice(status, views.STATUSES) or "active",
        q=(q or "").strip() or None,
    )
    page = web_service.pipeline_page(
        session, org_id=user.org_id, filters=filters, cursor=cursor or None, as_of=page_now(request)
    )
    query = {
        "recruiter": recruiter or "all",
        "band": filters.band or "",
        "flag": filters.flag or "",
        "stage": filters.stage or "",
        "status": filters.status,
        "q": filters.q or "",
    }
    recruiters = page.recruiters
    if filters.recruiter and filters.recruiter not in {r for r, _ in recruiters}:
        recruiters = [*recruiters, (filters.recruiter, None)]
    return render(
        request,
        "pipeline.html",
        {
            "page": page,
            "filters": filters,
            "selected_recruiter": recruiter or "all",
            "recruiters": recruiters,
            "flag_codes": FLAG_CODES,
            "statuses": views.STATUSES,
            "next_url": "/?" + urlencode({**query, "cursor": page.next_cursor})
            if page.next_cursor
            else None,
            "first_url": "/?" + urlencode(query) if cursor else None,
            "filtered": any(
                (filters.band, filters.flag, filters.stage, filters.q, filters.status != "active")
            ),
        },
    )


# --- candidate --------------------------------------------------------------------------


@router.get("/candidates/{candidate_id}", name="web-candidate")
def candidate(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    candidate_id: Annotated[str, Path(max_length=64)],
) -> HTMLResponse:
    try:
        page = web_service.candidate_page(
            session, org_id=user.org_id, candidate_id=candidate_id, as_of=page_now(request)
        )
    except NotFound as exc:
        raise PageNotFound() from exc
    return render(request, "candidate.html", {"page": page})


def _flag_response(
    request: Request, change: web_service.FlagChange, *, error: str | None = None
) -> Response:
    if request.headers.get("hx-request"):
        return render(request, "_flag_changed.html", {"change": change, "error": error})
    if error:
        request.session["flash"] = error
    return _see_other(f"/candidates/{change.flag.flag.candidate_id}#flags")


@router.post("/flags/{flag_id}/acknowledge")
def acknowledge_flag(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    flag_id: Annotated[str, Path(max_length=64)],
) -> Response:
    try:
        change = web_service.change_flag(
            session,
            org_id=user.org_id,
            flag_id=flag_id,
            status="acknowledged",
            reason=None,
            now=page_now(request),
        )
    except NotFound as exc:
        raise PageNotFound() from exc
    _audit_flag(session, user, change, action="flag.acknowledged")
    return _flag_response(request, change)


@router.post("/flags/{flag_id}/dismiss")
def dismiss_flag(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    flag_id: Annotated[str, Path(max_length=64)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    reason = reason.strip()
    try:
        if not reason:
            change = web_service.flag_state(
                session, org_id=user.org_id, flag_id=flag_id, now=page_now(request)
            )
            return _flag_response(request, change, error="Give a reason to dismiss the flag.")
        change = web_service.change_flag(
            session,
            org_id=user.org_id,
            flag_id=flag_id,
            status="dismissed",
            reason=reason,
            now=page_now(request),
        )
    except NotFound as exc:
        raise PageNotFound() from exc
    _audit_flag(session, user, change, action="flag.dismissed", reason=reason)
    return _flag_response(request, change)


def _audit_flag(
    session: Session,
    user: SignedInUser,
    change: web_service.FlagChange,
    *,
    action: str,
    reason: str | None = None,
) -> None:
    flag = change.flag.flag
    detail: dict[str, Any] = {"candidate_id": flag.candidate_id, "code": flag.code}
    if reason is not None:
        detail["reason"] = reason
    audit.record(
        session,
        org_id=user.org_id,
        actor=user.actor,
        action=action,
        target=f"flag:{flag.id}",
        detail=detail,
    )
