"""Events API: contract, bad-input matrix, idempotency, concurrency, order independence."""

import json
import random
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.core.db import create_sessionmaker
from app.events.models import Event
from tests.factories import OrgContext, create_candidate, event_body, unique

PROBLEM = "application/problem+json"


def count_events(engine: Engine, org: OrgContext) -> int:
    with create_sessionmaker(engine)() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Event).where(Event.org_id == org.org_id)
            )
            or 0
        )


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    return body


def test_post_event_then_replay_then_conflict(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org)
    body = event_body(candidate["external_id"], body="Hello", subject="Role")
    first = client.post("/api/v1/events", json=body, headers=org.headers)
    assert first.status_code == 201
    stored = first.json()
    assert stored["created"] is True
    assert stored["occurred_at"] == "2026-11-02T10:00:00Z"
    assert stored["candidate_id"] == candidate["id"]

    # Same instant written with another offset is the same content.
    replay_body = dict(body, occurred_at="2026-11-02T11:00:00+01:00")
    replay = client.post("/api/v1/events", json=replay_body, headers=org.headers)
    assert replay.status_code == 200
    assert replay.json()["created"] is False
    assert replay.json()["id"] == stored["id"]

    changed = client.post("/api/v1/events", json=dict(body, body="Changed"), headers=org.headers)
    problem = assert_problem(changed, 409)
    assert body["external_id"] in problem["detail"]
    assert (
        client.get(f"/api/v1/events/{stored['id']}", headers=org.headers).json()["body"] == "Hello"
    )


def test_inline_candidate_is_upserted(client: TestClient, org: OrgContext) -> None:
    external_id = unique("inline")
    body = event_body(
        external_id,
        candidate={"name": "Inline Person", "timezone": "Europe/Berlin", "job": "Engineer"},
    )
    response = client.post("/api/v1/events", json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    found = client.get(
        "/api/v1/candidates", params={"external_id": external_id}, headers=org.headers
    ).json()["items"]
    assert [c["name"] for c in found] == ["Inline Person"]
    assert found[0]["timezone"] == "Europe/Berlin"


def test_unknown_candidate_is_422_and_stores_nothing(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    response = client.post("/api/v1/events", json=event_body("nobody"), headers=org.headers)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "body.candidate_external_id"
    assert count_events(engine, org) == 0


def _bad_bodies(candidate_external_id: str) -> list[tuple[str, dict[str, Any], str]]:
    good = event_body(candidate_external_id)
    return [
        ("naive timestamp", dict(good, occurred_at="2026-11-02T10:00:00"), "occurred_at"),
        ("unparseable timestamp", dict(good, occurred_at="last tuesday"), "occurred_at"),
        ("unknown direction", dict(good, direction="sideways"), "direction"),
        ("unknown channel", dict(good, channel="pigeon"), "channel"),
        ("unknown type", dict(good, type="letter"), "type"),
        ("wrong type for flag", dict(good, auto_reply="sometimes"), "auto_reply"),
        ("number as id", dict(good, external_id=123), "external_id"),
        ("empty id", dict(good, external_id=""), "external_id"),
        ("blank id", dict(good, external_id="   "), "external_id"),
        ("missing channel", {k: v for k, v in good.items() if k != "channel"}, "channel"),
        ("call without outcome", dict(good, type="call", channel="phone"), "body"),
        ("meeting outcome on a call", dict(good, type="call", outcome="attended"), "body"),
        ("outcome on a message", dict(good, outcome="connected"), "body"),
        ("scheduled meeting without time", dict(good, type="meeting", outcome="scheduled"), "body"),
        ("request without due_at", dict(good, type="request"), "body"),
        ("naive due_at", dict(good, type="request", due_at="2026-11-10T17:00:00"), "due_at"),
        ("unknown field", dict(good, ocurred_at="2026-11-02T10:00:00Z"), "ocurred_at"),
        ("metadata not an object", dict(good, metadata=[1, 2]), "metadata"),
        ("bad inline timezone", dict(good, candidate={"timezone": "Mars/Olympus"}), "timezone"),
        (
            "inline candidate with another id",
            dict(good, candidate={"external_id": "someone-else"}),
            "body",
        ),
    ]


@pytest.mark.parametrize("case", range(20))
def test_bad_input_matrix_single(
    client: TestClient, org: OrgContext, engine: Engine, case: int
) -> None:
    candidate = create_candidate(client, org)
    name, body, field = _bad_bodies(candidate["external_id"])[case]
    response = client.post("/api/v1/events", json=body, headers=org.headers)
    problem = assert_problem(response, 422)
    assert problem["errors"], name
    assert any(field in e["field"] for e in problem["errors"]), (name, problem["errors"])
    assert count_events(engine, org) == 0, name


def test_malformed_json_is_400(client: TestClient, org: OrgContext, engine: Engine) -> None:
    response = client.post(
        "/api/v1/events",
        content=b'{"external_id": "x",',
        headers={**org.headers, "content-type": "application/json"},
    )
    assert_problem(response, 400)
    assert count_events(engine, org) == 0


def test_oversize_body_is_413(client: TestClient, org: OrgContext, engine: Engine) -> None:
    candidate = create_candidate(client, org)
    body = event_body(candidate["external_id"], body="x" * 90_000)
    batch = {"events": [dict(body, external_id=unique("big")) for _ in range(13)]}
    response = client.post("/api/v1/events/batch", json=batch, headers=org.headers)
    assert_problem(response, 413)
    # The same size streamed without a Content-Length is refused too.
    payload = json.dumps(batch).encode()
    chunks = (payload[i : i + 65536] for i in range(0, len(payload), 65536))
    streamed = client.post(
        "/api/v1/events/batch",
        content=chunks,
        headers={**org.headers, "content-type": "application/json"},
    )
    assert_problem(streamed, 413)
    assert count_events(engine, org) == 0


def test_oversize_batch_is_422(client: TestClient, org: OrgContext, engine: Engine) -> None:
    candidate = create_candidate(client, org)
    events = [event_body(candidate["external_id"]) for _ in range(1001)]
    for event in events:
        event.pop("direction")  # keep the body under 1 MiB; the count alone must fail it
    response = client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    problem = assert_problem(response, 422)
    assert any("events" in e["field"] for e in problem["errors"])
    assert count_events(engine, org) == 0


def test_batch_with_bad_items_stores_the_good_ones(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org)
    good_a = event_body(candidate["external_id"])
    good_b = event_body(candidate["external_id"], occurred_at="2026-11-02T12:00:00Z")
    bad_items = [b for _, b, _ in _bad_bodies(candidate["external_id"])]
    unknown = event_body("nobody-at-all")
    items: list[Any] = [good_a, *bad_items, "not an object", unknown, good_b]
    response = client.post("/api/v1/events/batch", json={"events": items}, headers=org.headers)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(items)
    assert results[0]["status"] == 201 and results[0]["created"] is True
    assert results[-1]["status"] == 201
    for result in results[1:-1]:
        assert result["status"] == 422, result
        assert result["problem"]["status"] == 422
        assert result["problem"]["errors"]
    assert results[1]["problem"]["errors"][0]["field"].startswith("events[1]")
    assert count_events(engine, org) == 2


def test_batch_duplicates_and_replays(client: TestClient, org: OrgContext, engine: Engine) -> None:
    candidate = create_candidate(client, org)
    event = event_body(candidate["external_id"])
    conflicting = dict(event, body="different")
    response = client.post(
        "/api/v1/events/batch", json={"events": [event, event, conflicting]}, headers=org.headers
    )
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == [201, 200, 409]
    again = client.post("/api/v1/events/batch", json={"events": [event]}, headers=org.headers)
    assert again.json()["results"][0] == {
        "status": 200,
        "id": response.json()["results"][0]["id"],
        "external_id": event["external_id"],
        "created": False,
        "problem": None,
    }
    assert count_events(engine, org) == 1


def test_concurrent_posts_of_one_external_id_store_one_row(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org)
    body = event_body(candidate["external_id"], body="same")
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        barrier.wait()
        status = client.post("/api/v1/events", json=body, headers=org.headers).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 7 + [201]
    assert count_events(engine, org) == 1


def test_concurrent_events_for_one_candidate_all_derive(
    client: TestClient, org: OrgContext
) -> None:
    candidate = create_candidate(client, org)
    bodies = [
        event_body(
            candidate["external_id"],
            direction="outbound" if i % 2 == 0 else "inbound",
            occurred_at=f"2026-11-02T{9 + i:02d}:00:00Z",
        )
        for i in range(8)
    ]
    statuses: list[int] = []
    threads = [
        threading.Thread(
            target=lambda b=b: statuses.append(
                client.post("/api/v1/events", json=b, headers=org.headers).status_code
            )
        )
        for b in bodies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 8
    timeline = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline",
        params={"as_of": "2026-11-03T00:00:00Z"},
        headers=org.headers,
    ).json()
    assert len(timeline["events"]) == 8
    assert len(timeline["exchanges"]) == 4
    state = client.get(
        f"/api/v1/candidates/{candidate['id']}",
        params={"as_of": "2026-11-03T00:00:00Z"},
        headers=org.headers,
    ).json()
    assert state["metrics"]["exchanges"] == 4


def _history(n: int, candidate_external_id: str, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events = []
    for i in range(n):
        kind = rng.choice(["out_msg", "in_msg", "call", "meeting", "ooo", "request"])
        occurred = f"2026-11-{2 + i // 6:02d}T{8 + (i % 6) * 2:02d}:{rng.randint(0, 59):02d}:00Z"
        body = event_body(candidate_external_id, external_id=f"h{seed}-{i}", occurred_at=occurred)
        if kind == "in_msg":
            body.update(
                direction="inbound", body=rng.choice(["Sorry, swamped!", "Yes please.", "Thanks!"])
            )
        elif kind == "call":
            body.update(
                type="call", channel="phone", outcome=rng.choice(["no_answer", "connected"])
            )
        elif kind == "meeting":
            body.update(
                type="meeting", channel="video", outcome=rng.choice(["attended", "no_show"])
            )
        elif kind == "ooo":
            body.update(direction="inbound", auto_reply=True, body="Out of office until Monday")
        elif kind == "request":
            body.update(type="request", due_at="2026-11-06T17:00:00Z")
        events.append(body)
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_ingestion_gives_identical_exchanges(
    client: TestClient, engine: Engine, seed: int
) -> None:
    from tests.factories import make_org

    views = []
    for order_seed in (None, seed * 10, seed * 100):
        org = make_org(engine)
        candidate = create_candidate(
            client, org, external_id="same-person", timezone="Europe/Berlin"
        )
        events = _history(30, "same-person", seed)
        if order_seed is not None:
            random.Random(order_seed).shuffle(events)
        for start in range(0, len(events), 7):
            client.post(
                "/api/v1/events/batch",
                json={"events": events[start : start + 7]},
                headers=org.headers,
            )
        timeline = client.get(
            f"/api/v1/candidates/{candidate['id']}/timeline",
            params={"as_of": "2026-11-20T00:00:00Z"},
            headers=org.headers,
        ).json()
        ids = {e["id"]: e["external_id"] for e in timeline["events"]}
        views.append(
            [
                (
                    x["opened_at"],
                    x["responded_at"],
                    x["attempts"],
                    x["business_seconds"],
                    x["latency_seconds"],
                    ids[x["opening_event_id"]],
                )
                for x in timeline["exchanges"]
            ]
        )
    assert views[0] == views[1] == views[2]
    assert views[0]


def test_timeline_as_of_leaves_out_later_events(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org, timezone="Europe/Berlin")
    ext = candidate["external_id"]
    client.post(
        "/api/v1/events/batch",
        json={
            "events": [
                event_body(ext, occurred_at="2026-11-06T16:00:00+01:00"),
                event_body(ext, direction="inbound", occurred_at="2026-11-09T10:00:00+01:00"),
            ]
        },
        headers=org.headers,
    )
    before = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline",
        params={"as_of": "2026-11-09T09:30:00+01:00"},
        headers=org.headers,
    ).json()
    assert len(before["events"]) == 1
    [open_exchange] = before["exchanges"]
    assert open_exchange["open"] is True
    assert open_exchange["business_seconds"] == 3600 + 1800
    after = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline",
        params={"as_of": "2026-11-10T00:00:00+01:00"},
        headers=org.headers,
    ).json()
    assert after["exchanges"][0]["business_seconds"] == 7200
    assert after["exchanges"][0]["latency_seconds"] == 237600
    naive = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline",
        params={"as_of": "2026-11-10T00:00:00"},
        headers=org.headers,
    )
    assert_problem(naive, 422)


def test_mirror_view_waiting_on_us_and_overdue_promise(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org, timezone="UTC")
    ext = candidate["external_id"]
    client.post(
        "/api/v1/events/batch",
        json={
            "events": [
                event_body(
                    ext,
                    occurred_at="2026-11-02T10:00:00Z",
                    expects_reply=False,
                    promised_by="2026-11-04T17:00:00Z",
                    body="We will get back to you by Wednesday.",
                ),
                event_body(
                    ext, direction="inbound", occurred_at="2026-11-05T10:00:00Z", body="Any news?"
                ),
            ]
        },
        headers=org.headers,
    )
    timeline = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline",
        params={"as_of": "2026-11-06T10:00:00Z"},
        headers=org.headers,
    ).json()
    mirror = timeline["mirror"]
    assert mirror["waiting_on_us"]["business_seconds"] == 8 * 3600
    assert mirror["overdue_promises"] == 1
    assert timeline["exchanges"] == []  # a note that asks nothing is not an attempt
    state = client.get(
        f"/api/v1/candidates/{candidate['id']}",
        params={"as_of": "2026-11-06T10:00:00Z"},
        headers=org.headers,
    ).json()
    assert state["metrics"]["waiting_on_us_business_hours"] == 8


def test_body_redaction_keeps_intents_but_not_text(client: TestClient, org: OrgContext) -> None:
    settings = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    settings["body_retention"] = "redact"
    assert (
        client.put("/api/v1/settings/scoring", json=settings, headers=org.headers).status_code
        == 200
    )
    candidate = create_candidate(client, org)
    body = event_body(
        candidate["external_id"], direction="inbound", body="I am so sorry for the delay."
    )
    stored = post_and_get(client, org, body)
    assert stored["body"] is None and stored["body_redacted"] is True
    assert "apology" in {i["intent"] for i in stored["intents"]}
    # The replay is still recognised as the same content.
    assert client.post("/api/v1/events", json=body, headers=org.headers).status_code == 200


def post_and_get(client: TestClient, org: OrgContext, body: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/api/v1/events", json=body, headers=org.headers)
    assert created.status_code == 201, created.text
    result: dict[str, Any] = client.get(
        f"/api/v1/events/{created.json()['id']}", headers=org.headers
    ).json()
    return result
