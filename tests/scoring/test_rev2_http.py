"""Contract revision 2 stories through the HTTP API, each posted in order and shuffled.

The candidate lives in UTC (working hours Mon-Fri 09:00-17:00); 2 Nov 2026 is a Monday.
Texts go through the real classifier, so each story uses phrasing it reads.
"""

import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import OrgContext, create_candidate, make_org, unique


def t(day: int, hour: int = 9, minute: int = 0) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+00:00"


def ev(direction: str, when: str, type_: str = "message", **fields: Any) -> dict[str, Any]:
    channel = {"call": "phone", "meeting": "video"}.get(type_, "email")
    return {
        "external_id": fields.pop("external_id", None) or unique("r2"),
        "direction": direction,
        "channel": fields.pop("channel", channel),
        "type": type_,
        "occurred_at": when,
        **fields,
    }


def load(
    client: TestClient, org: OrgContext, events: list[dict[str, Any]], *, shuffle: int | None
) -> str:
    """Post a story for a new candidate: in one batch in order, or one by one shuffled."""
    candidate = create_candidate(client, org, timezone="UTC")
    bodies = [dict(e, candidate_external_id=candidate["external_id"]) for e in events]
    if shuffle is None:
        response = client.post("/api/v1/events/batch", json={"events": bodies}, headers=org.headers)
        assert response.status_code == 200, response.text
        assert all(r["status"] in (200, 201) for r in response.json()["results"]), response.text
    else:
        random.Random(shuffle).shuffle(bodies)
        for body in bodies:
            response = client.post("/api/v1/events", json=body, headers=org.headers)
            assert response.status_code in (200, 201), response.text
    return str(candidate["id"])


def state(client: TestClient, org: OrgContext, cid: str, as_of: str) -> dict[str, Any]:
    got = client.get(f"/api/v1/candidates/{cid}", params={"as_of": as_of}, headers=org.headers)
    assert got.status_code == 200, got.text
    timeline = client.get(
        f"/api/v1/candidates/{cid}/timeline", params={"as_of": as_of}, headers=org.headers
    )
    assert timeline.status_code == 200, timeline.text
    result: dict[str, Any] = got.json()
    result["timeline"] = timeline.json()
    result["codes"] = sorted({f["code"] for f in result["flags"]})
    return result


def story(
    client: TestClient, engine: Engine, events: list[dict[str, Any]], as_of: str
) -> dict[str, Any]:
    """The candidate's state as of `as_of`, checked to be the same in order and shuffled."""
    org = make_org(engine)
    first = state(client, org, load(client, org, events, shuffle=None), as_of)
    for seed in (7, 11):
        other = make_org(engine)
        again = state(client, other, load(client, other, events, shuffle=seed), as_of)
        for key in ("score", "band", "codes", "score_breakdown", "metrics", "next_action"):
            assert again[key] == first[key], key
    return first


def missed_interview(excited: bool) -> list[dict[str, Any]]:
    confirm = (
        "I'm really excited about this role! Thursday works." if excited else "Thursday works."
    )
    return [
        ev("outbound", t(2, 9), body="Would you have time for a video interview this week?"),
        ev("inbound", t(2, 9, 20), body=confirm),
        ev("outbound", t(2, 10), "meeting", outcome="scheduled", scheduled_for=t(5, 14)),
        ev("inbound", t(2, 10, 15), body="Confirmed, see you Thursday."),
        ev("outbound", t(5, 14, 15), "meeting", outcome="no_show"),
        ev("inbound", t(5, 16), body="I am so sorry, I missed the call. Could we rebook?"),
        ev("outbound", t(5, 16, 30), "meeting", outcome="rescheduled", scheduled_for=t(10, 14)),
        ev("outbound", t(10, 14), "meeting", outcome="attended"),
    ]


def test_one_missed_interview_is_not_a_pattern(client: TestClient, engine: Engine) -> None:
    excited = story(client, engine, missed_interview(True), t(11, 12))
    plain = story(client, engine, missed_interview(False), t(11, 12))
    assert "missed_meeting" in excited["codes"]
    assert "slow_reply" not in excited["codes"]
    assert excited["band"] in ("engaged", "cooling")
    assert excited["score"] == plain["score"]  # "I'm really excited" never lowers it
    attended = excited["timeline"]["exchanges"][-1]
    assert attended["counts_for_latency"] is False
    assert attended["meeting_wait"] is not None


def test_waiting_for_a_meeting_is_not_slow(client: TestClient, engine: Engine) -> None:
    events = [
        ev("outbound", t(2, 9), "meeting", outcome="scheduled", scheduled_for=t(5, 10)),
        ev("outbound", t(5, 10), "meeting", outcome="attended"),
    ]
    result = story(client, engine, events, t(6, 12))
    assert "slow_reply" not in result["codes"]
    assert result["metrics"]["median_reply_business_hours"] is None
    exchange = result["timeline"]["exchanges"][0]
    assert exchange["business_seconds"] == 0 and exchange["counts_for_latency"] is False


DECLINE = "Thank you, but I have accepted another offer and will withdraw my application."


def test_a_decline_is_its_own_band(client: TestClient, engine: Engine) -> None:
    events = [
        ev("outbound", t(2, 9), body="Could you share a couple of times for next week?"),
        ev("outbound", t(4, 9), "meeting", outcome="no_show"),
        ev("inbound", t(9, 15), body=DECLINE),
    ]
    result = story(client, engine, events, t(10, 12))
    assert result["band"] == "declined"
    assert result["flags"] == []
    assert result["next_action"]["action"] == "close_the_loop"
    assert result["next_action"]["due_at"].startswith("2026-11-09T15:00")
    decline = result["timeline"]["events"][-1]
    assert decline["needs_reply"] is True


def test_re_engaging_after_a_decline_is_not_declined(client: TestClient, engine: Engine) -> None:
    events = [
        ev("outbound", t(2, 9), body="Could you share a couple of times for next week?"),
        ev("inbound", t(2, 15), body=DECLINE),
        ev("inbound", t(4, 15), body="The other offer fell through. Is the role still open?"),
    ]
    assert story(client, engine, events, t(5, 12))["band"] != "declined"


def test_pipeline_filters_declined(client: TestClient, org: OrgContext) -> None:
    declined = load(
        client,
        org,
        [ev("outbound", t(2, 9), body="Any news?"), ev("inbound", t(2, 15), body=DECLINE)],
        shuffle=None,
    )
    load(client, org, [ev("outbound", t(2, 9)), ev("inbound", t(2, 10))], shuffle=None)
    rows = client.get(
        "/api/v1/pipeline", params={"band": "declined", "as_of": t(3)}, headers=org.headers
    )
    assert rows.status_code == 200, rows.text
    assert [r["candidate_id"] for r in rows.json()["items"]] == [declined]
    bad = client.get("/api/v1/pipeline", params={"band": "nope"}, headers=org.headers)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("text", "waits"),
    [("Great, see you then. Thanks!", False), ("Could you send me the job description?", True)],
)
def test_only_a_message_that_needs_a_reply_waits_on_us(
    client: TestClient, engine: Engine, text: str, waits: bool
) -> None:
    events = [ev("outbound", t(2, 9), body="See you Thursday."), ev("inbound", t(2, 10), body=text)]
    result = story(client, engine, events, t(4, 12))
    assert result["timeline"]["events"][-1]["needs_reply"] is waits
    assert result["timeline"]["events"][0]["needs_reply"] is None
    assert (result["next_action"]["action"] == "reply_to_candidate") is waits
    assert (result["metrics"]["waiting_on_us_business_hours"] > 0) is waits
    assert (result["timeline"]["mirror"]["waiting_on_us"] is not None) is waits


def test_a_human_reply_mentioning_leave_closes_the_exchange(
    client: TestClient, engine: Engine
) -> None:
    events = [
        ev("outbound", t(2, 9), body="Could you do Thursday?"),
        ev("inbound", t(2, 10), body="Thursday works. I am out of the office until 27 November."),
    ]
    result = story(client, engine, events, t(3, 12))
    assert result["timeline"]["exchanges"][0]["open"] is False


def test_an_announced_absence_pauses_later_clocks(client: TestClient, engine: Engine) -> None:
    events = [
        ev("inbound", t(2, 8), auto_reply=True, body="I am out of the office until 16 November."),
        ev("outbound", t(3, 9), body="Checking in about the role."),
        ev("outbound", t(5, 9), body="Following up on my note."),
        ev("outbound", t(9, 9), "call", outcome="voicemail"),
    ]
    result = story(client, engine, events, t(13, 12))
    assert "ghosting" not in result["codes"] and "no_callback" not in result["codes"]
    assert result["next_action"]["due_at"] >= "2026-11-16T09:00:00Z"


def test_no_check_in_before_a_request_is_due(client: TestClient, engine: Engine) -> None:
    events = [
        ev(
            "outbound",
            t(2, 9),
            "request",
            due_at=t(13, 17),
            body="Please send two references by Friday next week.",
        )
    ]
    result = story(client, engine, events, t(3, 12))
    assert result["next_action"]["action"] == "check_in"
    assert result["next_action"]["due_at"] > "2026-11-13T17:00:00Z"


SORRY = "So sorry for the slow reply, it has been a crazy week."


def test_one_message_synced_twice_counts_once(client: TestClient, engine: Engine) -> None:
    once = [
        ev("outbound", t(2, 9), body="Any thoughts on the role?"),
        ev("inbound", t(3, 10), body=SORRY, external_id="ats-1"),
        ev("outbound", t(4, 9), body="Thanks, could you send your CV?"),
    ]
    twice = [*once, ev("inbound", t(3, 10, 1), body=f"  {SORRY.upper()}\n", external_id="mbx-1")]
    single = story(client, engine, once, t(5, 12))
    doubled = story(client, engine, twice, t(5, 12))
    assert "repeated_apologies" not in doubled["codes"]
    for key in ("score", "band", "codes", "metrics", "next_action"):
        assert doubled[key] == single[key], key
    copy = next(e for e in doubled["timeline"]["events"] if e["external_id"] == "mbx-1")
    assert copy["duplicate_of"] == "ats-1"
    original = next(e for e in doubled["timeline"]["events"] if e["external_id"] == "ats-1")
    assert original["duplicate_of"] is None
    assert doubled["timeline"]["exchanges"][-1]["open"] is True


def test_three_fast_then_three_slower_is_cooling_only(client: TestClient, engine: Engine) -> None:
    events = []
    for day in (2, 3, 4):
        events += [ev("outbound", t(day, 9)), ev("inbound", t(day, 9, 20))]
    for day in (5, 9, 11):
        events += [ev("outbound", t(day, 9)), ev("inbound", t(day + 1, 13))]
    result = story(client, engine, events, t(13, 12))
    assert "cooling" in result["codes"]
    assert "slow_reply" not in result["codes"]


def test_the_weekly_report_shows_declines_as_their_own_group(
    client: TestClient, org: OrgContext
) -> None:
    flagged_then_declined = [
        ev("outbound", t(9, 9), body="Could you share a couple of times for next week?"),
        ev("outbound", t(11, 10), "meeting", outcome="no_show"),
        ev("inbound", t(18, 15), body=DECLINE),
    ]
    cid = load(client, org, flagged_then_declined, shuffle=None)
    # Seen flagged before the decline, so the decline clears a flag that was open.
    before = client.get(f"/api/v1/candidates/{cid}", params={"as_of": t(17)}, headers=org.headers)
    assert "missed_meeting" in {f["code"] for f in before.json()["flags"]}
    report = client.get(
        "/api/v1/reports/weekly",
        params={"week": "2026-W47", "as_of": "2026-11-23T00:00:00Z"},
        headers=org.headers,
    )
    assert report.status_code == 200, report.text
    body = report.json()
    assert [d["candidate_id"] for d in body["declined"]] == [cid]
    assert body["declined"][0]["this_week"] is True
    assert body["declined"][0]["declined_at"] == "2026-11-18T15:00:00Z"
    assert body["totals"]["declined"] == 1
    listed = [*body["newly_flagged"], *body["still_flagged"], *body["recovered"]]
    assert cid not in {c["candidate_id"] for c in listed}
    html = client.get(
        "/api/v1/reports/weekly",
        params={"week": "2026-W47", "as_of": "2026-11-23T00:00:00Z"},
        headers={**org.headers, "Accept": "text/html"},
    )
    assert html.status_code == 200 and "Declined" in html.text
