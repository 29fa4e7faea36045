"""Absurd values answer 422 and change nothing; one absurd batch item never sinks the others.

Each test is a reproduction from the security review (issue 11, "Medium"), with the bounds of
contract revision 2 §1.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.core.db import create_sessionmaker
from app.events.models import Event
from app.recruiters.models import Recruiter
from tests.factories import OrgContext, create_candidate, event_body, post_event, unique

PROBLEM = "application/problem+json"
HUGE_NUMBER_BODY = "I will send it in 99999999999999999999 days"


def count_events(engine: Engine, org: OrgContext) -> int:
    with create_sessionmaker(engine)() as session:
        query = select(func.count()).select_from(Event).where(Event.org_id == org.org_id)
        return int(session.scalar(query) or 0)


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth - 1):
        node["a"] = {}
        node = node["a"]
    return root


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def test_huge_number_in_a_body_is_no_500_and_spares_the_batch(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org)
    hostile = event_body(candidate["external_id"], direction="inbound", body=HUGE_NUMBER_BODY)
    single = client.post("/api/v1/events", json=hostile, headers=org.headers)
    assert single.status_code < 500, single.text

    before = count_events(engine, org)
    good = [event_body(candidate["external_id"], body=f"note {n}") for n in range(3)]
    hostile = event_body(candidate["external_id"], direction="inbound", body=HUGE_NUMBER_BODY)
    batch = [good[0], hostile, good[1], good[2]]
    response = client.post("/api/v1/events/batch", json={"events": batch}, headers=org.headers)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in (results[0], results[2], results[3])] == [201, 201, 201]
    assert results[1]["status"] < 500
    if results[1]["status"] >= 400:
        assert results[1]["problem"]["status"] == results[1]["status"]
    stored = 3 + (results[1]["status"] == 201)
    assert count_events(engine, org) == before + stored
    for item, result in zip(good, (results[0], results[2], results[3]), strict=True):
        assert result["external_id"] == item["external_id"]
        stored_event = client.get(f"/api/v1/events/{result['id']}", headers=org.headers)
        assert stored_event.json()["body"] == item["body"]


@pytest.mark.parametrize(
    "occurred_at",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "1999-12-31T23:59:59Z",
        "2999-06-01T00:00:00Z",
        "9999-12-31T23:59:59-05:00",
    ],
)
def test_occurred_at_out_of_bounds_is_422(
    client: TestClient, org: OrgContext, engine: Engine, occurred_at: str
) -> None:
    candidate = create_candidate(client, org)
    body = event_body(candidate["external_id"], occurred_at=occurred_at)
    response = client.post("/api/v1/events", json=body, headers=org.headers)
    assert_problem(response, 422, "body.occurred_at")
    assert count_events(engine, org) == 0


@pytest.mark.parametrize("field", ["scheduled_for", "due_at", "promised_by"])
def test_other_instants_are_bounded(client: TestClient, org: OrgContext, field: str) -> None:
    candidate = create_candidate(client, org)
    extra: dict[str, Any] = {
        "scheduled_for": {"type": "meeting", "outcome": "scheduled"},
        "due_at": {"type": "request"},
        "promised_by": {},
    }[field]
    body = event_body(candidate["external_id"], **extra, **{field: "3000-01-01T00:00:00Z"})
    assert_problem(client.post("/api/v1/events", json=body, headers=org.headers), 422)
    # Just inside the bound (now + 2 years, less a day) is accepted.
    inside = iso(datetime.now(UTC) + timedelta(days=2 * 365 - 1))
    body = event_body(candidate["external_id"], **extra, **{field: inside})
    response = client.post("/api/v1/events", json=body, headers=org.headers)
    assert response.status_code == 201, response.text


def test_earliest_instant_is_accepted(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org)
    body = event_body(candidate["external_id"], occurred_at="2000-01-01T00:00:00Z")
    assert post_event(client, org, body)["occurred_at"] == "2000-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "as_of", ["2800-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00"]
)
def test_as_of_out_of_bounds_is_422_everywhere(
    client: TestClient, org: OrgContext, as_of: str
) -> None:
    candidate = create_candidate(client, org)
    post_event(client, org, event_body(candidate["external_id"]))
    for path in (
        f"/api/v1/candidates/{candidate['id']}",
        f"/api/v1/candidates/{candidate['id']}/timeline",
        "/api/v1/pipeline",
        "/api/v1/reports/weekly",
    ):
        response = client.get(path, params={"as_of": as_of}, headers=org.headers)
        assert_problem(response, 422, "query.as_of")


def test_as_of_near_the_upper_bound_answers(client: TestClient, org: OrgContext) -> None:
    """A far but allowed as_of (now + 5 years, less a day) computes, without recursion."""
    candidate = create_candidate(client, org)
    post_event(client, org, event_body(candidate["external_id"]))
    far = iso(datetime.now(UTC) + timedelta(days=5 * 365 - 1))
    response = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline",
        params={"as_of": far},
        headers=org.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["exchanges"][0]["open"] is True


@pytest.mark.parametrize("week", ["0001-W01", "1999-W52", "9999-W01"])
def test_week_out_of_bounds_is_422(client: TestClient, org: OrgContext, week: str) -> None:
    response = client.get("/api/v1/reports/weekly", params={"week": week}, headers=org.headers)
    assert_problem(response, 422, "query.week")


def test_deep_metadata_is_422_and_the_timeline_still_answers(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org)
    body = event_body(candidate["external_id"], metadata=nested(600))
    response = client.post(
        "/api/v1/events",
        content=json.dumps(body),
        headers={**org.headers, "content-type": "application/json"},
    )
    assert_problem(response, 422, "body.metadata")
    assert count_events(engine, org) == 0
    # 16 levels is the limit, and such an event reads back.
    stored = post_event(client, org, event_body(candidate["external_id"], metadata=nested(16)))
    assert stored["metadata"] == nested(16)
    timeline = client.get(f"/api/v1/candidates/{candidate['id']}/timeline", headers=org.headers)
    assert timeline.status_code == 200
    too_deep = event_body(candidate["external_id"], metadata=nested(17))
    assert_problem(client.post("/api/v1/events", json=too_deep, headers=org.headers), 422)


def test_large_metadata_is_422(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org)
    big = event_body(candidate["external_id"], metadata={"blob": "x" * (64 * 1024)})
    assert_problem(
        client.post("/api/v1/events", json=big, headers=org.headers), 422, "body.metadata"
    )
    fits = event_body(candidate["external_id"], metadata={"blob": "x" * 60_000})
    assert client.post("/api/v1/events", json=fits, headers=org.headers).status_code == 201


def test_deeply_nested_json_body_is_a_client_error(client: TestClient, org: OrgContext) -> None:
    response = client.post(
        "/api/v1/events",
        content="[" * 100_000 + "]" * 100_000,
        headers={**org.headers, "content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/recruiters", {"external_id": "r1", "name": "Bob\r\nBcc: all@example.com"}),
        ("/api/v1/recruiters", {"external_id": "r\x001", "name": "Bob"}),
        ("/api/v1/recruiters", {"external_id": "r1", "name": "Bob\x1b[31m"}),
        ("/api/v1/candidates", {"external_id": "c\x07", "name": "Ann"}),
        ("/api/v1/candidates", {"external_id": "c1", "name": "Ann\u0085"}),
    ],
)
def test_control_characters_in_names_and_ids_are_422(
    client: TestClient, org: OrgContext, engine: Engine, path: str, body: dict[str, Any]
) -> None:
    assert_problem(client.post(path, json=body, headers=org.headers), 422)
    with create_sessionmaker(engine)() as session:
        query = select(func.count()).select_from(Recruiter).where(Recruiter.org_id == org.org_id)
        assert session.scalar(query) == 0


def test_tab_and_newline_are_allowed_in_names(client: TestClient, org: OrgContext) -> None:
    body = {"external_id": unique("r"), "name": "Ann\tLee"}
    response = client.post("/api/v1/recruiters", json=body, headers=org.headers)
    assert response.status_code in (200, 201), response.text


def test_nul_in_free_text_is_422_not_500(client: TestClient, org: OrgContext) -> None:
    """PostgreSQL stores no NUL; text and metadata with one are refused on every backend."""
    candidate = create_candidate(client, org)
    for extra in ({"body": "hi\x00there"}, {"metadata": {"k": "v\x00"}}, {"subject": "\ud800"}):
        body = event_body(candidate["external_id"], **extra)
        response = client.post(
            "/api/v1/events",
            content=json.dumps(body),
            headers={**org.headers, "content-type": "application/json"},
        )
        assert_problem(response, 422)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/candidates", {"external_id": "a\x00b"}),
        ("/api/v1/pipeline", {"recruiter_external_id": "r\x00"}),
        ("/api/v1/candidates/ab%00cd", {}),
        ("/api/v1/events/%00", {}),
    ],
)
def test_nul_in_query_or_path_is_a_client_error(
    client: TestClient, org: OrgContext, path: str, params: dict[str, str]
) -> None:
    """PostgreSQL refuses NUL in text parameters: that is the client's error, never a 500."""
    response = client.get(path, params=params, headers=org.headers)
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
