"""Twilio voice status callbacks become calls of the candidate with that number."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, unique
from tests.integrations.conftest import connect, deliveries, timeline, twilio_post

AUTH_TOKEN = "twilio-auth-token-0123456789"
COMPANY = "+4930901820"


def callback(
    sid: str, status: str, *, to: str, direction: str = "outbound-api", **extra: str
) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": sid,
        "CallStatus": status,
        "Direction": direction,
        "From": COMPANY if direction != "inbound" else to,
        "To": to if direction != "inbound" else COMPANY,
        "ToCountry": "DE",
        "FromCountry": "DE",
        "ApiVersion": "2010-04-01",
        "Timestamp": "Tue, 24 Nov 2026 10:15:00 +0000",
        "CallbackSource": "call-progress-events",
        "SequenceNumber": "3",
        **extra,
    }


def sid() -> str:
    return "CA" + unique("x").replace("-", "").rjust(32, "0")


def test_final_statuses_become_call_outcomes(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "twilio", AUTH_TOKEN)
    candidate = create_candidate(client, org, phone="0151 2345 6789", recruiter_external_id="rec-t")
    number = "+4915123456789"
    ringing = twilio_post(client, connection, callback(sid(), "ringing", to=number))
    assert ringing.status_code == 200 and ringing.json()["status"] == "ignored"
    answered = sid()
    response = twilio_post(
        client, connection, callback(answered, "completed", to=number, CallDuration="95")
    )
    assert response.status_code == 200, response.text
    assert response.json()["events"] == [f"twilio:{answered}"]
    twilio_post(client, connection, callback(sid(), "no-answer", to=number))
    twilio_post(client, connection, callback(sid(), "busy", to=number))
    twilio_post(
        client, connection, callback(sid(), "completed", to=number, AnsweredBy="machine_end_beep")
    )
    twilio_post(client, connection, callback(sid(), "no-answer", to=number, direction="inbound"))
    events = timeline(client, org, candidate["id"])
    assert [(e["outcome"], e["direction"]) for e in events] == [
        ("connected", "outbound"),
        ("no_answer", "outbound"),
        ("busy", "outbound"),
        ("voicemail", "outbound"),
        ("no_answer", "inbound"),
    ]
    assert all(e["channel"] == "phone" and e["type"] == "call" for e in events)
    assert events[0]["metadata"]["duration_seconds"] == "95"
    assert events[0]["occurred_at"].startswith("2026-11-24T10:15:00")
    assert events[0]["recruiter_external_id"] == "rec-t"


def test_duplicate_callsid_is_stored_once(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "twilio", AUTH_TOKEN)
    candidate = create_candidate(client, org, phone="+1 (415) 555-0134")
    call = callback(sid(), "completed", to="+14155550134", ToCountry="US")
    assert twilio_post(client, connection, call).json()["status"] == "processed"
    assert twilio_post(client, connection, call).json()["status"] == "duplicate"
    assert len(timeline(client, org, candidate["id"])) == 1


def test_bad_signature_wrong_url_and_unknown_number(client: TestClient, org: OrgContext) -> None:
    connection = connect(client, org, "twilio", AUTH_TOKEN)
    candidate = create_candidate(client, org, phone="+33 1 23 45 67 89")
    call = callback(sid(), "completed", to="+33123456789", ToCountry="FR")
    assert twilio_post(client, connection, call, secret="wrong-token").status_code == 401
    unsigned = client.post(connection.path, data=call)
    assert unsigned.status_code == 401
    tampered: dict[str, Any] = dict(call)
    good = twilio_post(client, connection, call)  # signature over the real parameters
    assert good.status_code == 200
    tampered["CallStatus"] = "busy"
    tampered["CallSid"] = sid()
    from app.integrations.twilio import signature_for

    forged_url = signature_for("https://evil.example" + connection.path, tampered, AUTH_TOKEN)
    wrong_url = client.post(
        connection.path, data=tampered, headers={"X-Twilio-Signature": forged_url}
    )
    assert wrong_url.status_code == 401
    assert len(timeline(client, org, candidate["id"])) == 1
    unknown = twilio_post(client, connection, callback(sid(), "completed", to="+33999999999"))
    assert unknown.status_code == 202
    assert unknown.json()["status"] == "unmatched"
    assert any(d["outcome"] == "unmatched" for d in deliveries(client, org, connection))


def test_twilio_needs_its_auth_token(client: TestClient, org: OrgContext) -> None:
    response = client.post(
        "/api/v1/integrations", json={"provider": "twilio", "name": "Calls"}, headers=org.headers
    )
    assert response.status_code == 422
