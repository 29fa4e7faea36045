"""Candidates and recruiters: upsert, find, list with cursors, erase."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.core.db import create_sessionmaker
from app.models import Base, Candidate
from tests.factories import OrgContext, create_candidate, event_body, unique


def test_upsert_creates_then_updates_only_sent_fields(client: TestClient, org: OrgContext) -> None:
    body = {
        "external_id": unique("c"),
        "name": "Ada",
        "email": "ada@example.com",
        "stage": "screen",
    }
    created = client.post("/api/v1/candidates", json=body, headers=org.headers)
    assert created.status_code == 201
    assert created.json()["status"] == "active"
    updated = client.post(
        "/api/v1/candidates",
        json={"external_id": body["external_id"], "stage": "onsite"},
        headers=org.headers,
    )
    assert updated.status_code == 200
    assert updated.json()["id"] == created.json()["id"]
    assert updated.json()["stage"] == "onsite"
    assert updated.json()["name"] == "Ada"
    assert updated.json()["email"] == "ada@example.com"


def test_candidate_validation(client: TestClient, org: OrgContext) -> None:
    for body, field in [
        ({"external_id": "x", "timezone": "Nowhere/Land"}, "timezone"),
        ({"external_id": "x", "status": "sleeping"}, "status"),
        ({"external_id": "x", "email": "not-an-email"}, "email"),
        ({"external_id": ""}, "external_id"),
        ({"name": "no id"}, "external_id"),
    ]:
        response = client.post("/api/v1/candidates", json=body, headers=org.headers)
        assert response.status_code == 422, body
        assert any(field in e["field"] for e in response.json()["errors"]), response.json()
    assert client.get("/api/v1/candidates", headers=org.headers).json()["items"] == []


def test_unscored_candidate_reads_unknown(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org)
    state = client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers).json()
    assert state["score"] is None and state["band"] == "unknown"
    assert state["metrics"]["exchanges"] == 0
    assert state["flags"] == [] and state["score_breakdown"] == []


def test_cursor_pagination_walks_every_candidate_once(client: TestClient, org: OrgContext) -> None:
    made = {create_candidate(client, org)["external_id"] for _ in range(7)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/candidates", params=params, headers=org.headers).json()
        seen.extend(c["external_id"] for c in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))
    for params in ({"cursor": "garbage!"}, {"cursor": "WzFd"}, {"limit": 0}, {"limit": 501}):
        response = client.get("/api/v1/candidates", params=params, headers=org.headers)
        assert response.status_code in (400, 422), params
        assert response.headers["content-type"].startswith("application/problem+json")


def test_recruiters_upsert_and_list(client: TestClient, org: OrgContext) -> None:
    body = {
        "external_id": "r-1",
        "name": "Rita",
        "email": "rita@example.com",
        "timezone": "Europe/Paris",
    }
    assert client.post("/api/v1/recruiters", json=body, headers=org.headers).status_code == 201
    again = client.post("/api/v1/recruiters", json=dict(body, name="Rita R."), headers=org.headers)
    assert again.status_code == 200 and again.json()["name"] == "Rita R."
    assert [
        r["name"] for r in client.get("/api/v1/recruiters", headers=org.headers).json()["items"]
    ] == ["Rita R."]
    bad = client.post("/api/v1/recruiters", json={"external_id": "r-2"}, headers=org.headers)
    assert bad.status_code == 422


def test_erasure_removes_events_and_derived_rows(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org)
    ext = candidate["external_id"]
    events = [
        event_body(ext, occurred_at="2026-11-02T10:00:00Z"),
        event_body(
            ext,
            type="meeting",
            channel="video",
            outcome="no_show",
            occurred_at="2026-11-03T10:00:00Z",
        ),
        event_body(ext, direction="inbound", occurred_at="2026-11-04T10:00:00Z", body="Sorry!"),
    ]
    client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers)

    # Every table with a candidate_id column, whichever domain owns it (new ones included).
    tables = [t for t in Base.metadata.sorted_tables if "candidate_id" in t.c]

    def remaining() -> dict[str, int]:
        with create_sessionmaker(engine)() as session:
            counts = {
                table.name: int(
                    session.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(table.c.candidate_id == candidate["id"])
                    )
                    or 0
                )
                for table in tables
            }
            counts["candidates"] = int(
                session.scalar(
                    select(func.count())
                    .select_from(Candidate)
                    .where(Candidate.id == candidate["id"])
                )
                or 0
            )
            return counts

    before = remaining()
    assert before["events"] == 3 and before["exchanges"] >= 1 and before["flags"] >= 1
    assert before["candidate_scores"] == 1
    response = client.delete(f"/api/v1/candidates/{candidate['id']}", headers=org.headers)
    assert response.status_code == 204
    assert set(remaining().values()) == {0}
    assert (
        client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers).status_code == 404
    )
    assert (
        client.delete(f"/api/v1/candidates/{candidate['id']}", headers=org.headers).status_code
        == 404
    )
    # The idempotency keys are free again: nothing of the erased events remains.
    again = client.post(
        "/api/v1/events", json=dict(events[0], candidate={"name": "New"}), headers=org.headers
    )
    assert again.status_code == 201
