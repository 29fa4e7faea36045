"""Small factories for tests: organisations, keys, candidates and events."""

import itertools
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.db import create_sessionmaker, transaction
from app.orgs import service as orgs_service

_counter = itertools.count(1)


@dataclass
class OrgContext:
    org_id: str
    api_key: str
    engine: Engine
    name: str = "Test Org"
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def key_with(self, *scopes: str) -> dict[str, str]:
        """Headers for a new key carrying exactly `scopes`."""
        with transaction(create_sessionmaker(self.engine)) as session:
            _, key = orgs_service.create_api_key(
                session, org_id=self.org_id, name="test", scopes=list(scopes)
            )
        return {"Authorization": f"Bearer {key}"}


def make_org(engine: Engine, *, name: str = "Test Org") -> OrgContext:
    with transaction(create_sessionmaker(engine)) as session:
        org, key = orgs_service.create_organisation(session, name=name)
        return OrgContext(org_id=org.id, api_key=key, engine=engine, name=name)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def create_candidate(client: TestClient, org: OrgContext, **fields: Any) -> dict[str, Any]:
    body = {"external_id": unique("cand"), "name": "Test Candidate", **fields}
    response = client.post("/api/v1/candidates", json=body, headers=org.headers)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def event_body(candidate_external_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": unique("ev"),
        "candidate_external_id": candidate_external_id,
        "direction": "outbound",
        "channel": "email",
        "type": "message",
        "occurred_at": "2026-11-02T10:00:00+00:00",
    }
    body.update(fields)
    return body


def post_event(client: TestClient, org: OrgContext, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/events", json=body, headers=org.headers)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def load_scenario(
    client: TestClient, org: OrgContext, scenario: dict[str, Any], *, order: list[int] | None = None
) -> str:
    """Post a scenario's candidate and events (optionally in another order); return its id."""
    candidate = create_candidate(client, org, **scenario["candidate"])
    events = [
        dict(e, candidate_external_id=scenario["candidate"]["external_id"])
        for e in scenario["events"]
    ]
    if order is not None:
        events = [events[i] for i in order]
    response = client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    assert response.status_code == 200, response.text
    statuses = [r["status"] for r in response.json()["results"]]
    assert all(s in (200, 201) for s in statuses), response.text
    return str(candidate["id"])
