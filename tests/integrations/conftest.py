"""Helpers for inbound-integration tests: connections and real provider signatures."""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.integrations.twilio import signature_for
from tests.factories import OrgContext, unique


@dataclass
class Connection:
    id: str
    provider: str
    secret: str
    webhook_url: str

    @property
    def path(self) -> str:
        return f"/api/v1/integrations/{self.id}/webhook"


def connect(
    client: TestClient, org: OrgContext, provider: str, secret: str | None = None
) -> Connection:
    body: dict[str, Any] = {"provider": provider, "name": unique(provider)}
    if secret is not None:
        body["secret"] = secret
    response = client.post("/api/v1/integrations", json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    data = response.json()
    return Connection(data["id"], provider, data["secret"], data["webhook_url"])


def hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def post_json(
    client: TestClient, connection: Connection, payload: Any, headers: dict[str, str]
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        connection.path, content=body, headers={"Content-Type": "application/json", **headers}
    )


def greenhouse_headers(secret: str, body: bytes, event_id: str | None = None) -> dict[str, str]:
    return {
        "Signature": "sha256 " + hex_hmac(secret, body),
        "Greenhouse-Event-ID": event_id or unique("gh-event"),
    }


def ashby_headers(secret: str, body: bytes) -> dict[str, str]:
    return {"Ashby-Signature": "sha256=" + hex_hmac(secret, body)}


def calendly_headers(secret: str, body: bytes, at: int | None = None) -> dict[str, str]:
    t = str(at if at is not None else int(time.time()))
    return {"Calendly-Webhook-Signature": f"t={t},v1=" + hex_hmac(secret, f"{t}.".encode() + body)}


def lever_envelope(
    secret: str, event: str, data: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    token = token or unique("lever-token")
    triggered_at = int(time.time() * 1000)
    return {
        "event": event,
        "data": data,
        "token": token,
        "triggeredAt": triggered_at,
        "signature": hex_hmac(secret, f"{token}{triggered_at}".encode()),
    }


def twilio_post(
    client: TestClient, connection: Connection, params: dict[str, str], secret: str | None = None
) -> Any:
    url = str(client.app.state.settings.base_url).rstrip("/") + connection.path  # type: ignore[attr-defined]
    signature = signature_for(url, params, secret or connection.secret)
    return client.post(
        connection.path,
        data=params,
        headers={"X-Twilio-Signature": signature},
    )


def basic(secret: str) -> str:
    return "Basic " + base64.b64encode(f"sendgrid:{secret}".encode()).decode()


def timeline(client: TestClient, org: OrgContext, candidate_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/candidates/{candidate_id}/timeline", headers=org.headers)
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def find_candidate(client: TestClient, org: OrgContext, external_id: str) -> dict[str, Any] | None:
    response = client.get(
        "/api/v1/candidates", params={"external_id": external_id}, headers=org.headers
    )
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items[0] if items else None


def deliveries(client: TestClient, org: OrgContext, connection: Connection) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/integrations/{connection.id}/deliveries", headers=org.headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


@pytest.fixture
def email_connection(client: TestClient, org: OrgContext) -> Connection:
    return connect(client, org, "email", secret="mailgun-signing-key-123")
