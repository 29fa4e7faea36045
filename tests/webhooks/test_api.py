"""`/api/v1/webhooks`: subscriptions, scopes, tenancy, validation and the SSRF guard."""

import pytest
from fastapi.testclient import TestClient

from tests.factories import OrgContext
from tests.webhooks.conftest import Receiver
from tests.webhooks.helpers import subscribe

PUBLIC = "https://93.184.215.14/hooks/followthrough"


def test_create_shows_the_secret_once_then_lists_gets_and_deletes(
    client: TestClient, org: OrgContext
) -> None:
    created = client.post(
        "/api/v1/webhooks",
        json={"url": PUBLIC, "events": ["flag.dismissed", "candidate.flagged", "flag.dismissed"]},
        headers=org.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["candidate.flagged", "flag.dismissed"]
    assert body["enabled"] is True and body["disabled_reason"] is None
    hook_id = body["id"]

    one = client.get(f"/api/v1/webhooks/{hook_id}", headers=org.headers)
    assert one.status_code == 200 and "secret" not in one.json()
    assert one.json()["url"] == PUBLIC
    listed = client.get("/api/v1/webhooks", headers=org.headers).json()
    assert [h["id"] for h in listed["items"]] == [hook_id] and listed["next_cursor"] is None
    assert "secret" not in listed["items"][0]

    disabled = client.post(f"/api/v1/webhooks/{hook_id}/disable", headers=org.headers)
    assert disabled.json()["enabled"] is False
    assert disabled.json()["disabled_reason"] == "Disabled by an administrator."
    enabled = client.post(f"/api/v1/webhooks/{hook_id}/enable", headers=org.headers)
    assert enabled.json()["enabled"] is True

    assert client.delete(f"/api/v1/webhooks/{hook_id}", headers=org.headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{hook_id}", headers=org.headers).status_code == 404
    assert client.get("/api/v1/webhooks", headers=org.headers).json()["items"] == []
    audit = client.get("/api/v1/audit", params={"action": "webhook"}, headers=org.headers).json()
    assert [(i["action"], i["target"], i["actor_type"]) for i in audit["items"]] == [
        (f"webhook.{verb}", f"webhook:{hook_id}", "api_key")
        for verb in ("deleted", "enabled", "disabled", "created")
    ]
    assert all(i["detail"]["url"] == PUBLIC for i in audit["items"])


def test_list_pages_with_a_cursor(client: TestClient, org: OrgContext) -> None:
    ids = [subscribe(client, org, f"{PUBLIC}/{n}")["id"] for n in range(3)]
    first = client.get("/api/v1/webhooks", params={"limit": 2}, headers=org.headers).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(
        "/api/v1/webhooks", params={"limit": 2, "cursor": first["next_cursor"]}, headers=org.headers
    ).json()
    assert [h["id"] for h in first["items"] + second["items"]] == ids
    assert second["next_cursor"] is None
    bad = client.get("/api/v1/webhooks", params={"cursor": "nonsense"}, headers=org.headers)
    assert bad.status_code == 400


def test_another_organisations_subscription_is_not_found(
    client: TestClient, org: OrgContext, other_org: OrgContext
) -> None:
    hook = subscribe(client, org, PUBLIC)
    for method, path in (
        ("GET", f"/api/v1/webhooks/{hook['id']}"),
        ("GET", f"/api/v1/webhooks/{hook['id']}/deliveries"),
        ("POST", f"/api/v1/webhooks/{hook['id']}/disable"),
        ("POST", f"/api/v1/webhooks/{hook['id']}/enable"),
        ("DELETE", f"/api/v1/webhooks/{hook['id']}"),
    ):
        response = client.request(method, path, headers=other_org.headers)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/webhooks", headers=other_org.headers).json()["items"] == []
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=org.headers).json()["enabled"]


def test_scopes_and_authentication(client: TestClient, org: OrgContext) -> None:
    body = {"url": PUBLIC, "events": ["candidate.flagged"]}
    assert client.post("/api/v1/webhooks", json=body).status_code == 401
    reader = org.key_with("read", "events:write")
    assert client.post("/api/v1/webhooks", json=body, headers=reader).status_code == 403
    assert client.get("/api/v1/webhooks", headers=reader).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"url": PUBLIC, "events": []},
        {"url": PUBLIC, "events": ["candidate.hired"]},
        {"url": PUBLIC},
        {"events": ["candidate.flagged"]},
        {"url": PUBLIC, "events": ["candidate.flagged"], "colour": "red"},
        {"url": PUBLIC + "/\x00", "events": ["candidate.flagged"]},
        {"url": "https://" + "a" * 2100 + ".com/", "events": ["candidate.flagged"]},
        {"url": 5, "events": ["candidate.flagged"]},
        {"url": PUBLIC, "events": ["candidate.flagged"], "description": "bell\x07"},
    ],
)
def test_invalid_bodies_are_422_and_store_nothing(
    client: TestClient, org: OrgContext, body: dict[str, object]
) -> None:
    response = client.post("/api/v1/webhooks", json=body, headers=org.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]
    assert client.get("/api/v1/webhooks", headers=org.headers).json()["items"] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.0.0.8/hooks",
        "https://192.168.1.1/hooks",
        "https://172.16.0.1/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[::ffff:10.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",
        "https://240.0.0.1/hooks",
        "http://93.184.215.14/hooks",
        "ftp://93.184.215.14/hooks",
        "https://user:pass@93.184.215.14/hooks",
        "not a url",
    ],
)
def test_ssrf_targets_are_refused_without_the_override(
    client: TestClient, org: OrgContext, url: str
) -> None:
    response = client.post(
        "/api/v1/webhooks", json={"url": url, "events": ["candidate.flagged"]}, headers=org.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.url"
    assert client.get("/api/v1/webhooks", headers=org.headers).json()["items"] == []


def test_the_override_allows_a_local_receiver(
    hooks_client: TestClient, org: OrgContext, receiver: Receiver
) -> None:
    hook = subscribe(hooks_client, org, receiver.url)
    assert hook["url"].startswith("http://127.0.0.1:")


def test_deliveries_of_an_unknown_id_and_bad_filters(client: TestClient, org: OrgContext) -> None:
    assert client.get("/api/v1/webhooks/nope/deliveries", headers=org.headers).status_code == 404
    hook = subscribe(client, org, PUBLIC)
    path = f"/api/v1/webhooks/{hook['id']}/deliveries"
    assert client.get(path, params={"status": "weird"}, headers=org.headers).status_code == 422
    assert client.get(path, params={"cursor": "x"}, headers=org.headers).status_code == 400
    empty = client.get(path, params={"status": "pending"}, headers=org.headers)
    assert empty.status_code == 200 and empty.json() == {"items": [], "next_cursor": None}
