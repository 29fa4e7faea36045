"""Events in through the API -> signed Standard Webhooks out to a real local receiver."""

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, event_body
from tests.webhooks.conftest import Deliverer, Receiver
from tests.webhooks.helpers import ago, deliveries, no_show, post_events, subscribe


def _of_type(receiver: Receiver, secret: str, event_type: str) -> list[dict[str, Any]]:
    """Verified bodies of the given type (every request's signature must verify)."""
    out = []
    for request in receiver.accepted():
        body = receiver.verify(secret, request)
        assert request.headers["webhook-id"].startswith("msg_")
        if body["type"] == event_type:
            out.append(body)
    return out


def test_flagged_then_dismissed_reach_the_receiver_signed(
    hooks_client: TestClient, org: OrgContext, receiver: Receiver, deliver: Deliverer
) -> None:
    hook = subscribe(hooks_client, org, receiver.url)
    assert hook["secret"].startswith("whsec_")
    candidate = create_candidate(hooks_client, org, timezone="UTC", recruiter_external_id="r-1")
    ext = candidate["external_id"]
    post_events(
        hooks_client,
        org,
        [
            event_body(ext, occurred_at="2026-11-02T10:00:00Z"),
            event_body(ext, direction="inbound", occurred_at="2026-11-02T11:00:00Z"),
            no_show(ext, "2026-11-03T10:00:00Z"),
        ],
    )
    report = deliver()
    assert report.delivered == report.claimed >= 1
    [flagged] = [
        b
        for b in _of_type(receiver, hook["secret"], "candidate.flagged")
        if b["data"]["flag"]["code"] == "missed_meeting"
    ]
    assert flagged["data"]["candidate"] == {
        "id": candidate["id"],
        "external_id": ext,
        "recruiter_external_id": "r-1",
    }
    flag = flagged["data"]["flag"]
    api_flags = hooks_client.get(
        f"/api/v1/candidates/{candidate['id']}/flags", headers=org.headers
    ).json()
    assert flag["id"] in {f["id"] for f in api_flags}
    assert flag["status"] == "open" and flag["summary"] and flag["evidence"]
    assert flagged["timestamp"].endswith("Z")

    dismissed = hooks_client.post(
        f"/api/v1/flags/{flag['id']}/dismiss",
        json={"reason": "Rescheduled by phone"},
        headers=org.headers,
    )
    assert dismissed.status_code == 200
    deliver()
    [event] = _of_type(receiver, hook["secret"], "flag.dismissed")
    assert event["data"]["flag"]["id"] == flag["id"]
    assert event["data"]["flag"]["status"] == "dismissed"
    assert event["data"]["flag"]["status_reason"] == "Rescheduled by phone"
    # Dismissing again is no news.
    hooks_client.post(
        f"/api/v1/flags/{flag['id']}/dismiss", json={"reason": "again"}, headers=org.headers
    )
    deliver()
    assert len(_of_type(receiver, hook["secret"], "flag.dismissed")) == 1

    # The delivery log lists each message with its attempt, and the same id the receiver saw.
    log = deliveries(hooks_client, org, hook["id"])
    seen_ids = {r.headers["webhook-id"] for r in receiver.accepted()}
    assert {d["id"] for d in log} == seen_ids
    assert all(d["status"] == "delivered" and d["attempts"][0]["status_code"] == 200 for d in log)
    assert all(json.loads(d["payload"])["type"] == d["event_type"] for d in log)


def test_band_change_and_cleared_flag_reach_the_receiver(
    hooks_client: TestClient, org: OrgContext, receiver: Receiver, deliver: Deliverer
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.band_changed", "flag.cleared"])
    candidate = create_candidate(hooks_client, org, timezone="UTC")
    ext = candidate["external_id"]
    post_events(
        hooks_client,
        org,
        [
            event_body(ext, occurred_at=ago(40)),
            event_body(ext, direction="inbound", occurred_at=ago(39.9)),
        ],
    )
    deliver()
    first = [json.loads(r.body) for r in receiver.accepted()]
    assert [b["type"] for b in first] == ["candidate.band_changed"]
    assert first[0]["data"]["previous_band"] == "unknown"
    engaged_band = first[0]["data"]["band"]

    # Three unanswered attempts over weeks: ghosting, and the band drops.
    post_events(
        hooks_client,
        org,
        [
            event_body(ext, occurred_at=ago(15)),
            event_body(ext, occurred_at=ago(12)),
            event_body(ext, occurred_at=ago(9)),
        ],
    )
    deliver()
    changes = [
        receiver.verify(hook["secret"], r)
        for r in receiver.accepted()
        if json.loads(r.body)["type"] == "candidate.band_changed"
    ]
    assert changes[-1]["data"]["previous_band"] == engaged_band
    assert changes[-1]["data"]["band"] in ("cooling", "not_that_into_you")
    assert "ghosting" in changes[-1]["data"]["reason"]
    assert not [r for r in receiver.accepted() if json.loads(r.body)["type"] == "flag.cleared"]

    # The candidate answers: ghosting clears, and the receiver hears it.
    post_events(
        hooks_client,
        org,
        [event_body(ext, direction="inbound", occurred_at=ago(0.1))],
    )
    deliver()
    cleared = [
        receiver.verify(hook["secret"], r)
        for r in receiver.accepted()
        if json.loads(r.body)["type"] == "flag.cleared"
    ]
    assert "ghosting" in {c["data"]["flag"]["code"] for c in cleared}
    assert all(c["data"]["flag"]["cleared_at"] for c in cleared)
    # Only subscribed types were sent.
    assert {json.loads(r.body)["type"] for r in receiver.accepted()} <= {
        "candidate.band_changed",
        "flag.cleared",
    }
