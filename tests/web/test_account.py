"""Your account page: change your own password. Wrong current password, a mismatch or a weak
password change nothing; a change ends every other session, keeps this browser signed in, is
audited, and guessing the current password is rate limited."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select

from app.audit.models import AuditEvent
from app.core.db import create_sessionmaker, transaction
from app.core.settings import Settings
from app.main import create_app
from tests.factories import OrgContext
from tests.web.conftest import WebUser, csrf_from, http_login, make_user

NEW = "a brand new passphrase"


def _signed_in(app: FastAPI, user: WebUser) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    http_login(client, user.email, user.password)
    return client


def _change(client: TestClient, current: str, new: str, confirm: str | None = None) -> Response:
    token = csrf_from(client.get("/account").text)
    return client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def _can_sign_in(app: FastAPI, email: str, password: str) -> bool:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    token = csrf_from(client.get("/login").text)
    answer = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )
    return answer.status_code == 303


def test_the_account_page_needs_a_sign_in_and_shows_the_form(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.get("/account").headers["location"].startswith("/login")
    user = make_user(engine, org.org_id)
    client = _signed_in(app, user)
    page = client.get("/account")
    assert page.status_code == 200
    assert 'name="current_password"' in page.text and user.email in page.text
    assert 'href="/account"' in client.get("/").text


def test_refused_changes_change_nothing(app: FastAPI, org: OrgContext, engine: Engine) -> None:
    user = make_user(engine, org.org_id)
    client = _signed_in(app, user)
    wrong = _change(client, "not my password", NEW)
    assert wrong.status_code == 403 and "current password is not right" in wrong.text
    mismatch = _change(client, user.password, NEW, confirm=NEW + "!")
    assert mismatch.status_code == 422 and "differ" in mismatch.text
    short = _change(client, user.password, "short")
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert client.get("/").status_code == 200  # still signed in
    assert _can_sign_in(app, user.email, user.password)
    assert not _can_sign_in(app, user.email, NEW)
    # Without the CSRF token nothing happens either.
    forged = client.post(
        "/account/password",
        data={"current_password": user.password, "new_password": NEW, "confirm_password": NEW},
    )
    assert forged.status_code == 403
    assert _can_sign_in(app, user.email, user.password)


def test_a_change_ends_other_sessions_keeps_this_one_and_is_audited(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    laptop, phone = _signed_in(app, user), _signed_in(app, user)
    changed = _change(laptop, user.password, NEW)
    assert changed.status_code == 303 and changed.headers["location"] == "/account"
    assert "sessions on other devices have ended" in laptop.get("/account").text
    assert laptop.get("/").status_code == 200
    assert phone.get("/").headers["location"].startswith("/login")
    assert _can_sign_in(app, user.email, NEW)
    assert not _can_sign_in(app, user.email, user.password)
    with transaction(create_sessionmaker(engine)) as session:
        rows = session.scalars(
            select(AuditEvent).where(
                AuditEvent.org_id == org.org_id, AuditEvent.action == "user.password_changed"
            )
        ).all()
    assert [(r.actor_id, r.target, r.detail["by"]) for r in rows] == [
        (user.id, f"user:{user.id}", "self")
    ]


def test_guessing_the_current_password_is_rate_limited(
    settings: Settings, org: OrgContext, engine: Engine
) -> None:
    app = create_app(
        settings.model_copy(update={"rate_limit_login_account": "3 per minute"}), engine=engine
    )
    user = make_user(engine, org.org_id)
    client = _signed_in(app, user)
    statuses = [_change(client, f"guess {n}", NEW).status_code for n in range(3)]
    assert statuses == [403, 403, 403]
    refused = _change(client, user.password, NEW)
    assert refused.status_code == 429
    assert _can_sign_in(app, user.email, user.password)
