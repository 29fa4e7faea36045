"""Server-side sessions: logout, sign out everywhere and a password change end a session even
for a copied cookie; the cookie names no user; a weak secret refuses to serve beyond loopback."""

import base64
import json
import subprocess
import sys

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from app.core.db import create_sessionmaker, transaction
from app.core.settings import Settings, check_secret_for_host, is_loopback
from app.main import create_app
from app.users import service as users_service
from app.users.models import UserSession
from tests.factories import OrgContext
from tests.web.conftest import WebUser, csrf_from, http_login, make_user


def _signed_in(app: FastAPI, user: WebUser) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    http_login(client, user.email, user.password)
    assert client.get("/").status_code == 200
    return client


def _replay(app: FastAPI, cookie: str) -> int:
    """Request the pipeline with nothing but a copied session cookie."""
    thief = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    thief.cookies.set("ft_session", cookie)
    response = thief.get("/")
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login")
    return response.status_code


def test_the_cookie_carries_only_a_random_session_id(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    client = _signed_in(app, user)
    payload = client.cookies["ft_session"].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(data) <= {"sid", "csrf", "flash"}
    assert user.id not in json.dumps(data)
    with transaction(create_sessionmaker(engine)) as session:
        rows = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
        assert len(rows) == 1
        assert rows[0].id != data["sid"]  # only the token's hash is stored


def test_logout_ends_the_session_for_a_replayed_cookie(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    client = _signed_in(app, user)
    stolen = client.cookies["ft_session"]
    assert _replay(app, stolen) == 200
    token = csrf_from(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert _replay(app, stolen) == 303
    assert client.get("/").status_code == 303


def test_sign_out_everywhere_ends_every_session_of_the_user(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    other = make_user(engine, org.org_id)
    laptop, phone = _signed_in(app, user), _signed_in(app, user)
    bystander = _signed_in(app, other)
    stolen = phone.cookies["ft_session"]
    token = csrf_from(laptop.get("/").text)
    response = laptop.post("/sign-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert laptop.get("/").status_code == 303
    assert _replay(app, stolen) == 303
    assert bystander.get("/").status_code == 200


def test_an_admin_signs_someone_out_everywhere(
    app: FastAPI, org: OrgContext, other_org: OrgContext, engine: Engine
) -> None:
    admin = make_user(engine, org.org_id, role="admin")
    leaver = make_user(engine, org.org_id)
    outsider = make_user(engine, other_org.org_id)
    admin_client = _signed_in(app, admin)
    stolen = _signed_in(app, leaver).cookies["ft_session"]
    page = admin_client.get("/settings/users")
    assert page.status_code == 200
    assert leaver.email in page.text
    assert outsider.email not in page.text
    token = csrf_from(page.text)
    # Another organisation's user is not found, and keeps their session.
    outsider_client = _signed_in(app, outsider)
    response = admin_client.post(
        f"/settings/users/{outsider.id}/sign-out", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert outsider_client.get("/").status_code == 200
    response = admin_client.post(
        f"/settings/users/{leaver.id}/sign-out", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert _replay(app, stolen) == 303
    assert admin_client.get("/").status_code == 200
    # Recruiters cannot sign others out.
    recruiter_client = _signed_in(app, make_user(engine, org.org_id))
    token = csrf_from(recruiter_client.get("/").text)
    response = recruiter_client.post(
        f"/settings/users/{admin.id}/sign-out", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_a_password_change_ends_every_session(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    stolen = _signed_in(app, user).cookies["ft_session"]
    with transaction(create_sessionmaker(engine)) as session:
        record = users_service.get_user(session, user_id=user.id)
        assert record is not None
        assert users_service.set_password(session, user=record, password="a-new-password") == 1
    assert _replay(app, stolen) == 303
    assert _signed_in(app, WebUser(user.email, "a-new-password", user.id))


def test_an_expired_session_is_refused(app: FastAPI, org: OrgContext, engine: Engine) -> None:
    user = make_user(engine, org.org_id)
    client = _signed_in(app, user)
    with transaction(create_sessionmaker(engine)) as session:
        row = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
        row.expires_at = row.created_at
    assert client.get("/").status_code == 303


# --- the secret key -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("secret", ["change-me-dev-only-secret", "short-but-not-placeholder"])
def test_a_weak_secret_refuses_a_public_address(secret: str) -> None:
    settings = Settings(secret_key=secret)  # type: ignore[arg-type]
    check_secret_for_host(settings, "127.0.0.1")
    with pytest.raises(ValueError, match="SECRET_KEY"):
        check_secret_for_host(settings, "0.0.0.0")
    strong = Settings(secret_key="x" * 32)  # type: ignore[arg-type]
    check_secret_for_host(strong, "0.0.0.0")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings(secret_key=secret, environment="production")  # type: ignore[arg-type]


def test_serve_stops_with_a_clear_error(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--host", "0.0.0.0"],
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "change-me-dev-only-secret"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Refusing to serve on 0.0.0.0" in result.stderr


def test_the_ui_refuses_a_forgeable_secret_off_loopback(
    settings: Settings, engine: Engine, org: OrgContext
) -> None:
    weak = settings.model_copy(update={"secret_key": Settings().secret_key})
    app = create_app(weak, engine=engine)
    user = make_user(engine, org.org_id)
    public = TestClient(app, base_url="http://files.example.com", follow_redirects=False)
    response = public.get("/login")
    assert response.status_code == 503
    assert "SECRET_KEY" in response.text
    # The API does not use the session cookie and keeps working.
    assert public.get("/api/v1/recruiters", headers=org.headers).status_code == 200
    local = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    http_login(local, user.email, user.password)


def test_ended_sessions_are_pruned_at_the_next_sign_in(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    for _ in range(3):
        client = _signed_in(app, user)
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    _signed_in(app, user)
    with transaction(create_sessionmaker(engine)) as session:
        rows = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
        assert [r.revoked_at for r in rows] == [None]
