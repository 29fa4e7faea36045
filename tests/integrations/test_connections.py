"""Connections: creation (secret shown once, stored sealed), listing, deletion, tenancy."""

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select

from app.core.db import create_sessionmaker, transaction
from app.core.settings import Settings
from app.integrations.models import IntegrationConnection
from app.integrations.sealing import seal, unseal
from app.main import create_app
from tests.factories import OrgContext
from tests.integrations.conftest import Connection, connect


def test_create_returns_url_and_secret_once(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    response = client.post(
        "/api/v1/integrations", json={"provider": "greenhouse", "name": "GH"}, headers=org.headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) >= {"id", "provider", "name", "webhook_url", "secret"}
    assert created["webhook_url"].endswith(f"/api/v1/integrations/{created['id']}/webhook")
    assert len(created["secret"]) >= 32
    listed = client.get("/api/v1/integrations", headers=org.headers).json()
    [item] = [i for i in listed["items"] if i["id"] == created["id"]]
    assert "secret" not in item
    assert item["webhook_url"] == created["webhook_url"]
    one = client.get(f"/api/v1/integrations/{created['id']}", headers=org.headers)
    assert one.status_code == 200
    assert one.json()["deliveries"] == 0 and "secret" not in one.json()
    with transaction(create_sessionmaker(engine)) as session:
        row = session.scalar(
            select(IntegrationConnection).where(IntegrationConnection.id == created["id"])
        )
        assert row is not None
        assert created["secret"] not in row.secret_sealed


def test_given_secret_is_kept(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "calendly", "my-own-signing-key")
    assert connection.secret == "my-own-signing-key"


def test_sealing_round_trip_and_key_change() -> None:
    sealed = seal("s3cret-value", secret_key="key-one")
    assert unseal(sealed, secret_key="key-one") == "s3cret-value"
    assert unseal(sealed, secret_key="key-two") is None
    assert unseal("garbage", secret_key="key-one") is None


def test_invalid_input_is_422(client: TestClient, org: OrgContext) -> None:
    for body in (
        {"provider": "workday", "name": "x"},
        {"provider": "email"},
        {"provider": "email", "name": ""},
        {"provider": "email", "name": "x", "secret": "short"},
        {"provider": "email", "name": "x", "secret": "has space inside"},
        {"provider": "email", "name": "bad\x00name"},
        {"provider": "email", "name": "x", "extra": 1},
    ):
        response = client.post("/api/v1/integrations", json=body, headers=org.headers)
        assert response.status_code == 422, body
        assert response.json()["errors"]


def test_scopes_and_tenancy(client: TestClient, org: OrgContext, other_org: OrgContext) -> None:
    reader = org.key_with("read", "events:write")
    body = {"provider": "email", "name": "Inbox"}
    assert client.post("/api/v1/integrations", json=body).status_code == 401
    assert client.post("/api/v1/integrations", json=body, headers=reader).status_code == 403
    assert client.get("/api/v1/integrations", headers=reader).status_code == 403
    connection = connect(client, org, "email")
    for method, path in (
        ("GET", f"/api/v1/integrations/{connection.id}"),
        ("DELETE", f"/api/v1/integrations/{connection.id}"),
        ("GET", f"/api/v1/integrations/{connection.id}/unmatched"),
        ("GET", f"/api/v1/integrations/{connection.id}/deliveries"),
    ):
        response = client.request(method, path, headers=other_org.headers)
        assert response.status_code == 404, path
    others = client.get("/api/v1/integrations", headers=other_org.headers).json()["items"]
    assert connection.id not in {i["id"] for i in others}


def test_delete_stops_deliveries(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "email")
    response = client.delete(f"/api/v1/integrations/{connection.id}", headers=org.headers)
    assert response.status_code == 204
    gone = client.post(
        connection.path,
        content=b"From: a@b.example\r\n\r\nhi",
        headers={"Content-Type": "message/rfc822", "Authorization": f"Bearer {connection.secret}"},
    )
    assert gone.status_code == 401  # as for a bad signature: ids are not confirmed
    assert (
        client.delete(f"/api/v1/integrations/{connection.id}", headers=org.headers).status_code
        == 404
    )
    assert client.post("/api/v1/integrations/nope/webhook", content=b"x").status_code == 401
    audit = client.get("/api/v1/audit", params={"action": "integration"}, headers=org.headers)
    assert [(i["action"], i["target"], i["actor_type"]) for i in audit.json()["items"]] == [
        ("integration.deleted", f"integration:{connection.id}", "api_key"),
        ("integration.created", f"integration:{connection.id}", "api_key"),
    ]
    assert audit.json()["items"][0]["detail"]["provider"] == "email"


def test_list_is_paginated(client: TestClient, org: OrgContext) -> None:
    ids = {connect(client, org, "email").id for _ in range(3)}
    first = client.get("/api/v1/integrations?limit=2", headers=org.headers).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(
        f"/api/v1/integrations?limit=2&cursor={first['next_cursor']}", headers=org.headers
    ).json()
    seen = {i["id"] for i in first["items"] + second["items"]}
    assert ids <= seen
    assert client.get("/api/v1/integrations?cursor=%%%", headers=org.headers).status_code == 400


def test_deliveries_are_rate_limited_per_connection(
    settings: Settings, engine: Engine, org: OrgContext
) -> None:
    app = create_app(
        settings.model_copy(update={"rate_limit_integration": "3 per minute"}), engine=engine
    )
    client = TestClient(app)
    first, second = connect(client, org, "email"), connect(client, org, "email")
    sent = iter(range(100))

    def deliver(connection: Connection) -> Response:
        mail = (
            f"From: nobody@unknown.example\r\nMessage-ID: <{next(sent)}@unknown.example>\r\n"
            "Subject: hi\r\n\r\nhello"
        ).encode()
        return client.post(
            connection.path,
            content=mail,
            headers={
                "Content-Type": "message/rfc822",
                "Authorization": f"Bearer {connection.secret}",
            },
        )

    statuses = [deliver(first).status_code for _ in range(4)]
    assert statuses[:3] == [202, 202, 202] and statuses[3] == 429
    refused = deliver(first)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # The refused deliveries stored nothing; another connection has its own allowance.
    listed = client.get(f"/api/v1/integrations/{first.id}", headers=org.headers).json()
    assert listed["deliveries"] == 3
    assert deliver(second).status_code == 202
