"""Background derivation: a sweep every second fans dirty candidates out to workers.

`derive_sweep` (periodic, once per tick across every worker) counts dirty candidates and
defers up to `SLOTS` `derive_dirty` jobs (one waiting per slot, by queueing lock), so several
worker processes derive in parallel; each job claims batches with SKIP LOCKED until none is
left or its time budget is spent. A crash mid-batch rolls back and leaves the marks, so the
next sweep takes the candidates again.
"""

import asyncio
import math

from procrastinate.exceptions import AlreadyEnqueued

from app.core.db import transaction
from app.core.queue import session_factory, tasks
from app.derivation import flows
from app.derivation import repository as dirty_repository

SLOTS = 8
BUDGET_SECONDS = 20.0


def _count_dirty() -> int:
    with transaction(session_factory()) as session:
        return dirty_repository.count_all(session)


@tasks.task(name="derive_dirty", retry=3)
def derive_dirty() -> int:
    """Derive dirty candidates until none is left (or the budget is spent)."""
    return flows.derive_pending(session_factory(), budget_seconds=BUDGET_SECONDS)


@tasks.periodic(cron="* * * * * *", periodic_id="derive_sweep")
@tasks.task(name="derive_sweep", queueing_lock="derive_sweep")
async def derive_sweep(timestamp: int) -> int:
    """Defer derivation jobs for the dirty candidates, one per slot the work fills."""
    # In a thread: a database wait must never block the event loop requests are served on.
    waiting = await asyncio.to_thread(_count_dirty)
    wanted = min(SLOTS, math.ceil(waiting / flows.DEFAULT_BATCH))
    deferred = 0
    for slot in range(wanted):
        try:
            await derive_dirty.configure(queueing_lock=f"derive_dirty_{slot}").defer_async()
            deferred += 1
        except AlreadyEnqueued:
            pass
    return deferred
