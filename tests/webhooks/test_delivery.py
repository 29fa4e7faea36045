"""Delivery: retries, crashes, concurrency, giving up, DNS rebinding, and the outbox itself."""

import itertools
import json
import random
import threading
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import transaction
from app.core.ids import utcnow
from app.core.settings import Settings
from app.webhooks import outbox, ssrf
from app.webhooks.delivery import claim_due, deliver_due, lease_for, prune_log, send
from app.webhooks.models import WebhookAttempt, WebhookMessage
from tests.factories import OrgContext, create_candidate, event_body
from tests.webhooks.conftest import Deliverer, Receiver
from tests.webhooks.helpers import ago, deliveries, no_show, post_events, subscribe


def _raise_flag(client: TestClient, org: OrgContext) -> dict[str, Any]:
    candidate = create_candidate(client, org, timezone="UTC")
    post_events(client, org, [no_show(candidate["external_id"], ago(2))])
    return candidate


def _messages(factory: sessionmaker[Session], org_id: str) -> list[WebhookMessage]:
    with factory() as session:
        stmt = select(WebhookMessage).where(WebhookMessage.org_id == org_id)
        return list(session.scalars(stmt.order_by(WebhookMessage.created_at)))


def test_receiver_down_for_a_while_gets_each_message_exactly_once(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    receiver.stop()  # down: connection refused
    _raise_flag(hooks_client, org)
    [message] = _messages(factory, org.org_id)
    start = utcnow()
    assert deliver(start).retrying == 1
    receiver.start()  # back on the same port, but failing
    receiver.status = 503
    assert deliver(start + timedelta(seconds=5)).claimed == 0  # backoff: not due yet
    assert deliver(start + timedelta(minutes=1)).retrying == 1
    receiver.status = 200
    assert deliver(start + timedelta(minutes=5)).delivered == 1
    for hours in (1, 24, 100):
        assert deliver(start + timedelta(hours=hours)).claimed == 0
    [delivered] = receiver.accepted()
    assert delivered.headers["webhook-id"] == message.id
    assert [r.headers["webhook-id"] for r in receiver.requests] == [message.id] * 2
    assert receiver.verify(hook["secret"], delivered)["type"] == "candidate.flagged"

    [log] = deliveries(hooks_client, org, hook["id"])
    assert log["id"] == message.id and log["status"] == "delivered" and log["attempt_count"] == 3
    attempts = sorted(log["attempts"], key=lambda a: a["attempt"])
    assert attempts[0]["status_code"] is None and "Connect" in attempts[0]["error"]
    assert attempts[1]["status_code"] == 503 and attempts[1]["error"] == "HTTP 503"
    assert attempts[2]["status_code"] == 200 and attempts[2]["succeeded"]
    assert all(a["duration_ms"] >= 0 for a in attempts)


def test_worker_killed_after_claiming_loses_nothing(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
    hooks_settings: Settings,
) -> None:
    subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    _raise_flag(hooks_client, org)
    now = utcnow()
    lease = lease_for(hooks_settings)
    # Worker 1 claims, then dies before sending.
    [claim] = claim_due(factory, now=now, lease=lease, limit=10)
    assert deliver(now).claimed == 0  # leased: another worker keeps its hands off
    assert receiver.requests == []
    report = deliver(now + lease + timedelta(seconds=1))
    assert report.delivered == 1
    [got] = receiver.accepted()
    assert got.headers["webhook-id"] == claim.message_id


def test_worker_killed_after_sending_delivers_again_with_the_same_id(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
    hooks_settings: Settings,
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    _raise_flag(hooks_client, org)
    now = utcnow()
    lease = lease_for(hooks_settings)
    [claim] = claim_due(factory, now=now, lease=lease, limit=10)
    outcome = send(claim, http_client=deliver.client, settings=hooks_settings)
    assert outcome.succeeded  # ... and the worker dies before recording it
    assert deliver(now + lease + timedelta(seconds=1)).delivered == 1
    ids = [r.headers["webhook-id"] for r in receiver.accepted()]
    assert ids == [claim.message_id, claim.message_id]  # at least once; receivers dedupe
    assert all(receiver.verify(hook["secret"], r) for r in receiver.accepted())
    [message] = _messages(factory, org.org_id)
    assert message.status == "delivered" and message.attempts == 2


def test_concurrent_workers_send_each_message_once(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
) -> None:
    subscribe(hooks_client, org, receiver.url, ["flag.cleared"])
    with transaction(factory) as session:
        for n in range(12):
            outbox.enqueue(session, org_id=org.org_id, event_type="flag.cleared", data={"n": n})
    receiver.delay = 0.02
    now = utcnow()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(6):
                deliver(now, limit=3)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [r.headers["webhook-id"] for r in receiver.accepted()]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert sorted(json.loads(r.body)["data"]["n"] for r in receiver.accepted()) == list(range(12))
    assert {m.status for m in _messages(factory, org.org_id)} == {"delivered"}


def test_three_days_of_failures_disable_the_endpoint(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    receiver.status = 500
    _raise_flag(hooks_client, org)
    [message] = _messages(factory, org.org_id)
    rng = random.Random(7)
    now = message.next_attempt_at
    times: list[datetime] = []
    for _ in range(100):
        report = deliver(now, rng=rng)
        assert report.claimed == 1
        times.append(now)
        if report.disabled:
            break
        [message] = _messages(factory, org.org_id)
        assert message.status == "pending"
        now = message.next_attempt_at
    [message] = _messages(factory, org.org_id)
    assert message.status == "failed"
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps[0] < 60 and max(gaps) > 3600 * 4  # exponential, capped
    assert all(later >= earlier / 2 for earlier, later in itertools.pairwise(gaps))
    span = times[-1] - message.created_at
    assert timedelta(hours=60) <= span <= timedelta(hours=72)
    assert len(receiver.requests) == len(times) >= 10
    assert {r.headers["webhook-id"] for r in receiver.requests} == {message.id}

    state = hooks_client.get(f"/api/v1/webhooks/{hook['id']}", headers=org.headers).json()
    assert state["enabled"] is False
    assert (
        "failed for 3 days" in state["disabled_reason"] and "HTTP 500" in state["disabled_reason"]
    )
    [log] = deliveries(hooks_client, org, hook["id"])
    assert log["status"] == "failed" and log["attempt_count"] == len(times)

    # While disabled nothing is queued for it; enabling it again makes new events flow.
    _raise_flag(hooks_client, org)
    assert len(_messages(factory, org.org_id)) == 1
    enabled = hooks_client.post(f"/api/v1/webhooks/{hook['id']}/enable", headers=org.headers)
    assert enabled.status_code == 200 and enabled.json()["enabled"] is True
    assert enabled.json()["disabled_reason"] is None
    _raise_flag(hooks_client, org)
    assert len(_messages(factory, org.org_id)) == 2


def test_dns_rebinding_to_a_private_address_is_refused_at_delivery(
    client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"hooks.example.test": "93.184.215.14"}

    def fake_resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(2, 1, 6, "", (answers[host], port))]

    monkeypatch.setattr(ssrf, "resolve", fake_resolve)
    url = f"https://hooks.example.test:{receiver.port}/hooks"
    hook = subscribe(client, org, url, ["candidate.flagged"])  # public at subscription time
    _raise_flag(client, org)
    answers["hooks.example.test"] = "127.0.0.1"  # ... then the DNS answer changes
    with httpx.Client(trust_env=False) as http:
        report = deliver_due(factory, now=utcnow(), http_client=http, settings=settings)
    assert report.retrying == 1
    assert receiver.requests == []
    [log] = deliveries(client, org, hook["id"])
    assert log["attempts"][0]["error"].startswith("refused:")
    assert "127.0.0.1" in log["attempts"][0]["error"]


def test_outbox_rows_commit_and_roll_back_with_the_change(
    hooks_client: TestClient, org: OrgContext, receiver: Receiver, factory: sessionmaker[Session]
) -> None:
    subscribe(hooks_client, org, receiver.url, ["flag.cleared"])
    with pytest.raises(RuntimeError), transaction(factory) as session:
        assert outbox.enqueue(session, org_id=org.org_id, event_type="flag.cleared", data={}) == 1
        raise RuntimeError("the change fails")
    assert _messages(factory, org.org_id) == []
    with transaction(factory) as session:
        assert outbox.enqueue(session, org_id=org.org_id, event_type="flag.cleared", data={}) == 1
        # Not subscribed to this type, and not news when dated in the past.
        assert outbox.enqueue(session, org_id=org.org_id, event_type="flag.dismissed", data={}) == 0
        past = utcnow() - timedelta(days=3)
        assert (
            outbox.enqueue(session, org_id=org.org_id, event_type="flag.cleared", data={}, at=past)
            == 0
        )
    assert len(_messages(factory, org.org_id)) == 1


def test_no_subscription_writes_nothing(
    hooks_client: TestClient, org: OrgContext, factory: sessionmaker[Session], _parked: None
) -> None:
    _raise_flag(hooks_client, org)
    assert _messages(factory, org.org_id) == []


def test_look_backs_emit_nothing_and_nothing_is_announced_twice(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
) -> None:
    subscribe(hooks_client, org, receiver.url)
    candidate = _raise_flag(hooks_client, org)
    post_events(hooks_client, org, [event_body(candidate["external_id"], occurred_at=ago(1))])
    deliver()
    announced = [json.loads(m.payload)["type"] for m in _messages(factory, org.org_id)]
    assert "candidate.flagged" in announced and "candidate.band_changed" in announced
    # Reads as of the past re-evaluate (before the no-show, the flag does not hold), but a
    # look back is not news ...
    for days in (30, 10, 3):
        response = hooks_client.get(
            f"/api/v1/candidates/{candidate['id']}",
            params={"as_of": ago(days)},
            headers=org.headers,
        )
        assert response.status_code == 200
    assert len(_messages(factory, org.org_id)) == len(announced)
    # ... nor does coming back to the present re-announce what was already announced.
    now_read = hooks_client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers)
    assert now_read.status_code == 200
    again = [json.loads(m.payload)["type"] for m in _messages(factory, org.org_id)]
    assert again == announced


def test_erasing_a_candidate_erases_their_messages(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
) -> None:
    subscribe(hooks_client, org, receiver.url)
    candidate = _raise_flag(hooks_client, org)
    deliver()
    assert _messages(factory, org.org_id)
    erased = hooks_client.delete(f"/api/v1/candidates/{candidate['id']}", headers=org.headers)
    assert erased.status_code == 204
    assert _messages(factory, org.org_id) == []
    with factory() as session:
        count = session.scalar(
            select(func.count())
            .select_from(WebhookAttempt)
            .where(WebhookAttempt.org_id == org.org_id)
        )
    assert count == 0


def test_old_finished_messages_are_pruned_pending_ones_kept(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
    factory: sessionmaker[Session],
) -> None:
    subscribe(hooks_client, org, receiver.url, ["flag.cleared"])
    with transaction(factory) as session:
        outbox.enqueue(session, org_id=org.org_id, event_type="flag.cleared", data={"n": 1})
    deliver()
    with transaction(factory) as session:
        outbox.enqueue(session, org_id=org.org_id, event_type="flag.cleared", data={"n": 2})
    later = utcnow() + timedelta(days=31)
    assert prune_log(factory, now=utcnow(), keep=timedelta(days=30)) == 0
    assert prune_log(factory, now=later, keep=timedelta(days=30)) >= 1
    [left] = _messages(factory, org.org_id)
    assert left.status == "pending" and json.loads(left.payload)["data"] == {"n": 2}
    with factory() as session:
        attempts = session.scalar(
            select(func.count())
            .select_from(WebhookAttempt)
            .where(WebhookAttempt.org_id == org.org_id)
        )
    assert attempts == 0
