"""Jinja2 set-up: autoescaping everywhere, formatting filters, and the HTML response headers."""

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from app import __version__
from app.scoring.labels import BAND_LABELS, SIGNAL_LABELS
from app.web import views
from app.web.security import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# The security headers (a CSP without inline code, nosniff, …) come from the one middleware
# in core/middleware.py; pages add only that they are never cached.
PAGE_HEADERS = {"Cache-Control": "no-store"}


def _static(name: str) -> str:
    return f"/static/{name}?v={__version__}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        static=_static,
        flag_label=views.flag_label,
        band_labels=BAND_LABELS,
        action_labels=views.ACTION_LABELS,
        intent_labels=views.INTENT_LABELS,
        flag_labels=SIGNAL_LABELS,
    )
    env.filters.update(
        local_time=views.local_time,
        short_date=views.short_date,
        relative=views.relative,
        hours=views.hours_text,
    )
    return env


ENV = _environment()


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page (or an htmx fragment) with the session's CSRF token and the user."""
    data = {
        "request": request,
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "user", None),
        # Fragments (names starting with "_") leave the flash for the next full page.
        "flash": None if name.startswith("_") else request.session.pop("flash", None),
        "path": request.url.path,
    }
    data.update(context or {})
    html = ENV.get_template(name).render(data)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
