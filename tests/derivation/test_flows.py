"""When derivation runs: never in the write request, on read when needed, in workers."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, text

from app.core import queue
from app.core.db import create_sessionmaker, transaction
from app.core.settings import Settings
from app.derivation import flows
from app.derivation import repository as dirty_repository
from app.derivation.models import DirtyCandidate
from app.main import create_app
from app.scoring.models import CandidateScore, Flag, ScoreChange
from app.worker import TASK_MODULES
from tests.derivation.snapshot import derived_state, dirty_count
from tests.factories import OrgContext, create_candidate, event_body, make_org

NOW = datetime.now(UTC).replace(microsecond=0)


def _ghosting_events(candidate: str, prefix: str, days_ago: int = 20) -> list[dict[str, Any]]:
    start = NOW - timedelta(days=days_ago)
    return [
        event_body(
            candidate,
            external_id=f"{prefix}-{n}",
            occurred_at=(start + timedelta(days=n, hours=1)).isoformat(),
        )
        for n in range(4)
    ]


def _dirty(engine: Engine, org: OrgContext) -> int:
    with create_sessionmaker(engine)() as session:
        return dirty_count(session, org.org_id)


def _post_batch(client: TestClient, org: OrgContext, events: list[dict[str, Any]]) -> None:
    response = client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    assert response.status_code == 200, response.text
    assert {r["status"] for r in response.json()["results"]} <= {200, 201}


def test_a_write_only_marks_and_a_read_derives(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org, external_id="w1")
    _post_batch(client, org, _ghosting_events("w1", "w1"))
    with create_sessionmaker(engine)() as session:
        stored = session.get(CandidateScore, candidate["id"])
        assert stored is None  # nothing derived in the write request
    assert _dirty(engine, org) == 1

    detail = client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers).json()
    assert detail["score"] is not None
    assert [f["code"] for f in detail["flags"]] == ["ghosting"]
    assert _dirty(engine, org) == 0


def test_pipeline_catches_up_and_says_how_current_it_is(
    client: TestClient, org: OrgContext
) -> None:
    create_candidate(client, org, external_id="p1")
    _post_batch(client, org, _ghosting_events("p1", "p1"))
    page = client.get("/api/v1/pipeline", headers=org.headers).json()
    assert page["pending_derivations"] == 0
    assert [i["external_id"] for i in page["items"]] == ["p1"]
    assert page["items"][0]["flags"] == ["ghosting"]
    derived_at = datetime.fromisoformat(page["derived_at"])
    assert abs(derived_at - datetime.now(UTC)) < timedelta(seconds=30)


def test_pipeline_lags_visibly_when_too_much_is_pending(
    client: TestClient, org: OrgContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flows, "READ_CATCH_UP_LIMIT", 1)
    create_candidate(client, org, external_id="l1")
    create_candidate(client, org, external_id="l2")
    _post_batch(client, org, _ghosting_events("l1", "l1") + _ghosting_events("l2", "l2"))
    with transaction(create_sessionmaker(engine)) as session:
        before = dirty_repository.pending(session, org.org_id)
    page = client.get("/api/v1/pipeline", headers=org.headers).json()
    assert page["pending_derivations"] == before[0] == 2
    assert datetime.fromisoformat(page["derived_at"]) == before[1]


@pytest.mark.parametrize("as_of", ["2090-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
def test_as_of_out_of_bounds_is_422(client: TestClient, org: OrgContext, as_of: str) -> None:
    for path in ("/api/v1/pipeline", "/api/v1/reports/weekly"):
        response = client.get(path, params={"as_of": as_of}, headers=org.headers)
        assert response.status_code == 422, (path, response.text)


def test_reads_as_of_another_time_write_no_history(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org, external_id="h1")
    _post_batch(client, org, _ghosting_events("h1", "h1"))
    reader = org.key_with("read")
    now_view = client.get(f"/api/v1/candidates/{candidate['id']}", headers=reader).json()

    def stored() -> tuple[Any, ...]:
        with create_sessionmaker(engine)() as session:
            score = session.get(CandidateScore, candidate["id"])
            assert score is not None
            changes = session.scalar(
                select(func.count()).where(ScoreChange.candidate_id == candidate["id"])
            )
            flags = session.scalar(select(func.count()).where(Flag.candidate_id == candidate["id"]))
            return score.computed_as_of, score.score, changes, flags

    before = stored()
    future = (NOW + timedelta(days=400)).isoformat()
    past = (NOW - timedelta(days=19, hours=12)).isoformat()
    for as_of in (future, past, future):
        for path in (
            f"/api/v1/candidates/{candidate['id']}",
            "/api/v1/pipeline",
            f"/api/v1/candidates/{candidate['id']}/timeline",
        ):
            response = client.get(path, params={"as_of": as_of}, headers=reader)
            assert response.status_code == 200, response.text
    assert stored() == before

    early = client.get(
        f"/api/v1/candidates/{candidate['id']}", params={"as_of": past}, headers=reader
    ).json()
    assert early["flags"] == [] and early["score"] != now_view["score"]
    ranked = client.get("/api/v1/pipeline", params={"as_of": past}, headers=reader).json()
    assert ranked["items"][0]["flags"] == []
    history = client.get(f"/api/v1/candidates/{candidate['id']}/score-history", headers=reader)
    assert all(
        abs(datetime.fromisoformat(c["at"]) - datetime.now(UTC)) < timedelta(minutes=5)
        for c in history.json()
    )


def _wait_until_clean(engine: Engine, org: OrgContext, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while _dirty(engine, org) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _dirty(engine, org) == 0


def _rebuilt(engine: Engine, org: OrgContext) -> dict[str, Any]:
    """Derived state after marking every candidate dirty again and deriving in one go."""
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        from app.candidates import repository as candidates_repository

        ids = candidates_repository.all_ids(session, org.org_id)
        flows.mark_dirty(session, org_id=org.org_id, candidate_ids=ids)
    flows.derive_pending(factory, org_id=org.org_id)
    with factory() as session:
        return derived_state(session, org.org_id)


def _snapshot(engine: Engine, org: OrgContext) -> dict[str, Any]:
    with create_sessionmaker(engine)() as session:
        return derived_state(session, org.org_id)


@pytest.fixture
def serving_app(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app as `serve` runs it: with the in-process worker."""
    own = settings.model_copy(update={"worker_in_process": True})
    app = create_app(own, engine=engine, session_factory=create_sessionmaker(engine))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_serve_derives_in_the_background(serving_app: TestClient, engine: Engine) -> None:
    org = make_org(engine)
    events: list[dict[str, Any]] = []
    for n in range(12):
        create_candidate(serving_app, org, external_id=f"bg{n}")
        events.extend(_ghosting_events(f"bg{n}", f"bg{n}", days_ago=10 + n))
    _post_batch(serving_app, org, events)
    _wait_until_clean(engine, org)
    got = _snapshot(engine, org)
    assert all(c["score"] is not None for c in got.values())
    assert got == _rebuilt(engine, org)


def _many_dirty(client: TestClient, engine: Engine, candidates: int) -> OrgContext:
    org = make_org(engine)
    events: list[dict[str, Any]] = []
    for n in range(candidates):
        create_candidate(client, org, external_id=f"cc{n:03}")
        events.extend(_ghosting_events(f"cc{n:03}", f"cc{n:03}", days_ago=8 + n % 20))
    for start in range(0, len(events), 500):
        _post_batch(client, org, events[start : start + 500])
    return org


@pytest.mark.postgres_only
def test_concurrent_derivers_split_the_work_and_agree(
    client: TestClient, engine: Engine, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("SKIP LOCKED and parallel writers need PostgreSQL")
    org = _many_dirty(client, engine, 120)
    factory = create_sessionmaker(engine)
    done: list[int] = []
    errors: list[BaseException] = []

    def derive() -> None:
        try:
            done.append(flows.derive_pending(factory, batch=10))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def write() -> None:
        extra = [e for n in range(0, 120, 7) for e in _ghosting_events(f"cc{n:03}", f"x{n}", 3)]
        _post_batch(client, org, extra)

    threads = [threading.Thread(target=t) for t in (derive, derive, write, derive)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    flows.derive_pending(factory)
    assert _dirty(engine, org) == 0
    assert sum(done) >= 120
    assert _snapshot(engine, org) == _rebuilt(engine, org)


@pytest.mark.postgres_only
def test_worker_processes_drain_the_queue(
    client: TestClient, engine: Engine, settings: Settings, is_postgres: bool
) -> None:
    """Two `followthrough worker` processes (procrastinate) on one database share the work."""
    if not is_postgres:
        pytest.skip("the shared job store is PostgreSQL's")
    assert TASK_MODULES
    queue.ensure_schema(engine)
    queue.ensure_schema(engine)  # a second start finds it
    org = _many_dirty(client, engine, 40)
    command = [str(Path(sys.executable).with_name("followthrough")), "worker"]
    env = {**os.environ, "DATABASE_URL": settings.database_url, "LOG_LEVEL": "WARNING"}
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        _wait_until_clean(engine, org, seconds=90)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            _, errors = worker.communicate(timeout=30)
            assert b"Traceback" not in errors, errors.decode()[-2000:]
    assert _snapshot(engine, org) == _rebuilt(engine, org)


def test_parallel_rescore_equals_a_rebuild(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    from app.derivation import rescore as rescoring

    org = _many_dirty(client, engine, 30)
    flows.derive_pending(create_sessionmaker(engine))
    expected = _snapshot(engine, org)
    with create_sessionmaker(engine)() as session:
        from app.candidates import repository as candidates_repository

        ids = candidates_repository.all_ids(session, org.org_id)
    advanced: list[int] = []
    monkey_chunk = rescoring.CHUNK
    rescoring.CHUNK = 7
    try:
        done = rescoring.rescore(
            settings.database_url,
            {org.org_id: ids},
            when=datetime.now(UTC),
            processes=2,
            progress=advanced.append,
        )
    finally:
        rescoring.CHUNK = monkey_chunk
    assert done == len(ids) == sum(advanced) == 30
    assert _snapshot(engine, org) == expected


def test_messages_are_classified_outside_the_write_lock(
    client: TestClient, org: OrgContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a message is classified, another writer can take SQLite's write lock at once."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite has the database-wide write lock this is about")
    import sqlite3

    from app.events import service as events_service

    path = engine.url.database
    assert path is not None
    original = events_service.classify_message
    free: list[bool] = []

    def classify(**kwargs: Any) -> Any:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            other.close()
        return original(**kwargs)

    monkeypatch.setattr(events_service, "classify_message", classify)
    create_candidate(client, org, external_id="lock1")
    body = event_body("lock1", direction="inbound", body="Sorry, I was travelling.")
    response = client.post("/api/v1/events", json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    batch = [event_body("lock1", direction="inbound", body=f"Thanks {n}!") for n in range(3)]
    _post_batch(client, org, batch)
    assert free == [True] * 4


@pytest.mark.postgres_only
def test_clearing_marks_takes_their_locks_in_the_order_writers_do(
    client: TestClient, engine: Engine, is_postgres: bool
) -> None:
    """A writer holding one candidate's mark must not make a deriver clearing that mark and
    another hold the other one meanwhile (the two would deadlock when the writer marks it)."""
    if not is_postgres:
        pytest.skip("row locks are PostgreSQL's")
    org = make_org(engine)
    first, second = sorted(create_candidate(client, org)["id"] for _ in range(2))
    factory = create_sessionmaker(engine)
    # The table holds `second`'s mark before `first`'s, so a scan meets `second` first.
    with transaction(factory) as session:
        session.execute(delete(DirtyCandidate).where(DirtyCandidate.org_id == org.org_id))
    for candidate_id in (second, first):
        with transaction(factory) as session:
            dirty_repository.mark(session, org.org_id, [candidate_id], NOW)
    with factory() as session:
        marks = dirty_repository.generations(session, [first, second])
    writer = factory()
    writer.begin()
    dirty_repository.mark(writer, org.org_id, [first], NOW)  # holds `first`'s row
    errors: list[BaseException] = []

    def clear() -> None:
        try:
            with transaction(factory) as session:
                dirty_repository.clear(session, marks)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    deriver = threading.Thread(target=clear)
    deriver.start()
    try:
        _wait_for_a_lock_wait(engine)
        with factory() as session, session.begin():
            session.execute(text("SET LOCAL lock_timeout = '3s'"))
            dirty_repository.mark(session, org.org_id, [second], NOW)  # must not wait
    finally:
        writer.rollback()
        writer.close()
        deriver.join(timeout=30)
    assert not errors, errors


def _wait_for_a_lock_wait(engine: Engine) -> None:
    for _ in range(100):
        with engine.connect() as connection:
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        if waiting:
            return
        time.sleep(0.1)
    raise AssertionError("the deriver never waited for the writer's lock")
