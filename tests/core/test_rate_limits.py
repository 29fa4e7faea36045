"""Per-key API rate limits: IETF draft RateLimit-* headers, 429 problems with Retry-After,
counted per key, in memory or shared by replicas through Redis."""

import threading
import time
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.settings import Settings
from app.main import create_app
from tests.factories import OrgContext, make_org


def _app(settings: Settings, engine: Engine, **overrides: str) -> FastAPI:
    return create_app(settings.model_copy(update=overrides), engine=engine)


def test_api_responses_carry_rate_limit_headers(client: TestClient, org: OrgContext) -> None:
    first = client.get("/api/v1/recruiters", headers=org.headers)
    second = client.get("/api/v1/recruiters", headers=org.headers)
    assert first.headers["ratelimit-limit"] == "1200"  # the generous default
    assert (
        int(second.headers["ratelimit-remaining"]) == int(first.headers["ratelimit-remaining"]) - 1
    )
    assert 0 <= int(first.headers["ratelimit-reset"]) <= 60
    assert "retry-after" not in first.headers


def test_a_spent_key_gets_429_with_retry_after(
    settings: Settings, engine: Engine, org: OrgContext
) -> None:
    client = TestClient(_app(settings, engine, rate_limit_api_key="3 per minute"))
    statuses = [client.get("/api/v1/recruiters", headers=org.headers) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    refused = statuses[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429
    assert refused.json()["type"].endswith("/too-many-requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    # Another key of the same organisation has its own allowance.
    other = org.key_with("read")
    assert client.get("/api/v1/recruiters", headers=other).status_code == 200
    # Unauthenticated requests are not counted against anyone (and answer 401).
    assert client.get("/api/v1/recruiters").status_code == 401


def test_parallel_requests_cannot_overrun_the_limit(
    settings: Settings, engine: Engine, org: OrgContext
) -> None:
    app = _app(settings, engine, rate_limit_api_key="5 per minute")
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(12)

    def call() -> None:
        client = TestClient(app)
        barrier.wait()
        status = client.get("/healthz").status_code  # warm the client's portal
        status = client.get("/api/v1/recruiters", headers=org.headers).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] * 5 + [429] * 7


def test_replicas_share_the_limit_through_redis(
    settings: Settings, engine: Engine, redis_url: str
) -> None:
    org = make_org(engine, name=f"redis-{uuid.uuid4().hex[:6]}")
    shared = {"redis_url": redis_url, "rate_limit_api_key": "4 per minute"}
    replica_a = TestClient(_app(settings, engine, **shared))
    replica_b = TestClient(_app(settings, engine, **shared))
    statuses = [
        replica.get("/api/v1/recruiters", headers=org.headers).status_code
        for replica in (replica_a, replica_b, replica_a, replica_b, replica_a)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_an_unreachable_redis_fails_open(settings: Settings, engine: Engine) -> None:
    org = make_org(engine)
    broken = {"redis_url": "redis://192.0.2.1:6379/0", "rate_limit_api_key": "1 per minute"}
    client = TestClient(_app(settings, engine, **broken))
    started = time.perf_counter()
    for _ in range(5):
        response = client.get("/api/v1/recruiters", headers=org.headers)
        assert response.status_code == 200
    # A black-holed store costs one connect timeout, then is skipped for a while.
    assert time.perf_counter() - started < 3


def test_limits_are_validated() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Settings(rate_limit_api_key="lots")
