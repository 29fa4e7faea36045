"""Shared plumbing for the benchmarks: database, organisations, bulk set-up, timing."""

import statistics
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine, insert, make_url, text

from app.candidates.models import Candidate
from app.core import migrate
from app.core.db import create_engine_for, create_sessionmaker, transaction
from app.core.db_upsert import _with_defaults
from app.orgs import service as orgs_service
from app.recruiters.models import Recruiter

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (trust auth, via the `postgres` db)."""
    parsed = make_url(url)
    admin = psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{parsed.database}"')


def fresh_engine(url: str) -> Engine:
    """An engine on an empty, fully migrated benchmark database."""
    ensure_database(url)
    engine = create_engine_for(url, pool_size=20, max_overflow=10)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    return engine


def psycopg_dsn(url: str) -> str:
    parsed = make_url(url)
    return (
        f"host={parsed.host or '127.0.0.1'} port={parsed.port or 5432} "
        f"user={parsed.username or 'postgres'} dbname={parsed.database}"
    )


def create_org(engine: Engine, name: str) -> tuple[str, str]:
    """Create an organisation; return (org_id, admin api key)."""
    with transaction(create_sessionmaker(engine)) as session:
        org, key = orgs_service.create_organisation(session, name=name)
        return org.id, key


def bulk_people(
    engine: Engine,
    org_id: str,
    recruiters: Sequence[dict[str, Any]],
    candidates: Sequence[dict[str, Any]],
) -> dict[str, str]:
    """Insert recruiters and candidates in bulk; return candidate external_id → id.

    Set-up only (not measured): the same rows `POST /recruiters` and `/candidates` make for
    new people, written with multi-row INSERTs instead of 10,000 requests.
    """
    with engine.begin() as conn:
        conn.execute(
            insert(Recruiter),
            [_with_defaults(Recruiter, {**r, "org_id": org_id}) for r in recruiters],
        )
        fields = ("name", "email", "phone", "timezone", "recruiter_external_id", "job", "stage")
        rows = [
            _with_defaults(Candidate, {**dict.fromkeys(fields), **c, "org_id": org_id})
            for c in candidates
        ]
        for start in range(0, len(rows), 2000):
            conn.execute(insert(Candidate), rows[start : start + 2000])
    return {r["external_id"]: r["id"] for r in rows}


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """`with stopwatch() as t: ...` then `t["seconds"]`."""
    box: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - started


def percentiles(samples_ms: Iterable[float]) -> dict[str, float]:
    data = sorted(samples_ms)
    if not data:
        return {}
    cuts = statistics.quantiles(data * 2 if len(data) == 1 else data, n=100, method="inclusive")
    return {
        "n": len(data),
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(data[-1], 2),
    }
