"""Background work of the whole application: every module that registers tasks, and the
in-process worker `serve` runs on SQLite (see core/queue.py)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.core import queue
from app.core.logging import get_logger
from app.derivation import tasks as derivation_tasks
from app.reports import tasks as report_tasks
from app.webhooks import tasks as webhooks_tasks

# The modules whose tasks workers run (imported for their registrations).
TASK_MODULES = (derivation_tasks, report_tasks, webhooks_tasks)

log = get_logger("followthrough.worker")


@asynccontextmanager
async def in_process_worker(
    database_url: str, engine: Engine, factory: sessionmaker[Session]
) -> AsyncIterator[None]:
    """Run the task worker inside this (server) process while the context is open."""
    queue.ensure_schema(engine)
    app = queue.build_app(database_url, factory)
    runner = asyncio.create_task(queue.run_worker(app, install_signal_handlers=False))
    log.info("in_process_worker_started", tasks=sorted(app.tasks))
    try:
        yield
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
