"""Seed an organisation through the HTTP API with the shared scenario stories."""

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import SCENARIOS_DIR
from tests.factories import OrgContext, create_candidate, event_body, load_scenario, post_event

RECRUITERS = (
    {"external_id": "rec-ana", "name": "Ana Alvarez", "email": "ana@example.com"},
    {"external_id": "rec-ben", "name": "Ben Okafor", "email": "ben@example.com"},
    {"external_id": "rec-cy", "name": "Cy No-Email"},
)
# Which recruiter owns each scenario's candidate.
OWNERS = {
    "seed-not-that-into-you": "rec-ana",
    "out-of-office-is-not-ghosting": "rec-ana",
    "seed-diligent-follow-up": "rec-ben",
    "weekend-is-not-slow": "rec-ben",
}
WEEK = "2026-W47"
# 2026-W47 is 16-22 November; its end in New York (EST, UTC-5) is 23 Nov 05:00 UTC.
WEEK_END_NY = "2026-11-23T05:00:00Z"


def set_timezone(client: TestClient, org: OrgContext, timezone: str) -> None:
    current = client.get("/api/v1/settings/scoring", headers=org.headers)
    assert current.status_code == 200, current.text
    document = {k: v for k, v in current.json().items() if k not in ("version", "created_at", "id")}
    document["timezone"] = timezone
    response = client.put("/api/v1/settings/scoring", json=document, headers=org.headers)
    assert response.status_code == 200, response.text


def create_recruiters(client: TestClient, org: OrgContext) -> None:
    for recruiter in RECRUITERS:
        response = client.post("/api/v1/recruiters", json=recruiter, headers=org.headers)
        assert response.status_code in (200, 201), response.text


def load_stories(client: TestClient, org: OrgContext) -> dict[str, str]:
    """Load every scenario (owned per OWNERS); return candidate ids by scenario name."""
    ids: dict[str, str] = {}
    for path in sorted(SCENARIOS_DIR.glob("*.json")):
        scenario: dict[str, Any] = json.loads(path.read_text())
        owner = OWNERS.get(scenario["name"], "rec-ana")
        scenario["candidate"] = dict(scenario["candidate"], recruiter_external_id=owner)
        ids[scenario["name"]] = load_scenario(client, org, scenario)
    return ids


def add_mirror_view(client: TestClient, org: OrgContext) -> dict[str, str]:
    """A candidate waiting on us (unanswered message) and one with an overdue promise."""
    waiting = create_candidate(
        client, org, external_id="waiting-1", name="Wren Waiting", recruiter_external_id="rec-ben"
    )
    post_event(client, org, event_body("waiting-1", occurred_at="2026-11-16T15:00:00Z"))
    post_event(
        client,
        org,
        event_body(
            "waiting-1",
            direction="inbound",
            occurred_at="2026-11-18T14:00:00Z",
            body="Hi, any news on the role? Happy to answer questions.",
        ),
    )
    promised = create_candidate(
        client, org, external_id="promise-1", name="Pat Promised", recruiter_external_id="rec-ana"
    )
    post_event(
        client,
        org,
        event_body(
            "promise-1",
            occurred_at="2026-11-16T16:00:00Z",
            expects_reply=False,
            promised_by="2026-11-19T17:00:00Z",
            body="We will get back to you by Thursday.",
        ),
    )
    return {"waiting": str(waiting["id"]), "promised": str(promised["id"])}


def seed_org(
    client: TestClient, org: OrgContext, *, timezone: str = "America/New_York"
) -> dict[str, str]:
    set_timezone(client, org, timezone)
    create_recruiters(client, org)
    ids = load_stories(client, org)
    ids.update(add_mirror_view(client, org))
    return ids
