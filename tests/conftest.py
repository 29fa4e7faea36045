"""Test fixtures: a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
migrated with the real migrations once per run, and the app over real HTTP (ASGI).

Tests are isolated by organisation: each test that needs data gets a fresh organisation, and
every query in the product is scoped to one, so tests cannot see each other's rows while
requests still commit for real (idempotency and concurrency tests need real commits).
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.core import migrate
from app.core.db import create_engine_for, create_sessionmaker
from app.core.settings import Settings
from app.main import create_app
from tests.factories import OrgContext, make_org

# The project's own copy of the scenario stories (tests/test_scenario_copies.py keeps it in step).
SCENARIOS_DIR = Path(__file__).resolve().parent / "data" / "scenarios"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Tests that reach any of these fixtures need a database (or a browser); the rest are "fast".
_DATABASE_FIXTURES = frozenset({"database_url", "engine", "browser"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a database or a browser, so `make test-fast` can skip them."""
    for item in items:
        if _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)


def _database_url(tmp_dir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/test.db"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp_dir:
        yield _database_url(tmp_dir)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(database_url, pool_size=20, max_overflow=20)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        log_json=True,
        log_level="WARNING",
        secret_key="test-secret-key-not-for-production",  # type: ignore[arg-type]
        # Tests derive on read or explicitly; tests/derivation starts workers themselves.
        worker_in_process=False,
    )


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine=engine, session_factory=create_sessionmaker(engine))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def org(engine: Engine) -> OrgContext:
    """A fresh organisation with an admin key (and helpers to make narrower keys)."""
    return make_org(engine)


@pytest.fixture
def other_org(engine: Engine) -> OrgContext:
    return make_org(engine, name="Other Org")


@pytest.fixture
def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole run (Playwright's own download is unused).

    Missing Chromium skips the browser tests locally and fails them under CI.
    """
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A reachable Redis for the shared rate-limit store (TEST_REDIS_URL, else the local one).

    Skipped when none answers, unless TEST_REDIS_URL was given explicitly (then it must answer).
    """
    import redis

    url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("TEST_REDIS_URL"):
            raise
        pytest.skip(f"no Redis at {url}")
    return url
