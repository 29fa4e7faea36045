"""Greenhouse web hooks: signed payloads in Greenhouse's shape become candidate changes."""

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, unique
from tests.integrations.conftest import (
    Connection,
    connect,
    deliveries,
    find_candidate,
    greenhouse_headers,
    post_json,
    timeline,
)

SECRET = "greenhouse-secret-key-1"


def application_payload(
    action: str,
    candidate_id: int,
    *,
    stage: str = "Phone Screen",
    status: str = "active",
    email: str | None = None,
    application_id: int = 0,
) -> dict[str, Any]:
    return {
        "action": action,
        "payload": {
            "application": {
                "id": application_id or candidate_id + 1000,
                "status": status,
                "prospect": False,
                "applied_at": "2026-11-01T12:00:00Z",
                "jobs": [{"id": 107761, "name": "UX Designer - Boston"}],
                "current_stage": {"id": 767358, "name": stage, "interview_kit": None},
                "candidate": {
                    "id": candidate_id,
                    "first_name": "John",
                    "last_name": "Locke",
                    "email_addresses": [
                        {"value": email or f"{candidate_id}@example.org", "type": "personal"}
                    ],
                    "phone_numbers": [{"value": "+1 555 0100", "type": "mobile"}],
                    "recruiter": {"id": 1, "email": "kate@acme.example"},
                },
            }
        },
    }


def send(
    client: TestClient, connection: Connection, payload: Any, event_id: str | None = None
) -> Any:
    body = json.dumps(payload).encode()
    return post_json(client, connection, body, greenhouse_headers(SECRET, body, event_id))


def new_id() -> int:
    return int(unique("1").split("-")[1]) * 1000 + 7


def test_stage_change_creates_the_candidate_and_sets_stage(
    client: TestClient, org: OrgContext
) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    client.post(
        "/api/v1/recruiters",
        json={"external_id": "kate", "name": "Kate", "email": "kate@acme.example"},
        headers=org.headers,
    )
    gh_id = new_id()
    response = send(client, connection, application_payload("candidate_stage_change", gh_id))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "processed"
    candidate = find_candidate(client, org, f"greenhouse:{gh_id}")
    assert candidate is not None
    assert candidate["stage"] == "Phone Screen"
    assert candidate["name"] == "John Locke"
    assert candidate["job"] == "UX Designer - Boston"
    assert candidate["recruiter_external_id"] == "kate"
    send(client, connection, application_payload("candidate_stage_change", gh_id, stage="Onsite"))
    assert find_candidate(client, org, f"greenhouse:{gh_id}")["stage"] == "Onsite"  # type: ignore[index]


def test_existing_candidate_with_that_email_is_used(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    existing = create_candidate(client, org, email="Known.Person@example.org")
    gh_id = new_id()
    payload = application_payload("candidate_stage_change", gh_id, email="known.person@example.org")
    assert send(client, connection, payload).status_code == 200
    assert find_candidate(client, org, f"greenhouse:{gh_id}") is None
    updated = client.get(f"/api/v1/candidates/{existing['id']}", headers=org.headers).json()
    assert updated["stage"] == "Phone Screen"
    # Later deliveries without the e-mail still reach the same candidate (by Greenhouse id).
    payload = application_payload("hire_candidate", gh_id, email="other@example.org")
    assert send(client, connection, payload).status_code == 200
    updated = client.get(f"/api/v1/candidates/{existing['id']}", headers=org.headers).json()
    assert updated["status"] == "hired"


def test_hired_and_rejected_set_the_status(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    gh_id = new_id()
    send(client, connection, application_payload("reject_candidate", gh_id, status="rejected"))
    assert find_candidate(client, org, f"greenhouse:{gh_id}")["status"] == "rejected"  # type: ignore[index]
    send(client, connection, application_payload("unreject_candidate", gh_id))
    assert find_candidate(client, org, f"greenhouse:{gh_id}")["status"] == "active"  # type: ignore[index]
    send(client, connection, application_payload("hire_candidate", gh_id, status="hired"))
    assert find_candidate(client, org, f"greenhouse:{gh_id}")["status"] == "hired"  # type: ignore[index]


def interview_payload(
    action: str, gh_id: int, interview_id: int, start: str, status: str = "scheduled"
) -> dict[str, Any]:
    payload = application_payload(action, gh_id)
    payload["payload"]["interview"] = {
        "id": interview_id,
        "application_id": gh_id + 1000,
        "start": {"date_time": start},
        "end": {"date_time": start.replace("T14", "T15")},
        "location": "https://zoom.us/j/123",
        "status": status,
        "updated_at": "2026-11-20T10:00:00Z",
        "organizer": {"email": "kate@acme.example"},
    }
    return payload


def test_interview_events_become_meetings(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    gh_id, interview_id = new_id(), new_id()
    send(client, connection, application_payload("candidate_stage_change", gh_id))
    candidate = find_candidate(client, org, f"greenhouse:{gh_id}")
    assert candidate is not None
    first = interview_payload("interview_created", gh_id, interview_id, "2026-11-25T14:00:00Z")
    assert send(client, connection, first).json()["status"] == "processed"
    moved = interview_payload("interview_updated", gh_id, interview_id, "2026-11-26T14:00:00Z")
    assert send(client, connection, moved).json()["status"] == "processed"
    deleted = {"action": "interview_deleted", "payload": {"interview": {"id": interview_id}}}
    assert send(client, connection, deleted).json()["status"] == "processed"
    events = timeline(client, org, candidate["id"])
    assert [(e["type"], e["outcome"], e["direction"]) for e in events] == [
        ("meeting", "scheduled", "outbound"),
        ("meeting", "rescheduled", "outbound"),
        ("meeting", "cancelled", "outbound"),
    ]
    assert events[0]["scheduled_for"].startswith("2026-11-25T14:00:00")
    assert events[0]["channel"] == "video"
    assert events[1]["scheduled_for"].startswith("2026-11-26T14:00:00")


def test_candidate_deleted_erases_and_stays_erased(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    gh_id = new_id()
    send(client, connection, application_payload("candidate_stage_change", gh_id))
    candidate = find_candidate(client, org, f"greenhouse:{gh_id}")
    assert candidate is not None
    erase = {"action": "delete_candidate", "payload": {"candidate": {"id": gh_id}}}
    response = send(client, connection, erase)
    assert response.status_code == 200 and response.json()["status"] == "processed"
    assert (
        client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers).status_code == 404
    )
    # A late stage change (a retry) does not bring them back.
    late = send(client, connection, application_payload("candidate_stage_change", gh_id))
    assert late.status_code == 200
    assert late.json()["status"] == "ignored"
    assert find_candidate(client, org, f"greenhouse:{gh_id}") is None


def test_candidate_anonymised_erases_an_existing_candidate(
    client: TestClient, org: OrgContext
) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    existing = create_candidate(client, org, email="anon.me@example.org")
    gh_id = new_id()
    payload = application_payload("candidate_stage_change", gh_id, email="anon.me@example.org")
    send(client, connection, payload)
    anonymise = {"action": "candidate_anonymized", "payload": {"candidate": {"id": str(gh_id)}}}
    assert send(client, connection, anonymise).json()["status"] == "processed"
    assert (
        client.get(f"/api/v1/candidates/{existing['id']}", headers=org.headers).status_code == 404
    )


def test_bad_signature_is_401_and_stores_nothing(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    gh_id = new_id()
    body = json.dumps(application_payload("candidate_stage_change", gh_id)).encode()
    for headers in (
        {"Signature": "sha256 " + "0" * 64},
        {"Signature": "sha1 abc"},
        {},
        greenhouse_headers("another-secret", body),
    ):
        response = post_json(client, connection, body, headers)
        assert response.status_code == 401, headers
        assert response.json()["status"] == 401
    assert find_candidate(client, org, f"greenhouse:{gh_id}") is None
    assert deliveries(client, org, connection) == []


def test_duplicate_event_id_is_stored_once(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    gh_id, interview_id = new_id(), new_id()
    send(client, connection, application_payload("candidate_stage_change", gh_id))
    payload = interview_payload("interview_created", gh_id, interview_id, "2026-11-25T14:00:00Z")
    event_id = unique("gh-dup")
    assert send(client, connection, payload, event_id).json()["status"] == "processed"
    again = send(client, connection, payload, event_id)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    candidate = find_candidate(client, org, f"greenhouse:{gh_id}")
    assert candidate is not None
    assert len(timeline(client, org, candidate["id"])) == 1
    assert len(deliveries(client, org, connection)) == 2


def test_unknown_action_and_malformed_body_are_2xx(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    ping = send(client, connection, {"action": "ping", "payload": {"web_hook_id": 1}})
    assert ping.status_code == 200 and ping.json()["status"] == "ignored"
    other = send(client, connection, {"action": "job_created", "payload": {"job": {"id": 1}}})
    assert other.status_code == 200 and other.json()["status"] == "ignored"
    odd = send(client, connection, {"action": "candidate_stage_change", "payload": [1, 2]})
    assert odd.status_code == 200
    body = b"{not json"
    broken = post_json(client, connection, body, greenhouse_headers(SECRET, body))
    assert broken.status_code == 200 and broken.json()["status"] == "error"
    outcomes = [d["outcome"] for d in deliveries(client, org, connection)]
    assert "error" in outcomes and "ignored" in outcomes


def test_candidate_erased_here_is_not_recreated_by_the_ats(
    client: TestClient, org: OrgContext
) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    gh_id = new_id()
    send(client, connection, application_payload("candidate_stage_change", gh_id))
    candidate = find_candidate(client, org, f"greenhouse:{gh_id}")
    assert candidate is not None
    erased = client.delete(f"/api/v1/candidates/{candidate['id']}", headers=org.headers)
    assert erased.status_code == 204
    late = send(client, connection, application_payload("candidate_stage_change", gh_id))
    assert late.status_code == 200 and late.json()["status"] == "ignored"
    assert find_candidate(client, org, f"greenhouse:{gh_id}") is None


def test_unknown_candidate_and_interview_are_ignored(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    erase = {"action": "delete_candidate", "payload": {"candidate": {"id": new_id()}}}
    response = send(client, connection, erase)
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert "nothing to erase" in response.json()["detail"]
    deleted = {"action": "interview_deleted", "payload": {"interview": {"id": new_id()}}}
    response = send(client, connection, deleted)
    assert response.status_code == 200 and response.json()["status"] == "ignored"


def test_hire_payload_with_candidate_beside_the_application(
    client: TestClient, org: OrgContext
) -> None:
    connection = connect(client, org, "greenhouse", SECRET)
    gh_id = new_id()
    payload = {
        "action": "candidate_hired",
        "payload": {
            "application": {
                "id": gh_id + 5,
                "candidate_id": gh_id,
                "applied_at": "2026-09-29T12:56:05.244Z",
                "status": "hired",
                "jobs": [{"id": 107761, "name": "UX Designer - Boston"}],
                "current_stage": {"id": 767358, "name": "Hired"},
            },
            "candidate": {
                "id": gh_id,
                "first_name": "John",
                "last_name": "Locke",
                "company": "The Tustin Box Company",
                "title": "Man of Mystery",
            },
        },
    }
    assert send(client, connection, payload).json()["status"] == "processed"
    candidate = find_candidate(client, org, f"greenhouse:{gh_id}")
    assert candidate is not None
    assert (candidate["status"], candidate["stage"], candidate["name"]) == (
        "hired",
        "Hired",
        "John Locke",
    )
