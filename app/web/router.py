"""The recruiter web UI, mounted into the API application by `install(app)`."""

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from app.web import account, admin, integrations, pages, webhooks
from app.web.security import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    LoginRequired,
    PageForbidden,
    PageNotFound,
    UiDisabled,
)
from app.web.templating import STATIC_DIR, render


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


async def _login_required(request: Request, exc: Exception) -> Response:
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET" or target == "/":
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error_page(
        request, 404, "Not found", "There is nothing here, or it is not yours to see."
    )


async def _forbidden(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, PageForbidden) else "Not allowed."
    return _error_page(request, 403, "Not allowed", message)


async def _ui_disabled(request: Request, exc: Exception) -> Response:
    return _error_page(
        request,
        503,
        "Sign-in is disabled",
        "This server uses the development SECRET_KEY (or one under 32 bytes) while reachable "
        "from other machines, so sessions could be forged. Set SECRET_KEY and restart.",
    )


def install(app: FastAPI) -> None:
    """Add the UI's routes, static files, session cookie and error pages to `app`."""
    settings = app.state.settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.https,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(integrations.router)
    app.include_router(webhooks.router)
    app.include_router(account.router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageNotFound, _not_found)
    app.add_exception_handler(PageForbidden, _forbidden)
    app.add_exception_handler(UiDisabled, _ui_disabled)

    # Unknown pages get the HTML 404 in a browser; the API keeps its problem documents.
    api_handler: Any = app.exception_handlers.get(StarletteHTTPException)

    async def _http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and _wants_html(request):
            return await _not_found(request, exc)
        if api_handler is None:  # pragma: no cover - main always installs one
            raise exc
        response: Response = await api_handler(request, exc)
        return response

    app.add_exception_handler(StarletteHTTPException, _http_error)
