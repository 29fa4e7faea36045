"""Calendly webhooks: bookings, cancellations, reschedules and no-shows become meetings."""

import json
import time
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, unique
from tests.integrations.conftest import (
    Connection,
    calendly_headers,
    connect,
    deliveries,
    find_candidate,
    post_json,
    timeline,
)

SECRET = "calendly-signing-key"
API = "https://api.calendly.com"


def invitee(email: str, invitee_id: str, start: str, **extra: Any) -> dict[str, Any]:
    event_id = unique("EVT")
    return {
        "uri": f"{API}/scheduled_events/{event_id}/invitees/{invitee_id}",
        "email": email,
        "name": "Casey Candidate",
        "timezone": "Europe/Berlin",
        "status": "active",
        "rescheduled": False,
        "old_invitee": None,
        "new_invitee": None,
        "created_at": "2026-11-20T09:00:00.000000Z",
        "updated_at": "2026-11-20T09:00:00.000000Z",
        "cancel_url": "https://calendly.com/cancellations/x",
        "scheduled_event": {
            "uri": f"{API}/scheduled_events/{event_id}",
            "name": "Interview",
            "status": "active",
            "start_time": start,
            "end_time": start.replace(":00:00", ":30:00"),
            "location": {"type": "zoom", "join_url": "https://zoom.us/j/1"},
            "event_memberships": [{"user": f"{API}/users/U", "user_email": "rae@acme.example"}],
        },
        **extra,
    }


def send(
    client: TestClient,
    connection: Connection,
    event: str,
    payload: dict[str, Any],
    at: int | None = None,
) -> Any:
    body = json.dumps(
        {
            "event": event,
            "created_at": "2026-11-20T09:00:01.000000Z",
            "created_by": f"{API}/users/U",
            "payload": payload,
        }
    ).encode()
    return post_json(client, connection, body, calendly_headers(SECRET, body, at))


def test_booking_cancel_and_no_show(client: TestClient, org: OrgContext) -> None:
    client.post(
        "/api/v1/recruiters",
        json={"external_id": "rae", "name": "Rae", "email": "rae@acme.example"},
        headers=org.headers,
    )
    connection = connect(client, org, "calendly", SECRET)
    candidate = create_candidate(client, org, email=f"{unique('c')}@example.org")
    first = invitee(candidate["email"], unique("INV"), "2026-11-24T14:00:00.000000Z")
    response = send(client, connection, "invitee.created", first)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "processed"
    cancelled = dict(
        first,
        status="canceled",
        cancellation={
            "canceled_by": "Casey",
            "reason": "sick",
            "canceler_type": "invitee",
            "created_at": "2026-11-21T08:00:00.000000Z",
        },
    )
    assert send(client, connection, "invitee.canceled", cancelled).status_code == 200
    second = invitee(candidate["email"], unique("INV"), "2026-11-26T14:00:00.000000Z")
    send(client, connection, "invitee.created", second)
    host_cancel = dict(
        second, status="canceled", cancellation={"canceled_by": "Rae", "canceler_type": "host"}
    )
    send(client, connection, "invitee.canceled", host_cancel)
    third = invitee(candidate["email"], unique("INV"), "2026-11-27T14:00:00.000000Z")
    send(client, connection, "invitee.created", third)
    no_show = {
        "uri": f"{API}/invitee_no_shows/{unique('NS')}",
        "invitee": third,
        "created_at": "2026-11-27T15:00:00.000000Z",
    }
    assert (
        send(client, connection, "invitee_no_show.created", no_show).json()["status"] == "processed"
    )

    events = sorted(timeline(client, org, candidate["id"]), key=lambda e: e["external_id"])
    by_invitee = {e["external_id"]: (e["outcome"], e["direction"]) for e in events}
    inv = [i["uri"].rsplit("/", 1)[-1] for i in (first, second, third)]
    assert by_invitee == {
        f"calendly:{inv[0]}:created": ("scheduled", "inbound"),
        f"calendly:{inv[0]}:canceled": ("cancelled", "inbound"),
        f"calendly:{inv[1]}:created": ("scheduled", "inbound"),
        f"calendly:{inv[1]}:canceled": ("cancelled", "outbound"),
        f"calendly:{inv[2]}:created": ("scheduled", "inbound"),
        f"calendly:{inv[2]}:no_show": ("no_show", "outbound"),
    }
    events = [e for e in events if e["external_id"] == f"calendly:{inv[0]}:created"]
    assert events[0]["scheduled_for"].startswith("2026-11-24T14:00:00")
    assert events[0]["recruiter_external_id"] == "rae"
    assert events[0]["channel"] == "video"
    flags = client.get(f"/api/v1/candidates/{candidate['id']}/flags", headers=org.headers).json()
    assert "missed_meeting" in {f["code"] for f in flags}


def test_reschedule_is_recorded_once(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "calendly", SECRET)
    candidate = create_candidate(client, org, email=f"{unique('c')}@example.org")
    old_id, new_id = unique("INV"), unique("INV")
    old = invitee(candidate["email"], old_id, "2026-11-24T14:00:00.000000Z")
    send(client, connection, "invitee.created", old)
    new = invitee(candidate["email"], new_id, "2026-11-25T14:00:00.000000Z", old_invitee=old["uri"])
    old_cancel = dict(
        old,
        status="canceled",
        rescheduled=True,
        new_invitee=new["uri"],
        cancellation={"canceler_type": "invitee"},
    )
    assert send(client, connection, "invitee.canceled", old_cancel).json()["status"] == "ignored"
    assert send(client, connection, "invitee.created", new).json()["status"] == "processed"
    events = timeline(client, org, candidate["id"])
    assert [(e["outcome"], e["direction"]) for e in events] == [
        ("scheduled", "inbound"),
        ("rescheduled", "inbound"),
    ]


def test_unknown_invitee_becomes_a_candidate(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "calendly", SECRET)
    email = f"{unique('new')}@Example.org"
    send(
        client,
        connection,
        "invitee.created",
        invitee(email, unique("INV"), "2026-11-24T14:00:00.000000Z"),
    )
    candidate = find_candidate(client, org, f"calendly:{email.lower()}")
    assert candidate is not None
    assert candidate["timezone"] == "Europe/Berlin"
    assert candidate["name"] == "Casey Candidate"
    assert len(timeline(client, org, candidate["id"])) == 1


def test_stale_timestamp_bad_signature_and_duplicates(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "calendly", SECRET)
    candidate = create_candidate(client, org, email=f"{unique('c')}@example.org")
    payload = invitee(candidate["email"], unique("INV"), "2026-11-24T14:00:00.000000Z")
    stale = send(client, connection, "invitee.created", payload, at=int(time.time()) - 600)
    assert stale.status_code == 401
    body = json.dumps({"event": "invitee.created", "payload": payload}).encode()
    forged = post_json(client, connection, body, calendly_headers("wrong", body))
    assert forged.status_code == 401
    missing = post_json(client, connection, body, {"Calendly-Webhook-Signature": "t=1"})
    assert missing.status_code == 401
    assert timeline(client, org, candidate["id"]) == []
    assert deliveries(client, org, connection) == []
    assert send(client, connection, "invitee.created", payload).json()["status"] == "processed"
    assert send(client, connection, "invitee.created", payload).json()["status"] == "duplicate"
    assert len(timeline(client, org, candidate["id"])) == 1


def test_odd_payloads_are_2xx(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "calendly", SECRET)
    for payload in (
        {},
        {"email": 5},
        {"email": "x@example.org", "uri": "u", "scheduled_event": "no"},
    ):
        response = send(client, connection, "invitee.created", payload)
        assert response.status_code == 200, payload
    assert (
        send(client, connection, "routing_form_submission.created", {}).json()["status"]
        == "ignored"
    )


def test_very_long_invitee_email_fits(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "calendly", SECRET)
    email = "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + "@" + "d" * 60 + ".example.org"
    payload = invitee(email, unique("INV"), "2026-11-24T14:00:00.000000Z")
    response = send(client, connection, "invitee.created", payload)
    assert response.status_code == 200 and response.json()["status"] == "processed"
    again = invitee(email, unique("INV"), "2026-11-25T14:00:00.000000Z")
    assert send(client, connection, "invitee.created", again).json()["status"] == "processed"
