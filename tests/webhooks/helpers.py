"""Helpers for webhook tests."""

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.core.db import create_sessionmaker
from app.core.ids import utcnow
from app.derivation import flows
from tests.factories import OrgContext, event_body


def subscribe(
    client: TestClient, org: OrgContext, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = client.post(
        "/api/v1/webhooks",
        json={
            "url": url,
            "events": events
            or ["candidate.flagged", "candidate.band_changed", "flag.cleared", "flag.dismissed"],
        },
        headers=org.headers,
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def post_events(client: TestClient, org: OrgContext, events: list[dict[str, Any]]) -> None:
    response = client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    assert response.status_code == 200, response.text
    assert all(r["status"] in (200, 201) for r in response.json()["results"]), response.text
    # Derivation (which raises flags and so webhook messages) runs after the write, in the
    # background; run it now, as a worker would.
    flows.derive_pending(create_sessionmaker(org.engine), org_id=org.org_id)


def no_show(ext: str, when: str) -> dict[str, Any]:
    return event_body(ext, type="meeting", channel="video", outcome="no_show", occurred_at=when)


def bodies(requests: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in requests]


def deliveries(client: TestClient, org: OrgContext, webhook_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/webhooks/{webhook_id}/deliveries", headers=org.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def ago(days: float) -> str:
    """An RFC 3339 instant `days` before now (the ingest evaluates as of the real clock)."""
    return (utcnow() - timedelta(days=days)).isoformat()
