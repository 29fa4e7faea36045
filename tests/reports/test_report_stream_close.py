"""A streamed report whose client goes away (or reads slowly) holds nothing up: its
generator is closed when the response ends, and on SQLite it reads in a deferred
transaction, so writers are not kept waiting for the write lock meanwhile."""

import threading
from datetime import timedelta

import anyio
import pytest
from sqlalchemy import Engine

from app.core.db import create_sessionmaker, transaction
from app.orgs import service as orgs_service
from app.reports import export
from app.reports.router import closing_stream
from app.reports.service import ReportScope
from app.reports.week import parse_week
from tests.reports.conftest import Seeded
from tests.reports.seed import WEEK


def test_closing_stream_closes_the_generator_when_the_response_stops_early() -> None:
    closed: list[bool] = []

    def chunks():  # type: ignore[no-untyped-def]
        try:
            yield "first\n"
            yield "second\n"
        finally:
            closed.append(True)

    async def read_one_then_leave() -> None:
        source = chunks()
        stream = closing_stream(source)
        assert await stream.__anext__() == "first\n"
        await stream.aclose()  # what the server does when the client goes away
        assert closed == [True]  # at once, while the generator is still referenced

    # In a thread of its own: another test's event loop may still run in this one.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            anyio.run(read_one_then_leave)
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not failures, failures
    assert closed == [True]


def test_a_half_read_stream_does_not_hold_the_sqlite_write_lock(
    engine: Engine, seeded: Seeded
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's")
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        settings = orgs_service.get_current_settings(session, org_id=seeded.org.org_id)
    week = parse_week(WEEK, timezone=settings.document.timezone)
    scope = ReportScope(
        org_id=seeded.org.org_id,
        week=week,
        as_of=week.ends_at + timedelta(hours=1),
        settings=settings,
    )
    stream = export.stream_jsonl(factory, scope)
    try:
        assert next(stream).startswith('{"section":"summary"')  # its transaction is open
        writer = engine.raw_connection()
        try:
            writer.execute("PRAGMA busy_timeout = 1000")  # type: ignore[attr-defined]
            writer.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]  # fails if locked
            writer.execute("ROLLBACK")  # type: ignore[attr-defined]
        finally:
            writer.close()
    finally:
        stream.close()
