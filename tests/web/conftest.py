"""Web UI fixtures: users, a live server on a free port and one headless Chromium per run.

The browser is Debian's Chromium (`/usr/bin/chromium`); Playwright's own download is not used.
Without it the browser tests are skipped locally and fail under CI (the `CI` variable).
"""

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.db import create_sessionmaker, transaction
from app.users import service as users_service
from tests.conftest import SCENARIOS_DIR
from tests.factories import OrgContext, unique

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
PASSWORD = "correct horse battery"


@dataclass
class WebUser:
    email: str
    password: str
    id: str


@dataclass
class WebOrg:
    org: OrgContext
    admin: WebUser
    recruiter: WebUser
    candidates: dict[str, str] = field(default_factory=dict)


def make_user(engine: Engine, org_id: str, **fields: Any) -> WebUser:
    email = fields.pop("email", None) or f"{unique('user')}@example.com"
    password = fields.pop("password", PASSWORD)
    with transaction(create_sessionmaker(engine)) as session:
        user = users_service.create_user(
            session, org_id=org_id, email=email, password=password, **fields
        )
        return WebUser(email=email, password=password, id=user.id)


def load_named_scenario(
    client: TestClient, org: OrgContext, scenario_name: str, **candidate: Any
) -> str:
    from tests.factories import load_scenario

    scenario = json.loads((SCENARIOS_DIR / f"{scenario_name}.json").read_text())
    scenario["candidate"] = {
        **scenario["candidate"],
        "external_id": unique(scenario["candidate"]["external_id"]),
        **candidate,
    }
    suffix = scenario["candidate"]["external_id"]
    # Event ids are unique per organisation; a suffix keeps repeated loads apart.
    ids = {e["external_id"] for e in scenario["events"]}
    for event in scenario["events"]:
        event["external_id"] = f"{event['external_id']}-{suffix}"
        for ref in ("in_reply_to", "fulfills"):
            if event.get(ref) in ids:
                event[ref] = f"{event[ref]}-{suffix}"
    return load_scenario(client, org, scenario)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def http_login(client: TestClient, email: str, password: str) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


# Pages are computed as of this instant, so the seeded November 2026 stories read the same
# whatever the machine's clock says.
PAGE_NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def pinned_page_clock(app: FastAPI) -> Iterator[None]:
    app.state.web_clock = lambda: PAGE_NOW
    yield
    del app.state.web_clock


@pytest.fixture
def browser_client(app: FastAPI) -> Iterator[TestClient]:
    """A client with its own cookie jar (the session fixture's is shared)."""
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


# --- the live server and the browser ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve the test app (and its migrated test database) over real HTTP."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, failing the test on a JS dialog."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # A Content-Security-Policy violation shows up only on the console.
    tab.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    tab.dialogs = dialogs
    tab.js_errors = errors
    yield tab
    context.close()
    assert not dialogs, f"a JavaScript dialog opened: {dialogs}"
    assert not errors, f"errors in the page: {errors}"


def screenshot(tab: Any, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots and check it is not empty."""
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5 * 1024, f"{path} looks empty"
    return path


def browser_login(tab: Any, user: WebUser) -> None:
    tab.goto("/login")
    tab.get_by_label("Email").fill(user.email)
    tab.get_by_label("Password").fill(user.password)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(re.compile(r"/(\?.*)?$"))
