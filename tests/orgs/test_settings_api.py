"""The scoring settings document: versions, validation, effect on business time."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, event_body


def test_defaults_and_versions(client: TestClient, org: OrgContext) -> None:
    current = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    assert current["version"] == 1
    assert current["working_hours"] == {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
    assert current["holiday_country"] is None and current["body_retention"] == "keep"
    assert current["thresholds"]["no_callback_business_hours"] == 8
    current["timezone"] = "America/New_York"
    current["holiday_country"] = "us"
    saved = client.put("/api/v1/settings/scoring", json=current, headers=org.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2 and saved.json()["holiday_country"] == "US"
    assert client.get("/api/v1/settings/scoring", headers=org.headers).json()["version"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"working_hours": {"days": [0, 7], "start": "09:00", "end": "17:00"}}, "days"),
        ({"working_hours": {"days": [0], "start": "18:00", "end": "17:00"}}, "working_hours"),
        ({"working_hours": {"days": [0], "start": "9am", "end": "17:00"}}, "start"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"body_retention": "shred"}, "body_retention"),
        ({"thresholds": {"ghosting_attempts": 0}}, "ghosting_attempts"),
        ({"thresholds": {"slow_reply_business_hours": -1}}, "slow_reply_business_hours"),
        ({"weights": {"ghosting": 500}}, "ghosting"),
        ({"weights": {"made_up": 1}}, "made_up"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_invalid_documents_are_422_and_change_nothing(
    client: TestClient, org: OrgContext, change: dict[str, Any], field: str
) -> None:
    document = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    document.update(change)
    response = client.put("/api/v1/settings/scoring", json=document, headers=org.headers)
    assert response.status_code == 422, response.text
    assert any(field in e["field"] for e in response.json()["errors"]), response.json()
    assert client.get("/api/v1/settings/scoring", headers=org.headers).json()["version"] == 1


def test_holidays_and_working_hours_change_business_time(
    client: TestClient, org: OrgContext
) -> None:
    candidate = create_candidate(client, org)  # no zone of their own: the org's applies
    ext = candidate["external_id"]
    client.post(
        "/api/v1/events/batch",
        json={
            "events": [
                event_body(ext, occurred_at="2025-11-26T16:00:00-05:00"),
                event_body(ext, direction="inbound", occurred_at="2025-11-28T10:00:00-05:00"),
            ]
        },
        headers=org.headers,
    )

    def business_seconds() -> int:
        timeline = client.get(
            f"/api/v1/candidates/{candidate['id']}/timeline", headers=org.headers
        ).json()
        return int(timeline["exchanges"][0]["business_seconds"])

    document = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    document["timezone"] = "America/New_York"
    client.put("/api/v1/settings/scoring", json=document, headers=org.headers)
    assert business_seconds() == (1 + 8 + 1) * 3600  # Wed 16-17, Thu, Fri 9-10
    document["holiday_country"] = "US"
    client.put("/api/v1/settings/scoring", json=document, headers=org.headers)
    assert business_seconds() == (1 + 1) * 3600  # Thanksgiving does not count
    document["working_hours"] = {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"}
    client.put("/api/v1/settings/scoring", json=document, headers=org.headers)
    assert business_seconds() == (2 + 2) * 3600


def test_scores_name_their_settings_version(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org)
    client.post("/api/v1/events", json=event_body(candidate["external_id"]), headers=org.headers)
    url = f"/api/v1/candidates/{candidate['id']}"
    assert client.get(url, headers=org.headers).json()["settings_version"] == 1
    document = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    document["weights"]["ghosting"] = 60
    client.put("/api/v1/settings/scoring", json=document, headers=org.headers)
    assert client.get(url, headers=org.headers).json()["settings_version"] == 2
