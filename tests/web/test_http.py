"""The web UI over HTTP (no browser): access control, CSRF, tenancy, throttling, headers."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import OrgContext, create_candidate, event_body, post_event
from tests.web.conftest import csrf_from, http_login, load_named_scenario, make_user

PAGES = ["/", "/settings", "/settings/api-keys", "/candidates/abc123"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_without_a_session_redirect_to_login(browser_client: TestClient, path: str) -> None:
    response = browser_client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    if path != "/":
        assert "next=" in response.headers["location"]


def test_htmx_request_without_session_is_told_to_redirect(browser_client: TestClient) -> None:
    response = browser_client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_login_page_sets_a_hardened_session_cookie(browser_client: TestClient) -> None:
    response = browser_client.get("/login")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "ft_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_login_and_logout(browser_client: TestClient, org: OrgContext, engine: Engine) -> None:
    user = make_user(engine, org.org_id)
    http_login(browser_client, user.email, user.password)
    page = browser_client.get("/")
    assert page.status_code == 200
    assert user.email in page.text
    logout = browser_client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert logout.status_code == 303
    assert browser_client.get("/").status_code == 303


def test_login_wrong_password_is_refused(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    token = csrf_from(browser_client.get("/login").text)
    response = browser_client.post(
        "/login", data={"email": user.email, "password": "wrong-password", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert browser_client.get("/").status_code == 303


def test_login_redirects_to_next_only_on_this_site(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    for target, expected in (("/settings", "/settings"), ("//evil.example/", "/")):
        browser_client.cookies.clear()
        token = csrf_from(browser_client.get("/login").text)
        response = browser_client.post(
            "/login",
            data={
                "email": user.email,
                "password": user.password,
                "csrf_token": token,
                "next": target,
            },
        )
        assert response.headers["location"] == expected


def test_account_locks_after_repeated_failures(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    token = csrf_from(browser_client.get("/login").text)

    def attempt(password: str) -> int:
        response = browser_client.post(
            "/login", data={"email": user.email, "password": password, "csrf_token": token}
        )
        return response.status_code

    assert [attempt("wrong-password") for _ in range(4)] == [401] * 4
    assert attempt("wrong-password") == 429
    # Locked: even the right password is refused until the lock passes.
    assert attempt(user.password) == 429
    assert browser_client.get("/").status_code == 303


def test_post_without_csrf_token_is_rejected(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, user.email, user.password)
    for path, data in (
        ("/settings/api-keys", {"name": "sneaky", "scopes": "read"}),
        ("/logout", {}),
        ("/settings/api-keys", {"name": "sneaky", "scopes": "read", "csrf_token": "forged"}),
    ):
        response = browser_client.post(path, data=data)
        assert response.status_code == 403, path
        assert "security token" in response.text
    keys = browser_client.get("/settings/api-keys").text
    assert "sneaky" not in keys


def test_login_without_csrf_token_is_rejected(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    browser_client.get("/login")
    response = browser_client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 403


def test_csrf_header_is_accepted_for_htmx(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    scenario_id = load_named_scenario(client, org, "seed-not-that-into-you")
    http_login(browser_client, user.email, user.password)
    page = browser_client.get(f"/candidates/{scenario_id}")
    token = csrf_from(page.text)
    flags = client.get(f"/api/v1/candidates/{scenario_id}/flags", headers=org.headers).json()
    flag_id = next(f["id"] for f in flags if f["status"] == "open")
    response = browser_client.post(
        f"/flags/{flag_id}/acknowledge",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert f'id="flag-{flag_id}"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    refused = browser_client.post(
        f"/flags/{flag_id}/acknowledge", headers={"HX-Request": "true", "X-CSRF-Token": "x"}
    )
    assert refused.status_code == 403


def test_another_organisations_candidate_and_flag_are_404(
    client: TestClient,
    browser_client: TestClient,
    org: OrgContext,
    other_org: OrgContext,
    engine: Engine,
) -> None:
    user = make_user(engine, org.org_id)
    theirs = load_named_scenario(client, other_org, "seed-not-that-into-you")
    flags = client.get(f"/api/v1/candidates/{theirs}/flags", headers=other_org.headers).json()
    http_login(browser_client, user.email, user.password)
    page = browser_client.get(f"/candidates/{theirs}")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert "Not found" in page.text
    token = csrf_from(browser_client.get("/").text)
    dismiss = browser_client.post(
        f"/flags/{flags[0]['id']}/dismiss", data={"reason": "not mine", "csrf_token": token}
    )
    assert dismiss.status_code == 404
    after = client.get(f"/api/v1/candidates/{theirs}/flags", headers=other_org.headers).json()
    assert after[0]["status"] == flags[0]["status"]


def test_unknown_page_is_an_html_404_but_the_api_keeps_problem_json(
    browser_client: TestClient,
) -> None:
    page = browser_client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    api = browser_client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


def test_recruiters_cannot_open_admin_pages(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id, role="recruiter")
    http_login(browser_client, user.email, user.password)
    assert browser_client.get("/settings").status_code == 403
    assert browser_client.get("/settings/api-keys").status_code == 403
    token = csrf_from(browser_client.get("/").text)
    created = browser_client.post(
        "/settings/api-keys", data={"name": "x", "scopes": "admin", "csrf_token": token}
    )
    assert created.status_code == 403


def test_settings_form_reports_errors_by_field_and_saves_a_version(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, user.email, user.password)
    form = browser_client.get("/settings")
    token = csrf_from(form.text)
    data = {
        "csrf_token": token,
        "working_hours.days": ["0", "1", "2", "3"],
        "working_hours.start": "08:30",
        "working_hours.end": "16:30",
        "timezone": "Mars/Olympus",
        "holiday_country": "",
        "body_retention": "keep",
        "thresholds.ghosting_attempts": "0",
        "weights.ghosting": "lots",
    }
    bad = browser_client.post("/settings", data=data)
    assert bad.status_code == 422
    assert "unknown time zone" in bad.text.lower()
    assert 'id="err-thresholds-ghosting_attempts"' in bad.text
    assert 'id="err-weights-ghosting"' in bad.text
    assert "Mars/Olympus" in bad.text  # the submitted values are kept
    data.update(
        {"timezone": "Europe/Berlin", "thresholds.ghosting_attempts": "4", "weights.ghosting": "40"}
    )
    # Fields left out of the form fall back to an error, not a silent default.
    incomplete = browser_client.post("/settings", data=data)
    assert incomplete.status_code == 422
    full = _full_settings_form(form.text) | data
    saved = browser_client.post("/settings", data=full)
    assert saved.status_code == 303
    current = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    assert current["version"] == 2
    assert current["timezone"] == "Europe/Berlin"
    assert current["working_hours"] == {"days": [0, 1, 2, 3], "start": "08:30", "end": "16:30"}
    assert current["thresholds"]["ghosting_attempts"] == 4
    assert current["weights"]["ghosting"] == 40
    assert "version 2" in browser_client.get("/settings").text


def _full_settings_form(html: str) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {}
    for name, value in re.findall(
        r'name="([a-z_]+\.[a-z_]+)" type="text"[^>]*value="([^"]*)"', html
    ):
        values[name] = value
    return values


def test_api_keys_are_shown_once_and_can_be_revoked(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, user.email, user.password)
    token = csrf_from(browser_client.get("/settings/api-keys").text)
    created = browser_client.post(
        "/settings/api-keys",
        data={"name": "ATS sync", "scopes": ["events:write", "read"], "csrf_token": token},
    )
    assert created.status_code == 200
    key = re.search(r'value="(ft_[^"]+)"', created.text)
    assert key is not None
    api_key = key.group(1)
    assert client.get("/api/v1/pipeline", headers={"Authorization": f"Bearer {api_key}"}).is_success
    listing = browser_client.get("/settings/api-keys").text
    assert api_key not in listing
    assert "ATS sync" in listing
    keys = client.get("/api/v1/api-keys", headers=org.headers).json()
    key_id = next(k["id"] for k in keys if k["name"] == "ATS sync")
    revoked = browser_client.post(f"/settings/api-keys/{key_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert (
        client.get("/api/v1/pipeline", headers={"Authorization": f"Bearer {api_key}"}).status_code
        == 401
    )


def test_api_key_needs_a_scope(browser_client: TestClient, org: OrgContext, engine: Engine) -> None:
    user = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, user.email, user.password)
    token = csrf_from(browser_client.get("/settings/api-keys").text)
    response = browser_client.post("/settings/api-keys", data={"name": "x", "csrf_token": token})
    assert response.status_code == 422
    assert "at least one scope" in response.text


def test_candidate_text_is_escaped(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id)
    candidate = create_candidate(
        client, org, name="<script>alert(1)</script>", job='"><img src=x onerror=alert(3)>'
    )
    post_event(client, org, event_body(candidate["external_id"]))
    post_event(
        client,
        org,
        event_body(
            candidate["external_id"],
            direction="inbound",
            occurred_at="2026-11-02T12:00:00+00:00",
            subject="<b>Re</b>",
            body="Sorry! <img src=x onerror=alert(2)> I'm still very interested",
        ),
    )
    http_login(browser_client, user.email, user.password)
    pipeline = browser_client.get("/?recruiter=all").text
    assert "<script>alert(1)</script>" not in pipeline
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pipeline
    detail = browser_client.get(f"/candidates/{candidate['id']}").text
    assert "<img src=x" not in detail
    assert "&lt;img src=x onerror=alert(2)&gt;" in detail
    assert "<b>Re</b>" not in detail


def test_web_routes_stay_out_of_the_openapi_document(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert not any(
        p == "/" or p.startswith(("/login", "/logout", "/candidates/", "/settings", "/flags/"))
        for p in paths
    )


def test_pipeline_pages_with_the_cursor(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    user = make_user(engine, org.org_id, recruiter_external_id="rec-page")
    for n in range(27):
        create_candidate(client, org, name=f"Paged {n:02d}", recruiter_external_id="rec-page")
    create_candidate(client, org, name="Someone else's", recruiter_external_id="rec-other")
    http_login(browser_client, user.email, user.password)
    first = browser_client.get("/").text
    assert first.count('class="candidate-link"') == 25
    assert "Someone else" not in first
    next_url = re.search(r'href="([^"]+)" rel="next"', first)
    assert next_url is not None
    second = browser_client.get(next_url.group(1).replace("&amp;", "&")).text
    assert second.count('class="candidate-link"') == 2
    assert 'rel="next"' not in second
    assert "First page" in second
    names = re.findall(r'class="candidate-link">([^<]+)<', first + second)
    assert sorted(names) == [f"Paged {n:02d}" for n in range(27)]
    # A damaged cursor starts again from the first page instead of failing.
    again = browser_client.get("/?recruiter=rec-page&cursor=not-a-cursor")
    assert again.status_code == 200
    assert again.text.count('class="candidate-link"') == 25
    everyone = browser_client.get("/?recruiter=all&q=someone").text
    assert "Someone else&#39;s" in everyone
