"""The issue's "done when": a mailbox forward, a Greenhouse and a Calendly webhook and a
Twilio callback each become the right events for the right candidate — here all for one
candidate, so the derived exchanges show they fit together."""

import json
from email.message import EmailMessage

from fastapi.testclient import TestClient

from app.integrations.twilio import signature_for
from tests.factories import OrgContext, unique
from tests.integrations.conftest import (
    calendly_headers,
    connect,
    find_candidate,
    greenhouse_headers,
    post_json,
    timeline,
)


def test_four_sources_one_candidate(client: TestClient, org: OrgContext) -> None:
    client.post(
        "/api/v1/recruiters",
        json={"external_id": "rae", "name": "Rae", "email": "rae@acme.example"},
        headers=org.headers,
    )
    gh_id = int(unique("9").split("-")[1]) * 100 + 1
    email = f"sam.{gh_id}@example.org"

    # 1. Greenhouse: the application arrives; the candidate is created with its stage.
    greenhouse = connect(client, org, "greenhouse", "gh-secret-story")
    payload = {
        "action": "new_candidate_application",
        "payload": {
            "application": {
                "id": gh_id + 1,
                "status": "active",
                "jobs": [{"id": 1, "name": "Data Engineer"}],
                "current_stage": {"id": 2, "name": "Application Review"},
                "candidate": {
                    "id": gh_id,
                    "first_name": "Sam",
                    "last_name": "Rivera",
                    "email_addresses": [{"value": email, "type": "personal"}],
                    "phone_numbers": [{"value": "+44 7700 900123", "type": "mobile"}],
                    "recruiter": {"email": "rae@acme.example"},
                },
            }
        },
    }
    body = json.dumps(payload).encode()
    assert (
        post_json(client, greenhouse, body, greenhouse_headers("gh-secret-story", body)).status_code
        == 200
    )
    candidate = find_candidate(client, org, f"greenhouse:{gh_id}")
    assert candidate is not None
    assert (candidate["stage"], candidate["recruiter_external_id"]) == ("Application Review", "rae")

    # 2. Mailbox forward: the recruiter's invitation, as a raw message with the Bearer secret.
    mailbox = connect(client, org, "email")
    message = EmailMessage()
    message["From"] = "Rae <rae@acme.example>"
    message["To"] = f"Sam Rivera <{email}>"
    message["Subject"] = "Data Engineer: next step"
    message["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
    message["Message-ID"] = f"<invite-{gh_id}@acme.example>"
    message.set_content("Hi Sam, please book a slot: https://calendly.com/rae/30min")
    sent = client.post(
        mailbox.path,
        content=message.as_bytes(),
        headers={"Content-Type": "message/rfc822", "Authorization": f"Bearer {mailbox.secret}"},
    )
    assert sent.status_code == 200, sent.text

    # 3. Calendly: Sam books a slot the next morning (a response).
    calendly = connect(client, org, "calendly")
    booking = {
        "event": "invitee.created",
        "payload": {
            "uri": f"https://api.calendly.com/scheduled_events/E{gh_id}/invitees/I{gh_id}",
            "email": email.upper(),
            "name": "Sam Rivera",
            "created_at": "2026-11-24T09:00:00.000000Z",
            "scheduled_event": {
                "start_time": "2026-11-26T14:00:00.000000Z",
                "location": {"type": "google_conference", "join_url": "https://meet.google.com/x"},
                "event_memberships": [{"user_email": "rae@acme.example"}],
            },
        },
    }
    body = json.dumps(booking).encode()
    booked = post_json(client, calendly, body, calendly_headers(calendly.secret, body))
    assert booked.status_code == 200, booked.text

    # 4. Twilio: Rae calls Sam after the interview; Sam answers.
    twilio = connect(client, org, "twilio", "twilio-token-story")
    params = {
        "CallSid": f"CA{gh_id:032d}",
        "CallStatus": "completed",
        "Direction": "outbound-api",
        "From": "+442071838750",
        "To": "+447700900123",
        "ToCountry": "GB",
        "Timestamp": "Fri, 27 Nov 2026 11:00:00 +0000",
        "CallDuration": "240",
    }
    url = str(client.app.state.settings.base_url).rstrip("/") + twilio.path  # type: ignore[attr-defined]
    called = client.post(
        twilio.path,
        data=params,
        headers={"X-Twilio-Signature": signature_for(url, params, "twilio-token-story")},
    )
    assert called.status_code == 200, called.text

    events = timeline(client, org, candidate["id"])
    assert [(e["channel"], e["type"], e["direction"], e["outcome"]) for e in events] == [
        ("email", "message", "outbound", None),
        ("video", "meeting", "inbound", "scheduled"),
        ("phone", "call", "outbound", "connected"),
    ]
    assert {e["recruiter_external_id"] for e in events} == {"rae"}
    exchanges = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline", headers=org.headers
    ).json()["exchanges"]
    # The invitation opened an exchange that the booking closed, 23 h later (7 business hours).
    first = exchanges[0]
    assert first["open"] is False
    assert first["latency_seconds"] == 23 * 3600
    assert first["business_seconds"] == 7 * 3600
