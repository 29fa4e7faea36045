"""One middleware puts the security headers on every response; HSTS and Secure cookies
when BASE_URL is https; /metrics without organisation labels, behind an optional token."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from app.core.settings import Settings
from app.main import create_app
from tests.factories import OrgContext, create_candidate, event_body, post_event


def _assert_hardened(response: Any, *, csp_has: str = "frame-ancestors 'none'") -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert csp_has in headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/api/v1/recruiters", 200),
        ("GET", "/api/v1/recruiters?limit=0", 422),
        ("GET", "/api/v1/nothing", 404),
        ("GET", "/", 303),  # a redirect
        ("GET", "/login", 200),
        ("GET", "/static/app.css", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/docs", 200),
    ],
)
def test_every_kind_of_response_is_hardened(
    client: TestClient, org: OrgContext, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, headers=org.headers, follow_redirects=False)
    assert response.status_code == status
    _assert_hardened(response)
    assert "strict-transport-security" not in response.headers  # BASE_URL is http here


def test_ui_and_api_policies(client: TestClient, org: OrgContext) -> None:
    ui = client.get("/login")
    assert "script-src 'self'" in ui.headers["content-security-policy"]
    assert "unsafe-inline" not in ui.headers["content-security-policy"]
    api = client.get("/api/v1/recruiters", headers=org.headers)
    assert api.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_html_report_and_a_413_are_hardened(client: TestClient, org: OrgContext) -> None:
    report = client.get(
        "/api/v1/reports/weekly",
        params={"week": "2026-W47", "as_of": "2026-11-25T12:00:00Z"},
        headers={**org.headers, "Accept": "text/html"},
    )
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    _assert_hardened(report, csp_has="default-src 'none'")
    too_big = client.post("/api/v1/events", content=b"x" * (2 * 1024 * 1024), headers=org.headers)
    assert too_big.status_code == 413
    _assert_hardened(too_big)


def test_https_base_url_adds_hsts_and_secure_cookies(settings: Settings, engine: Engine) -> None:
    https = settings.model_copy(update={"base_url": "https://followthrough.example.com"})
    with TestClient(create_app(https, engine=engine), base_url="https://testserver") as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
        assert "secure" in cookie
        for path in ("/healthz", "/login", "/api/v1/recruiters"):
            response = client.get(path)
            assert "max-age=31536000" in response.headers["strict-transport-security"]


def test_metrics_have_no_organisation_labels(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org)
    post_event(client, org, event_body(candidate["external_id"]))
    text = client.get("/metrics").text
    assert "followthrough_events_ingested_total" in text
    assert "org_id" not in text
    assert org.org_id not in text


def test_metrics_token(settings: Settings, engine: Engine) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-me-please")})
    client = TestClient(create_app(guarded, engine=engine))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics").headers["content-type"].startswith("application/problem+json")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
    assert right.status_code == 200
    assert "followthrough_http_requests_total" in right.text
