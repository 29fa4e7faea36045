"""Pooled PostgreSQL connections: checked before use after idling, not on every checkout."""

import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from app.core.db import create_engine_for


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(engine: Engine, pid: int) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("server-side connection loss is a PostgreSQL matter")
    return database_url


def test_an_idle_connection_closed_by_the_server_is_replaced_before_use(
    postgres_url: str, engine: Engine
) -> None:
    pooled = create_engine_for(postgres_url, pool_size=1, max_overflow=0, ping_after_idle=0.05)
    try:
        first = _backend_pid(pooled)
        _terminate(engine, first)
        time.sleep(0.1)
        # The only pooled connection is dead: the check on checkout swaps it for a live one.
        second = _backend_pid(pooled)
        assert second != first
        assert _backend_pid(pooled) == second  # and that one is kept
    finally:
        pooled.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_a_loss_costs_one_request(
    postgres_url: str, engine: Engine
) -> None:
    pooled = create_engine_for(postgres_url, pool_size=1, max_overflow=0, ping_after_idle=3600)
    try:
        first = _backend_pid(pooled)
        _terminate(engine, first)
        time.sleep(0.1)
        # Used a moment ago, so not checked: the request that finds it dead fails (nothing
        # was acknowledged to anyone) ...
        with pytest.raises(DBAPIError) as failed:
            _backend_pid(pooled)
        assert failed.value.connection_invalidated
        # ... and the disconnect invalidated the pool: the next use gets a new connection.
        assert _backend_pid(pooled) != first
    finally:
        pooled.dispose()
