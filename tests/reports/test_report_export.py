"""The streamed (JSON lines, CSV) and paged forms of the weekly report, through HTTP.

Each is checked against the whole report (`GET /api/v1/reports/weekly` as JSON), which is
built by another path (every section loaded at once, totals counted in Python): same totals,
and the streamed or paged rows of each section are exactly the whole report's items.
"""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import Engine

from app.candidates.schemas import CandidateUpsert
from app.core.db import create_sessionmaker, transaction
from app.core.pagination import encode_cursor
from app.demo.generator import generate_org
from app.derivation import flows
from app.events import service as events_service
from app.reports import export, render
from app.reports.schemas import WeeklyReportRead, WeeklyReportRowRead
from tests.factories import OrgContext, create_candidate, event_body, make_org, post_event
from tests.reports.conftest import Seeded
from tests.reports.seed import WEEK, set_timezone

URL = "/api/v1/reports/weekly"
ITEMS = URL + "/items"
LATER = "2026-11-25T12:00:00Z"
SECTIONS = list(export.SECTIONS)


def _get(client: TestClient, org: OrgContext, url: str = URL, *, accept: str | None = None,
         **params: Any) -> Any:  # fmt: skip
    headers = dict(org.headers) | ({"Accept": accept} if accept else {})
    response = client.get(url, params={"as_of": LATER, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response


def _whole(client: TestClient, org: OrgContext, **params: Any) -> dict[str, Any]:
    report: dict[str, Any] = _get(client, org, **params).json()
    return report


def _lines(client: TestClient, org: OrgContext, **params: Any) -> list[dict[str, Any]]:
    response = _get(client, org, accept="application/x-ndjson", **params)
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


def _by_section(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    for row in rows:
        item = dict(row)
        out[item.pop("section")].append(item)
    return out


def _canonical(items: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def _assert_same_items(whole: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    sections = _by_section(rows)
    for section in SECTIONS:
        assert _canonical(sections[section]) == _canonical(whole[section]), section
        assert whole["totals"][section] == len(whole[section]), section


def _walk(client: TestClient, org: OrgContext, *, limit: int, **params: Any) -> tuple[
    dict[str, Any], list[dict[str, Any]]
]:  # fmt: skip
    first = _get(client, org, ITEMS, limit=limit, **params).json()
    summary, rows, page = first["summary"], list(first["items"]), first
    assert summary is not None
    while page["next_cursor"] is not None:
        assert len(page["items"]) == limit
        page = _get(client, org, ITEMS, limit=limit, cursor=page["next_cursor"], **params).json()
        assert page["summary"] is None
        rows.extend(page["items"])
    return summary, rows


def _assert_summary(summary: dict[str, Any], whole: dict[str, Any]) -> None:
    assert summary["section"] == "summary"
    for key in ("week", "timezone", "starts_at", "ends_at", "as_of", "totals", "responsiveness",
                "latency_distribution", "next_actions_until", "recruiter_external_id"):  # fmt: skip
        assert summary[key] == whole[key], key


def test_json_lines_carry_the_summary_then_every_item(client: TestClient, seeded: Seeded) -> None:
    whole = _whole(client, seeded.org, week=WEEK)
    lines = _lines(client, seeded.org, week=WEEK)
    _assert_summary(lines[0], whole)
    assert all(line["section"] in SECTIONS for line in lines[1:])
    assert len(lines) - 1 == sum(whole["totals"].values()) > 0
    _assert_same_items(whole, lines[1:])
    by_format = _get(client, seeded.org, format="jsonl", week=WEEK)
    assert by_format.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(x)["section"] for x in by_format.text.splitlines()] == [
        line["section"] for line in lines
    ]


def test_one_recruiter_streams_only_their_candidates(client: TestClient, seeded: Seeded) -> None:
    params = {"week": WEEK, "recruiter_external_id": "rec-ben"}
    whole = _whole(client, seeded.org, **params)
    lines = _lines(client, seeded.org, **params)
    _assert_summary(lines[0], whole)
    assert lines[0]["recruiter_name"] == "Ben Okafor"
    _assert_same_items(whole, lines[1:])
    assert {line["recruiter_external_id"] for line in lines[1:]} == {"rec-ben"}


def test_csv_streams_the_flagged_rows(client: TestClient, seeded: Seeded) -> None:
    response = _get(client, seeded.org, accept="text/csv", week=WEEK, as_of="2026-11-24T12:00:00Z")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    whole = _whole(client, seeded.org, week=WEEK)
    flagged = [*whole["newly_flagged"], *whole["still_flagged"]]
    assert sorted((r["category"], r["candidate_id"]) for r in rows) == sorted(
        (f["category"], f["candidate_id"]) for f in flagged
    )
    assert [r["category"] for r in rows] == sorted(
        (r["category"] for r in rows), key=lambda c: c != "newly_flagged"
    ), "newly flagged first"
    by_format = _get(client, seeded.org, format="csv", week=WEEK)
    assert by_format.text == response.text


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_cursor_walk_covers_every_item_once(client: TestClient, seeded: Seeded, limit: int) -> None:
    whole = _whole(client, seeded.org, week=WEEK)
    summary, rows = _walk(client, seeded.org, limit=limit, week=WEEK)
    _assert_summary(summary, whole)
    keys = [(r["section"], r.get("event_external_id") or r["candidate_id"]) for r in rows]
    assert len(keys) == len(set(keys)), "no item twice"
    assert [r["section"] for r in rows] == sorted((r["section"] for r in rows), key=SECTIONS.index)
    _assert_same_items(whole, rows)


def test_a_later_page_keeps_the_first_pages_instant(client: TestClient, seeded: Seeded) -> None:
    first = _get(client, seeded.org, ITEMS, limit=1, week="2026-W48",
                 as_of="2026-11-24T12:00:00Z").json()  # fmt: skip
    assert first["summary"]["as_of"] == "2026-11-24T12:00:00Z"
    # A cursor without the week uses its own; a different as_of is ignored.
    second = _get(client, seeded.org, ITEMS, cursor=first["next_cursor"], limit=1,
                  as_of="2026-11-30T12:00:00Z")  # fmt: skip
    assert second.json()["summary"] is None


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


def test_bad_cursors_are_400_problems(client: TestClient, seeded: Seeded) -> None:
    first = _get(client, seeded.org, ITEMS, limit=1, week=WEEK).json()
    cursor = first["next_cursor"]
    forged = [
        "not-a-cursor",
        encode_cursor(["2026-W47"]),
        encode_cursor(["2026-W99", LATER, "", "recovered", ""]),
        encode_cursor([WEEK, "yesterday", "", "recovered", ""]),
        encode_cursor([WEEK, "2026-11-23T05:00:00", "", "recovered", ""]),
        encode_cursor([WEEK, "2026-11-23T05:00:00Z", "", "everything", ""]),
    ]
    for bad in forged:
        response = seeded_get(client, seeded.org, cursor=bad)
        _problem(response, 400)
    other_week = seeded_get(client, seeded.org, cursor=cursor, week="2026-W46")
    assert "another report" in _problem(other_week, 400)["detail"]
    other_recruiter = seeded_get(client, seeded.org, cursor=cursor, recruiter_external_id="rec-ben")
    _problem(other_recruiter, 400)
    _problem(seeded_get(client, seeded.org, limit=0), 422)
    _problem(seeded_get(client, seeded.org, limit=501), 422)


def seeded_get(client: TestClient, org: OrgContext, **params: Any) -> Any:
    return client.get(ITEMS, params={"as_of": LATER, **params}, headers=org.headers)


def test_other_organisations_never_see_our_rows(
    client: TestClient, seeded: Seeded, other_org: OrgContext
) -> None:
    ours = {line.get("candidate_id") for line in _lines(client, seeded.org, week=WEEK)[1:]}
    assert ours
    lines = _lines(client, other_org, week=WEEK)
    assert lines[0]["totals"] == {k: 0 for k in lines[0]["totals"]}
    assert lines[1:] == []
    # Our cursor in their hands reads their (empty) organisation, never ours.
    cursor = _get(client, seeded.org, ITEMS, limit=1, week=WEEK).json()["next_cursor"]
    theirs = _get(client, other_org, ITEMS, cursor=cursor, limit=500).json()
    assert theirs["items"] == []
    assert _get(client, other_org, accept="text/csv", week=WEEK).text.count("\n") == 1
    missing = client.get(
        URL,
        params={
            "week": WEEK,
            "as_of": LATER,
            "recruiter_external_id": "rec-ana",
            "format": "jsonl",
        },
        headers=other_org.headers,
    )
    _problem(missing, 404)


def test_empty_organisation(client: TestClient, org: OrgContext) -> None:
    lines = _lines(client, org, week=WEEK)
    assert len(lines) == 1 and lines[0]["totals"] == {k: 0 for k in lines[0]["totals"]}
    rows = list(csv.reader(io.StringIO(_get(client, org, format="csv", week=WEEK).text)))
    assert len(rows) == 1 and rows[0][0] == "category"
    page = _get(client, org, ITEMS, week=WEEK).json()
    assert page["items"] == [] and page["next_cursor"] is None
    assert page["summary"]["totals"]["newly_flagged"] == 0


def test_errors_before_streaming_are_problems(client: TestClient, org: OrgContext) -> None:
    bad_week = client.get(URL, params={"week": "2026-W60", "format": "jsonl"}, headers=org.headers)
    _problem(bad_week, 422)
    bad_format = client.get(URL, params={"format": "xml"}, headers=org.headers)
    _problem(bad_format, 422)
    assert client.get(URL, params={"format": "jsonl"}).status_code == 401


END = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def generated_org(client: TestClient, engine: Engine) -> OrgContext:
    """Forty generated candidates over six weeks (every section has several rows)."""
    org = make_org(engine)
    set_timezone(client, org, "Europe/Berlin")
    data = generate_org(
        seed=7, candidates=40, recruiters=2, start=END - timedelta(weeks=6), end=END
    )
    with transaction(create_sessionmaker(engine)) as session:
        for body in data.candidates:
            flows.upsert_candidate(
                session, org_id=org.org_id, data=CandidateUpsert.model_validate(body)
            )
        flows.record_events(
            session, org_id=org.org_id, items=events_service.parse_items(data.events)
        )
        flows.derive_dirty(session, org_id=org.org_id, limit=1000)
    return org


@pytest.mark.parametrize("week", ["2026-W46", "2026-W47"])
def test_generated_org_in_small_chunks_and_pages(
    client: TestClient, generated_org: OrgContext, monkeypatch: pytest.MonkeyPatch, week: str
) -> None:
    monkeypatch.setattr(export, "CHUNK", 3)  # many chunks per section
    whole = _whole(client, generated_org, week=week)
    assert sum(1 for s in SECTIONS if whole[s]) >= 4, whole["totals"]
    lines = _lines(client, generated_org, week=week)
    _assert_summary(lines[0], whole)
    _assert_same_items(whole, lines[1:])
    summary, rows = _walk(client, generated_org, limit=7, week=week)
    _assert_summary(summary, whole)
    _assert_same_items(whole, rows)
    csv_rows = list(csv.DictReader(io.StringIO(_get(client, generated_org, format="csv",
                                                    week=week).text)))  # fmt: skip
    assert len(csv_rows) == whole["totals"]["newly_flagged"] + whole["totals"]["still_flagged"]


def test_a_second_copy_of_a_message_does_not_reopen_the_waiting_clock(
    client: TestClient, org: OrgContext
) -> None:
    set_timezone(client, org, "America/New_York")
    create_candidate(client, org, external_id="dup-1", name="Dee Duplicate")
    question = "Could you tell me the salary range for the role?"
    for body in (
        event_body("dup-1", occurred_at="2026-11-16T15:00:00Z", body="Are you still interested?"),
        event_body("dup-1", direction="inbound", occurred_at="2026-11-16T16:00:00Z", body=question),
        event_body("dup-1", occurred_at="2026-11-16T16:03:00Z", body="It is 60-70k."),
        # The mailbox syncs the candidate's question again, after our answer.
        event_body("dup-1", direction="inbound", occurred_at="2026-11-16T16:06:00Z", body=question),
        # An event after the week: the report reads the week's end from SQL, not the summary.
        event_body("dup-1", occurred_at="2026-11-24T15:00:00Z", body="Any news?"),
    ):
        post_event(client, org, body)
    whole = _whole(client, org, week=WEEK)
    assert whole["waiting_on_us"] == [] and whole["totals"]["waiting_on_us"] == 0
    assert _lines(client, org, week=WEEK)[0]["totals"]["waiting_on_us"] == 0


def test_reply_time_chart_counts_exchanges_a_meeting_closed(
    client: TestClient, org: OrgContext
) -> None:
    set_timezone(client, org, "America/New_York")
    create_candidate(client, org, external_id="meet-1", name="Mo Meeting")
    post_event(client, org, event_body(
        "meet-1", type="meeting", outcome="scheduled", channel="video",
        occurred_at="2026-11-16T15:00:00Z", scheduled_for="2026-11-18T15:00:00Z",
    ))  # fmt: skip
    post_event(client, org, event_body(
        "meet-1", type="meeting", outcome="attended", channel="video",
        occurred_at="2026-11-18T15:00:00Z",
    ))  # fmt: skip
    whole = _whole(client, org, week=WEEK)
    bars = {b["label"]: b["count"] for b in whole["latency_distribution"]}
    stats = whole["responsiveness"]["this_week"]
    assert stats["exchanges_opened"] == stats["responded"] == 1
    assert bars["closed by attending a meeting"] == 1
    assert sum(bars.values()) == stats["exchanges_opened"]
    assert whole["latency_distribution"][-1]["label"] == "no reply yet"


ROW = TypeAdapter(WeeklyReportRowRead)


@pytest.mark.parametrize("week", ["2026-W46", "2026-W47"])
def test_streamed_lines_and_csv_are_what_the_models_render(
    client: TestClient, generated_org: OrgContext, week: str
) -> None:
    """Rows are serialised without their models (plain dicts for the flagged sections): each
    JSON line is byte for byte the model's JSON of itself, and the CSV rows are those
    `render` writes for the whole report's flagged candidates."""
    text = _get(client, generated_org, accept="application/x-ndjson", week=week).text
    lines = text.splitlines()
    assert len(lines) > 1 and any('"flags":[{' in line for line in lines[1:])
    for line in lines[1:]:
        assert ROW.dump_json(ROW.validate_json(line)).decode() == line
    whole = WeeklyReportRead.model_validate(_whole(client, generated_org, week=week))
    expected = io.StringIO()
    writer = render.csv_writer(expected)
    for item in [*whole.newly_flagged, *whole.still_flagged]:
        render.write_csv_row(writer, item)
    streamed = _get(client, generated_org, format="csv", week=week).text
    header, *rows = streamed.splitlines(keepends=True)
    assert header == ",".join(render.CSV_COLUMNS) + "\r\n"
    assert rows and sorted(rows) == sorted(expected.getvalue().splitlines(keepends=True))
