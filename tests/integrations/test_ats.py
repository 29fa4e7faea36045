"""Lever and Ashby webhooks: stage changes, interviews, deletion, signatures, duplicates."""

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import OrgContext, unique
from tests.integrations.conftest import (
    Connection,
    ashby_headers,
    connect,
    deliveries,
    find_candidate,
    lever_envelope,
    post_json,
    timeline,
)

LEVER_TOKENS = "lever-stage-token,lever-interview-token"
ASHBY_SECRET = "ashby-secret-token"


def lever(client: TestClient, connection: Connection, envelope: dict[str, Any]) -> Any:
    return post_json(client, connection, envelope, {})


def test_lever_stage_change_hire_archive_and_delete(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "lever", LEVER_TOKENS)
    opp = unique("opp")
    data = {
        "opportunityId": opp,
        "candidateId": opp,
        "contactId": unique("contact"),
        "fromStageId": "lead-new",
        "toStageId": "applicant-new",
    }
    response = lever(
        client, connection, lever_envelope("lever-stage-token", "candidateStageChange", data)
    )
    assert response.status_code == 200, response.text
    candidate = find_candidate(client, org, f"lever:{opp}")
    assert candidate is not None and candidate["stage"] == "applicant-new"
    archived = {"opportunityId": opp, "toArchived": {"reason": "r1", "archivedAt": 1}}
    lever(
        client, connection, lever_envelope("lever-stage-token", "candidateArchiveChange", archived)
    )
    assert find_candidate(client, org, f"lever:{opp}")["status"] == "rejected"  # type: ignore[index]
    hired = {"opportunityId": opp}
    lever(client, connection, lever_envelope("lever-stage-token", "candidateHired", hired))
    assert find_candidate(client, org, f"lever:{opp}")["status"] == "hired"  # type: ignore[index]
    deleted = lever(
        client,
        connection,
        lever_envelope("lever-stage-token", "candidateDeleted", {"opportunityId": opp}),
    )
    assert deleted.json()["status"] == "processed"
    assert (
        client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers).status_code == 404
    )


def test_lever_interviews(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "lever", LEVER_TOKENS)
    opp, interview = unique("opp"), unique("iv")
    created = {
        "opportunityId": opp,
        "interviewId": interview,
        "interview": {"id": interview, "date": 1796306400000, "location": "Zoom"},
    }
    token = "lever-interview-token"
    assert (
        lever(client, connection, lever_envelope(token, "interviewCreated", created)).status_code
        == 200
    )
    no_time = {"opportunityId": opp, "interviewId": unique("iv"), "panelId": "p"}
    skipped = lever(client, connection, lever_envelope(token, "interviewCreated", no_time))
    assert skipped.json()["status"] == "ignored"
    deleted = {"opportunityId": opp, "interviewId": interview}
    lever(client, connection, lever_envelope(token, "interviewDeleted", deleted))
    candidate = find_candidate(client, org, f"lever:{opp}")
    assert candidate is not None
    events = timeline(client, org, candidate["id"])
    assert [(e["outcome"], e["channel"]) for e in events] == [
        ("scheduled", "video"),
        ("cancelled", "other"),  # Lever's deletion names no place
    ]


def test_lever_signature_and_duplicate_token(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "lever", LEVER_TOKENS)
    opp = unique("opp")
    envelope = lever_envelope("not-a-token", "candidateStageChange", {"opportunityId": opp})
    assert lever(client, connection, envelope).status_code == 401
    tampered = lever_envelope("lever-stage-token", "candidateStageChange", {"opportunityId": opp})
    tampered["triggeredAt"] += 1
    assert lever(client, connection, tampered).status_code == 401
    assert post_json(client, connection, b"not json", {}).status_code == 401
    assert find_candidate(client, org, f"lever:{opp}") is None
    good = lever_envelope(
        "lever-stage-token", "candidateStageChange", {"opportunityId": opp, "toStageId": "s1"}
    )
    assert lever(client, connection, good).json()["status"] == "processed"
    assert lever(client, connection, good).json()["status"] == "duplicate"
    assert len(deliveries(client, org, connection)) == 1


def test_lever_needs_its_token_to_connect(client: TestClient, org: OrgContext) -> None:
    response = client.post(
        "/api/v1/integrations", json={"provider": "lever", "name": "Lever"}, headers=org.headers
    )
    assert response.status_code == 422


def ashby(client: TestClient, connection: Connection, payload: Any) -> Any:
    body = json.dumps(payload).encode()
    return post_json(client, connection, body, ashby_headers(ASHBY_SECRET, body))


def ashby_application(
    action: str, candidate_id: str, stage: str, status: str = "Active"
) -> dict[str, Any]:
    return {
        "action": action,
        "webhookActionId": unique("wa"),
        "data": {
            "application": {
                "id": candidate_id + "-app",
                "status": status,
                "candidate": {
                    "id": candidate_id,
                    "name": "Adam Hart",
                    "primaryEmailAddress": {
                        "value": f"{candidate_id}@example.org",
                        "type": "Personal",
                        "isPrimary": True,
                    },
                    "primaryPhoneNumber": {
                        "value": "+44 20 7946 0000",
                        "type": "Mobile",
                        "isPrimary": True,
                    },
                },
                "currentInterviewStage": {"id": "s", "title": stage, "type": "Active"},
                "job": {"id": "j", "title": "Software Engineer"},
            }
        },
    }


def test_ashby_stage_change_interviews_and_delete(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "ashby", ASHBY_SECRET)
    cid = unique("ashby-cand")
    assert (
        ashby(
            client, connection, ashby_application("candidateStageChange", cid, "Technical")
        ).status_code
        == 200
    )
    candidate = find_candidate(client, org, f"ashby:{cid}")
    assert candidate is not None
    assert (candidate["stage"], candidate["job"], candidate["name"]) == (
        "Technical",
        "Software Engineer",
        "Adam Hart",
    )
    schedule = {
        "action": "interviewScheduleCreate",
        "webhookActionId": unique("wa"),
        "data": {
            "interviewSchedule": {
                "id": unique("sched"),
                "applicationId": cid + "-app",
                "candidateId": cid,
                "status": "Scheduled",
                "updatedAt": "2026-11-20T10:00:00.000Z",
                "interviewEvents": [
                    {
                        "id": "ev-" + cid,
                        "startTime": "2026-11-27T15:00:00.000Z",
                        "endTime": "2026-11-27T16:00:00.000Z",
                        "meetingLink": "https://meet.google.com/abc",
                    }
                ],
            }
        },
    }
    assert ashby(client, connection, schedule).json()["status"] == "processed"
    cancelled = json.loads(json.dumps(schedule))
    cancelled["action"] = "interviewScheduleUpdate"
    cancelled["data"]["interviewSchedule"]["status"] = "Cancelled"
    assert ashby(client, connection, cancelled).json()["status"] == "processed"
    events = timeline(client, org, candidate["id"])
    assert [e["outcome"] for e in events] == ["scheduled", "cancelled"]
    hired = ashby_application("candidateHire", cid, "Hired", status="Hired")
    ashby(client, connection, hired)
    assert find_candidate(client, org, f"ashby:{cid}")["status"] == "hired"  # type: ignore[index]
    delete = {
        "action": "candidateDelete",
        "webhookActionId": unique("wa"),
        "data": {"candidate": {"id": cid}},
    }
    assert ashby(client, connection, delete).json()["status"] == "processed"
    assert find_candidate(client, org, f"ashby:{cid}") is None


def test_ashby_related_webhooks_share_an_action_id_but_both_count(
    client: TestClient, org: OrgContext
) -> None:
    connection = connect(client, org, "ashby", ASHBY_SECRET)
    cid = unique("ashby-cand")
    stage = ashby_application("candidateStageChange", cid, "Onsite")
    update = ashby_application("applicationUpdate", cid, "Onsite")
    update["webhookActionId"] = stage["webhookActionId"]
    assert ashby(client, connection, stage).json()["status"] == "processed"
    assert ashby(client, connection, update).json()["status"] != "duplicate"
    assert ashby(client, connection, stage).json()["status"] == "duplicate"


def test_ashby_bad_signature_and_ping(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "ashby", ASHBY_SECRET)
    cid = unique("ashby-cand")
    body = json.dumps(ashby_application("candidateStageChange", cid, "x")).encode()
    assert post_json(client, connection, body, {"Ashby-Signature": "sha256=00"}).status_code == 401
    assert post_json(client, connection, body, ashby_headers("wrong", body)).status_code == 401
    assert find_candidate(client, org, f"ashby:{cid}") is None
    ping = ashby(client, connection, {"action": "ping", "data": {"webhook": {"id": "w"}}})
    assert ping.status_code == 200 and ping.json()["status"] == "ignored"
