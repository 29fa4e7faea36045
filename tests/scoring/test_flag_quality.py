"""`GET /api/v1/reports/flag-quality` and the settings-page panel: raised, acknowledged and
dismissed per signal over 90 days, as of an instant, one organisation at a time."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.core.ids import utcnow
from tests.factories import OrgContext, create_candidate

URL = "/api/v1/reports/flag-quality"


def flagged_candidate(client: TestClient, org: OrgContext) -> dict[str, str]:
    """A candidate with a missed meeting and a slow reply; returns flag ids by code."""
    candidate = create_candidate(client, org, timezone="UTC")
    ext = candidate["external_id"]
    events = [
        ("outbound", "message", None, "2026-11-02T09:00:00+00:00"),
        ("inbound", "message", None, "2026-11-05T16:00:00+00:00"),
        ("outbound", "meeting", "no_show", "2026-11-09T10:00:00+00:00"),
    ]
    bodies = [
        {
            "external_id": f"{ext}-{n}",
            "candidate_external_id": ext,
            "direction": direction,
            "channel": "video" if type_ == "meeting" else "email",
            "type": type_,
            "outcome": outcome,
            "occurred_at": when,
        }
        for n, (direction, type_, outcome, when) in enumerate(events)
    ]
    posted = client.post("/api/v1/events/batch", json={"events": bodies}, headers=org.headers)
    assert posted.status_code == 200, posted.text
    flags = client.get(f"/api/v1/candidates/{candidate['id']}/flags", headers=org.headers).json()
    found = {f["code"]: f["id"] for f in flags}
    assert {"missed_meeting", "slow_reply"} <= set(found), found
    return found


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in body["items"]}


def dismiss(client: TestClient, org: OrgContext, flag_id: str, reason: str) -> None:
    done = client.post(
        f"/api/v1/flags/{flag_id}/dismiss", json={"reason": reason}, headers=org.headers
    )
    assert done.status_code == 200, done.text


def test_counts_raised_acknowledged_dismissed_and_reasons(
    client: TestClient, org: OrgContext, other_org: OrgContext
) -> None:
    first = flagged_candidate(client, org)
    second = flagged_candidate(client, org)
    third = flagged_candidate(client, org)
    dismiss(client, org, first["missed_meeting"], "Was ill")
    dismiss(client, org, second["missed_meeting"], "  was ILL ")
    dismiss(client, org, third["missed_meeting"], "Calendar mix-up")
    ack = client.post(f"/api/v1/flags/{first['slow_reply']}/acknowledge", headers=org.headers)
    assert ack.status_code == 200, ack.text
    # Another organisation's flags and dismissals never count here.
    theirs = flagged_candidate(client, other_org)
    dismiss(client, other_org, theirs["slow_reply"], "not relevant")

    got = client.get(URL, headers=org.key_with("read"))
    assert got.status_code == 200, got.text
    items = by_code(got.json())
    assert items["missed_meeting"]["raised"] == 3
    assert items["missed_meeting"]["dismissed"] == 3
    assert items["missed_meeting"]["dismissal_rate"] == 1.0
    assert items["missed_meeting"]["top_dismissal_reasons"] == [
        {"reason": "was ill", "count": 2},
        {"reason": "calendar mix-up", "count": 1},
    ]
    assert items["slow_reply"] == {
        "code": "slow_reply",
        "label": "Slow reply",
        "raised": 3,
        "acknowledged": 1,
        "dismissed": 0,
        "dismissal_rate": 0.0,
        "top_dismissal_reasons": [],
    }
    assert items["ghosting"]["raised"] == 0 and items["ghosting"]["dismissal_rate"] is None
    assert got.json()["days"] == 90

    other = by_code(client.get(URL, headers=other_org.headers).json())
    assert other["slow_reply"]["dismissed"] == 1
    assert other["missed_meeting"]["dismissed"] == 0


def test_as_of_sets_the_window_and_the_read_changes_nothing(
    client: TestClient, org: OrgContext
) -> None:
    flags = flagged_candidate(client, org)
    dismiss(client, org, flags["missed_meeting"], "Was ill")
    before = client.get(URL, params={"as_of": "2026-11-08T00:00:00Z"}, headers=org.headers)
    assert before.status_code == 200, before.text
    items = by_code(before.json())
    # The slow reply was raised by 5 Nov; the no-show (9 Nov) and the dismissal (now) not yet.
    assert items["slow_reply"]["raised"] == 1
    assert items["missed_meeting"]["raised"] == 0 and items["missed_meeting"]["dismissed"] == 0
    far = (utcnow() + timedelta(days=400)).isoformat()
    later = by_code(client.get(URL, params={"as_of": far}, headers=org.headers).json())
    assert later["missed_meeting"]["raised"] == 0 and later["missed_meeting"]["dismissed"] == 0
    again = client.get(URL, params={"as_of": "2026-11-08T00:00:00Z"}, headers=org.headers)
    assert again.json() == before.json()
    flags_now = client.get(
        f"/api/v1/flags/{flags['missed_meeting']}/dismiss", headers=org.headers
    )  # GET is not a route: the read above wrote nothing either way
    assert flags_now.status_code in (404, 405)


def test_scope_and_bad_input(client: TestClient, org: OrgContext) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=org.key_with("events:write")).status_code == 403
    bad = client.get(URL, params={"as_of": "2026-11-08T00:00:00"}, headers=org.headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
