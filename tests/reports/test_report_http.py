"""GET /api/v1/reports/weekly: content, formats by Accept, errors, tenancy, time zones."""

import csv
import io
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.db import create_sessionmaker, transaction
from app.derivation import flows
from app.events import service as events_service
from tests.factories import OrgContext, create_candidate, event_body, make_org, post_event
from tests.reports.conftest import Seeded
from tests.reports.seed import WEEK, WEEK_END_NY, set_timezone

URL = "/api/v1/reports/weekly"
# Any instant after the week: the report is evaluated at the week's end anyway.
LATER = "2026-11-25T12:00:00Z"


def _report(
    client: TestClient, org: OrgContext, *, accept: str | None = None, **params: str
) -> Any:
    headers = dict(org.headers)
    if accept is not None:
        headers["Accept"] = accept
    response = client.get(URL, params={"as_of": LATER, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [i["external_id"] for i in items]


def test_org_wide_report_content(client: TestClient, seeded: Seeded) -> None:
    report = _report(client, seeded.org, week=WEEK).json()
    assert report["week"] == WEEK
    assert report["timezone"] == "America/New_York"
    assert report["starts_at"] == "2026-11-16T05:00:00Z"
    assert report["ends_at"] == report["as_of"] == WEEK_END_NY

    # Jordan (the "not that into you" story) apologised again on 17 Nov: newly flagged.
    assert _names(report["newly_flagged"]) == ["s1-pr-lead"]
    jordan = report["newly_flagged"][0]
    assert jordan["band"] == "not_that_into_you"
    assert jordan["recruiter_external_id"] == "rec-ana"
    new_flags = [f for f in jordan["flags"] if f["raised_this_week"]]
    assert "repeated_apologies" in {f["code"] for f in new_flags}
    apologies = next(f for f in new_flags if f["code"] == "repeated_apologies")
    assert apologies["evidence_dates"] == ["2026-11-09T16:00:00Z", "2026-11-17T21:00:00Z"]
    # This week's flags come first (they are why the candidate is listed), each by severity.
    order = {"high": 0, "medium": 1, "low": 2}
    keys = [(not f["raised_this_week"], order[f["severity"]]) for f in jordan["flags"]]
    assert keys == sorted(keys), "top reason first"
    assert jordan["flags"][0]["raised_this_week"]
    assert {f["code"] for f in jordan["flags"]} >= {"missed_meeting", "unfulfilled_request"}

    # Mirror view: the unanswered message and the broken promise.
    waiting = {w["external_id"]: w for w in report["waiting_on_us"]}
    assert waiting["waiting-1"]["waiting_since"] == "2026-11-18T14:00:00Z"
    assert waiting["waiting-1"]["waiting_business_hours"] > 0
    assert waiting["promise-1"]["overdue_promises"] == ["2026-11-19T17:00:00Z"]
    assert waiting["promise-1"]["waiting_since"] is None

    stats = report["responsiveness"]
    assert stats["this_week"]["week"] == WEEK
    assert stats["previous_week"]["week"] == "2026-W46"
    assert stats["this_week"]["exchanges_opened"] >= stats["this_week"]["responded"]
    bars = report["latency_distribution"]
    assert bars[-1]["label"] == "no reply yet"
    assert sum(b["count"] for b in bars) == stats["this_week"]["exchanges_opened"]
    assert report["totals"]["newly_flagged"] == 1
    assert report["totals"]["waiting_on_us"] == len(report["waiting_on_us"])


def test_previous_week_shows_the_no_show(client: TestClient, seeded: Seeded) -> None:
    report = _report(client, seeded.org, week="2026-W45").json()
    assert [(n["external_id"], n["occurred_at"]) for n in report["no_shows"]] == [
        ("s1-pr-lead", "2026-11-05T15:20:00Z")
    ]
    jordan = next(c for c in report["newly_flagged"] if c["external_id"] == "s1-pr-lead")
    assert "missed_meeting" in {f["code"] for f in jordan["flags"]}


def test_older_flags_show_as_still_flagged(client: TestClient, seeded: Seeded) -> None:
    report = _report(client, seeded.org, week="2026-W48", as_of="2026-11-24T12:00:00Z").json()
    assert report["as_of"] == "2026-11-24T12:00:00Z", "a week under way is evaluated at as_of"
    assert "s1-pr-lead" in _names(report["still_flagged"])
    assert report["newly_flagged"] == []


def test_recruiter_report_is_scoped(client: TestClient, seeded: Seeded) -> None:
    ben = _report(client, seeded.org, week=WEEK, recruiter_external_id="rec-ben").json()
    assert ben["recruiter_external_id"] == "rec-ben"
    assert ben["recruiter_name"] == "Ben Okafor"
    assert ben["newly_flagged"] == []
    everyone = [
        *ben["waiting_on_us"],
        *ben["still_flagged"],
        *ben["recovered"],
        *ben["next_actions_due"],
    ]
    assert {i["recruiter_external_id"] for i in everyone} <= {"rec-ben"}
    assert "waiting-1" in _names(ben["waiting_on_us"])
    assert "promise-1" not in _names(ben["waiting_on_us"])


def test_csv_by_accept_one_row_per_flagged_candidate(client: TestClient, seeded: Seeded) -> None:
    response = _report(client, seeded.org, accept="text/csv", week=WEEK)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["category"], r["external_id"]) for r in rows] == [("newly_flagged", "s1-pr-lead")]
    assert rows[0]["band"] == "not_that_into_you"
    assert rows[0]["top_reason"] and rows[0]["evidence_dates"]
    assert "repeated_apologies" in rows[0]["flags"].split(";")


def test_html_by_accept_is_email_safe(client: TestClient, seeded: Seeded) -> None:
    response = _report(
        client, seeded.org, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", week=WEEK
    )
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Jordan Example" in html and "Wren Waiting" in html
    lowered = html.lower()
    for forbidden in ("<script", "<svg", "<link", 'src="http', "url(http", "<style"):
        assert forbidden not in lowered, forbidden


def test_json_is_the_default_and_unknown_types_are_406(client: TestClient, seeded: Seeded) -> None:
    response = _report(client, seeded.org, accept="*/*", week=WEEK)
    assert response.headers["content-type"].startswith("application/json")
    refused = client.get(
        URL, params={"week": WEEK}, headers={**seeded.org.headers, "Accept": "application/xml"}
    )
    assert refused.status_code == 406
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_invalid_week_is_a_422_problem(client: TestClient, org: OrgContext) -> None:
    for week in ("2026-47", "2026-W60", "next week"):
        response = client.get(URL, params={"week": week}, headers=org.headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["status"] == 422
        assert [e["field"] for e in problem["errors"]] == ["query.week"]


def test_future_week_is_a_422_problem(client: TestClient, org: OrgContext) -> None:
    response = client.get(URL, params={"week": "2026-W49", "as_of": LATER}, headers=org.headers)
    assert response.status_code == 422
    assert "not started" in response.json()["detail"]


def test_needs_the_read_scope(client: TestClient, org: OrgContext) -> None:
    assert client.get(URL, params={"week": WEEK}).status_code == 401
    writer = org.key_with("events:write")
    assert client.get(URL, params={"week": WEEK}, headers=writer).status_code == 403
    reader = org.key_with("read")
    ok = client.get(URL, params={"week": WEEK, "as_of": LATER}, headers=reader)
    assert ok.status_code == 200


def test_tenancy(client: TestClient, seeded: Seeded, other_org: OrgContext) -> None:
    # Another organisation cannot see our recruiter, nor any of our candidates.
    response = client.get(
        URL,
        params={"week": WEEK, "as_of": LATER, "recruiter_external_id": "rec-ana"},
        headers=other_org.headers,
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    theirs = _report(client, other_org, week=WEEK).json()
    assert theirs["totals"] == {k: 0 for k in theirs["totals"]}
    unknown = client.get(
        URL,
        params={"week": WEEK, "as_of": LATER, "recruiter_external_id": "nobody"},
        headers=seeded.org.headers,
    )
    assert unknown.status_code == 404


def test_empty_week_still_renders(client: TestClient, org: OrgContext) -> None:
    report = _report(client, org, week=WEEK).json()
    assert report["totals"] == {k: 0 for k in report["totals"]}
    assert report["responsiveness"]["this_week"]["response_rate"] is None
    assert all(b["count"] == 0 for b in report["latency_distribution"])
    html = _report(client, org, accept="text/html", week=WEEK).text
    assert "Nobody was newly flagged this week." in html
    assert "n/a" in html
    rows = list(csv.reader(io.StringIO(_report(client, org, accept="text/csv", week=WEEK).text)))
    assert len(rows) == 1 and rows[0][0] == "category"


def test_default_week_is_the_last_completed_one(client: TestClient, org: OrgContext) -> None:
    response = client.get(URL, params={"as_of": "2026-11-25T12:00:00Z"}, headers=org.headers)
    assert response.status_code == 200
    assert response.json()["week"] == "2026-W47"


def _no_show(client: TestClient, org: OrgContext, candidate: str, at: str) -> None:
    post_event(
        client,
        org,
        event_body(candidate, type="meeting", outcome="no_show", channel="video", occurred_at=at),
    )


def test_week_boundaries_follow_the_org_time_zone_across_dst(
    client: TestClient, org: OrgContext
) -> None:
    set_timezone(client, org, "Europe/Berlin")
    create_candidate(client, org, external_id="dst-1", name="Dana DST")
    for at in (
        "2026-10-18T21:30:00Z",  # Sun 18 Oct 23:30 CEST: W42
        "2026-10-18T22:30:00Z",  # Mon 19 Oct 00:30 CEST: W43
        "2026-10-25T22:30:00Z",  # Sun 25 Oct 23:30 CET (after the change): W43
        "2026-10-25T23:30:00Z",  # Mon 26 Oct 00:30 CET: W44
    ):
        _no_show(client, org, "dst-1", at)
    report = _report(client, org, week="2026-W43").json()
    assert report["starts_at"] == "2026-10-18T22:00:00Z"
    assert report["ends_at"] == "2026-10-25T23:00:00Z"
    assert [n["occurred_at"] for n in report["no_shows"]] == [
        "2026-10-18T22:30:00Z",
        "2026-10-25T22:30:00Z",
    ]
    following = _report(client, org, week="2026-W44").json()
    assert [n["occurred_at"] for n in following["no_shows"]] == ["2026-10-25T23:30:00Z"]


def test_new_york_week_with_the_dst_change(client: TestClient, org: OrgContext) -> None:
    set_timezone(client, org, "America/New_York")
    create_candidate(client, org, external_id="dst-2", name="Dee DST")
    _no_show(client, org, "dst-2", "2026-11-02T04:30:00Z")  # Sun 1 Nov 23:30 EST: W44
    _no_show(client, org, "dst-2", "2026-11-02T05:30:00Z")  # Mon 2 Nov 00:30 EST: W45
    report = _report(client, org, week="2026-W44").json()
    assert report["ends_at"] == "2026-11-02T05:00:00Z"
    assert [n["occurred_at"] for n in report["no_shows"]] == ["2026-11-02T04:30:00Z"]


def _ingest(engine: Engine, org: OrgContext, now: str, *events: dict[str, Any]) -> None:
    """Record events as if it were `now`: the score history depends on when evaluations ran."""
    when = datetime.fromisoformat(now).astimezone(UTC)
    with transaction(create_sessionmaker(engine)) as session:
        outcomes = flows.record_events(
            session, org_id=org.org_id, items=events_service.parse_items(list(events)), now=when
        )
        flows.derive_dirty(session, org_id=org.org_id, now=when)
    assert all(o.status in (200, 201) for o in outcomes), [o.problem for o in outcomes]


def test_recovered_candidates(client: TestClient, engine: Engine) -> None:
    org = make_org(engine)
    set_timezone(client, org, "America/New_York")
    create_candidate(client, org, external_id="ghost", name="Gus Ghost")
    create_candidate(client, org, external_id="late", name="Lee Late")
    # Gus ignores three messages and is ghosting by 13 Nov (W46); he answers on 17 Nov (W47).
    _ingest(
        engine,
        org,
        "2026-11-13T20:00:00Z",
        *(
            event_body("ghost", external_id=f"g{n}", occurred_at=f"2026-11-0{d}T15:00:00Z")
            for n, d in enumerate((2, 4, 6))
        ),
    )
    # Lee owes something due 10 Nov (W46) and delivers it on 18 Nov (W47).
    _ingest(
        engine,
        org,
        "2026-11-12T20:00:00Z",
        event_body(
            "late",
            external_id="l-req",
            type="request",
            occurred_at="2026-11-09T15:00:00Z",
            due_at="2026-11-10T22:00:00Z",
        ),
        event_body(
            "late",
            external_id="l-ok",
            direction="inbound",
            occurred_at="2026-11-09T16:00:00Z",
            body="Will do.",
        ),
    )
    w46 = _report(client, org, week="2026-W46").json()
    assert {c["external_id"]: c["band"] for c in w46["newly_flagged"]}["ghost"] == (
        "not_that_into_you"
    )
    assert "late" in _names(w46["newly_flagged"])
    _ingest(
        engine,
        org,
        "2026-11-17T16:00:00Z",
        event_body(
            "ghost",
            external_id="g-reply",
            direction="inbound",
            occurred_at="2026-11-17T15:00:00Z",
            body="Sorry, I was away. Still keen!",
        ),
    )
    _ingest(
        engine,
        org,
        "2026-11-18T16:00:00Z",
        event_body(
            "late",
            external_id="l-done",
            direction="inbound",
            occurred_at="2026-11-18T15:00:00Z",
            fulfills="l-req",
            body="Attached.",
        ),
    )
    report = _report(client, org, week=WEEK).json()
    recovered = {r["external_id"]: r for r in report["recovered"]}
    assert recovered["ghost"]["reason"] == "left_not_that_into_you"
    assert recovered["ghost"]["previous_band"] == "not_that_into_you"
    assert recovered["ghost"]["band"] != "not_that_into_you"
    assert recovered["late"]["reason"] == "flags_cleared"
    assert recovered["late"]["cleared_flags"] == ["unfulfilled_request"]
    assert recovered["late"]["at"] == "2026-11-18T16:00:00Z"
