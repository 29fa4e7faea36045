"""Background work on procrastinate: one blueprint every domain registers its tasks on.

Register a task (or a periodic one) anywhere below the readers, then import the module in
`app/worker.py` (`TASK_MODULES`) so workers and `serve` know it:

    from app.core.queue import session_factory, tasks

    @tasks.periodic(cron="*/10 * * * * *", periodic_id="deliver")  # six fields: seconds
    @tasks.task(name="deliver_webhooks", queueing_lock="deliver_webhooks")
    def deliver_webhooks(timestamp: int) -> None:
        with transaction(session_factory()) as session: ...

    @tasks.task(name="send_one", retry=5)            # queued: defer it after commit
    def send_one(delivery_id: str) -> None: ...
    send_one.defer(delivery_id=...)                   # or `await send_one.defer_async(...)`

On PostgreSQL the jobs live in the database (schema `procrastinate`, created on first start)
and any number of `followthrough worker` processes share them: a periodic job runs once per
tick across all of them, `queueing_lock` keeps one job of a kind waiting, `lock` runs jobs
of a key one at a time, `retry` retries with backoff. On SQLite (the embedded default)
`serve` runs a worker in its own process with an in-memory job store: periodic tasks run,
deferred jobs run, but a job deferred and not yet run is lost on restart — so keep durable
work in tables (dirty marks, an outbox) and let a periodic task drain them.
"""

from collections.abc import Callable
from typing import Any

import procrastinate
from procrastinate.testing import InMemoryConnector
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

tasks = procrastinate.Blueprint()
NAMESPACE = "ft"
SCHEMA = "procrastinate"
_SCHEMA_LOCK = 7_243_001

_factory: list[sessionmaker[Session]] = []


def session_factory() -> sessionmaker[Session]:
    """The sessionmaker of the process running the tasks (set by `build_app`)."""
    if not _factory:
        raise RuntimeError("the task queue has not been started in this process")
    return _factory[-1]


def build_app(database_url: str, factory: sessionmaker[Session]) -> procrastinate.App:
    """A procrastinate app with every registered task, on the database's own job store."""
    connector: Any
    if database_url.startswith("postgresql"):
        conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo, kwargs={"options": f"-c search_path={SCHEMA}"}
        )
    else:
        connector = InMemoryConnector()
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(tasks, namespace=NAMESPACE)
    _factory.clear()
    _factory.append(factory)
    return app


def ensure_schema(engine: Engine) -> None:
    """Create procrastinate's tables in their own schema once (PostgreSQL; concurrent-safe)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        present = conn.execute(text(f"SELECT to_regclass('{SCHEMA}.procrastinate_jobs')"))
        if present.scalar() is not None:
            return
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        conn.execute(text(f"SET LOCAL search_path TO {SCHEMA}"))
        # Through the driver with parameters, so a literal % must be doubled.
        conn.exec_driver_sql(procrastinate.schema.SchemaManager.get_schema().replace("%", "%%"))


async def run_worker(app: procrastinate.App, *, concurrency: int = 1, **options: Any) -> None:
    """Run a worker until cancelled (jobs done are deleted, so the job table stays small)."""
    async with app.open_async():
        await app.run_worker_async(
            concurrency=concurrency,
            delete_jobs="successful",
            install_signal_handlers=options.pop("install_signal_handlers", True),
            **options,
        )


TaskFunction = Callable[..., Any]
