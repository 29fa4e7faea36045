"""Authentication, scopes and tenancy on every route."""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, event_body


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1")
        for method in operations
    ]


def fill(path: str, value: str = "00000000000000000000000000000000") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


# Providers' deliveries carry the provider's own signature instead of an API key (contract
# §6); tests/integrations checks that a bad or missing signature is refused with 401 there.
PROVIDER_AUTHENTICATED = {("POST", "/api/v1/integrations/{connection_id}/webhook")}


def test_every_api_route_needs_a_key(app: FastAPI, client: TestClient) -> None:
    routes = api_routes(app)
    assert len(routes) >= 15
    assert set(routes) >= PROVIDER_AUTHENTICATED
    for method, path in routes:
        if (method, path) in PROVIDER_AUTHENTICATED:
            continue
        for headers in (
            {},
            {"Authorization": "Bearer ft_nope_wrong"},
            {"Authorization": "Basic x"},
        ):
            response = client.request(method, fill(path), headers=headers, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


def test_revoked_key_is_refused(client: TestClient, org: OrgContext) -> None:
    created = client.post(
        "/api/v1/api-keys", json={"name": "temp", "scopes": ["read"]}, headers=org.headers
    ).json()
    headers = {"Authorization": f"Bearer {created['api_key']}"}
    assert client.get("/api/v1/recruiters", headers=headers).status_code == 200
    revoked = client.post(f"/api/v1/api-keys/{created['id']}/revoke", headers=org.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/recruiters", headers=headers).status_code == 401
    listed = client.get("/api/v1/api-keys", headers=org.headers).json()
    assert all("api_key" not in k for k in listed)


@pytest.mark.parametrize(
    ("scopes", "method", "path", "body"),
    [
        (["read"], "POST", "/api/v1/events", {}),
        (["read"], "POST", "/api/v1/events/batch", {"events": []}),
        (["read"], "POST", "/api/v1/candidates", {"external_id": "x"}),
        (["read"], "POST", "/api/v1/recruiters", {"external_id": "x", "name": "x"}),
        (["events:write"], "GET", "/api/v1/pipeline", None),
        (["events:write"], "GET", "/api/v1/candidates", None),
        (["events:write", "read"], "PUT", "/api/v1/settings/scoring", {}),
        (["events:write", "read"], "GET", "/api/v1/api-keys", None),
        (["events:write", "read"], "POST", "/api/v1/api-keys", {"name": "x", "scopes": ["read"]}),
    ],
)
def test_missing_scope_is_403(
    client: TestClient,
    org: OrgContext,
    scopes: list[str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    response = client.request(method, path, headers=org.key_with(*scopes), json=body)
    assert response.status_code == 403, response.text
    assert "scope" in response.json()["detail"]


def test_another_orgs_objects_are_404_everywhere(
    client: TestClient, org: OrgContext, other_org: OrgContext
) -> None:
    candidate = create_candidate(client, org, timezone="UTC")
    ext = candidate["external_id"]
    client.post(
        "/api/v1/events/batch",
        json={
            "events": [
                event_body(ext, type="meeting", channel="video", outcome="no_show"),
                event_body(ext, occurred_at="2026-11-03T10:00:00Z"),
            ]
        },
        headers=org.headers,
    )
    state = client.get(
        f"/api/v1/candidates/{candidate['id']}",
        params={"as_of": "2026-11-04T10:00:00Z"},
        headers=org.headers,
    ).json()
    [flag] = [f for f in state["flags"] if f["code"] == "missed_meeting"]
    timeline = client.get(f"/api/v1/candidates/{candidate['id']}/timeline", headers=org.headers)
    event_id = timeline.json()["events"][0]["id"]
    key_id = client.get("/api/v1/api-keys", headers=org.headers).json()[0]["id"]

    foreign = other_org.headers
    cid = candidate["id"]
    for method, path, body in [
        ("GET", f"/api/v1/candidates/{cid}", None),
        ("GET", f"/api/v1/candidates/{cid}/timeline", None),
        ("GET", f"/api/v1/candidates/{cid}/flags", None),
        ("GET", f"/api/v1/candidates/{cid}/score-history", None),
        ("DELETE", f"/api/v1/candidates/{cid}", None),
        ("GET", f"/api/v1/events/{event_id}", None),
        ("POST", f"/api/v1/flags/{flag['id']}/dismiss", {"reason": "nope"}),
        ("POST", f"/api/v1/flags/{flag['id']}/acknowledge", None),
        ("POST", f"/api/v1/api-keys/{key_id}/revoke", None),
    ]:
        response = client.request(method, path, headers=foreign, json=body)
        assert response.status_code == 404, (method, path, response.text)
        # Exactly as if it did not exist:
        missing = client.request(
            method, fill(path.replace(cid, "x" * 32)), headers=foreign, json=body
        )
        assert response.json()["detail"] == missing.json()["detail"] or missing.status_code == 404

    assert (
        client.get("/api/v1/candidates", params={"external_id": ext}, headers=foreign).json()[
            "items"
        ]
        == []
    )
    assert client.get("/api/v1/pipeline", headers=foreign).json()["items"] == []
    # The other org may reuse the same external ids without touching ours.
    mine = client.post(
        "/api/v1/candidates", json={"external_id": ext, "name": "Theirs"}, headers=foreign
    )
    assert mine.status_code == 201
    assert (
        client.get(f"/api/v1/candidates/{cid}", headers=org.headers).json()["name"]
        == "Test Candidate"
    )
    # Nothing was changed by the foreign attempts.
    assert (
        client.get(f"/api/v1/candidates/{cid}/flags", headers=org.headers).json()[0]["status"]
        == "open"
    )
    assert client.get("/api/v1/recruiters", headers=org.headers).status_code == 200
