"""No free connection, or no database at all: a quick 503 problem with `Retry-After`."""

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import QueuePool

from app.core.db import create_engine_for, create_sessionmaker
from app.core.settings import Settings
from app.main import create_app
from tests.factories import OrgContext

PROBLEM = "application/problem+json"


def assert_unavailable(response: object) -> None:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["status"] == 503
    assert "Traceback" not in response.text


@pytest.fixture
def tiny_pool(database_url: str) -> Iterator[Engine]:
    """One connection, no overflow, and a short wait for it."""
    args = {"check_same_thread": False} if database_url.startswith("sqlite") else {}
    engine = create_engine(
        database_url,
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.3,
        connect_args=args,
    )
    yield engine
    engine.dispose()


def test_pool_exhaustion_is_503_with_retry_after(
    tiny_pool: Engine, settings: Settings, org: OrgContext
) -> None:
    app = create_app(settings, engine=tiny_pool, session_factory=create_sessionmaker(tiny_pool))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/recruiters", headers=org.headers).status_code == 200
        held = tiny_pool.connect()  # the only connection, held by the test
        try:
            started = time.monotonic()
            response = client.get("/api/v1/recruiters", headers=org.headers)
            assert time.monotonic() - started < 2
            assert_unavailable(response)
        finally:
            held.close()
        # Released: the same app answers again, without a restart.
        assert client.get("/api/v1/recruiters", headers=org.headers).status_code == 200


def test_database_down_is_a_fast_503(settings: Settings, tmp_path: object, org: OrgContext) -> None:
    """A server that refuses connections (PostgreSQL) or a file that cannot open (SQLite)."""
    if settings.is_sqlite:
        url = "sqlite:////nonexistent-dir/followthrough/down.db"
    else:
        # A port nothing listens on: connections are refused, as while PostgreSQL is stopped.
        url = "postgresql+psycopg://postgres@127.0.0.1:9/none"
    down = create_engine_for(url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    app = create_app(settings, engine=down, session_factory=create_sessionmaker(down))
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/api/v1/recruiters", "/api/v1/pipeline"):
            started = time.monotonic()
            response = client.get(path, headers=org.headers)
            assert time.monotonic() - started < 1
            assert_unavailable(response)
        body = {"external_id": "r1", "name": "Ann"}
        assert_unavailable(client.post("/api/v1/recruiters", json=body, headers=org.headers))
        assert client.get("/readyz").status_code == 503
    down.dispose()
