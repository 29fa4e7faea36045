"""Webhook deliveries as a periodic task of the worker (and of `serve` on SQLite).

Every five seconds whatever is due goes out; several workers at once are safe, since each
message is claimed before it is sent (see delivery.py). `followthrough webhooks deliver` and
the WEBHOOKS_DELIVER_IN_PROCESS thread remain for deployments without a worker.
"""

from app.core.queue import session_factory, tasks
from app.core.settings import get_settings
from app.webhooks.runner import run_once


@tasks.periodic(cron="*/5 * * * * *", periodic_id="webhooks_deliver")
@tasks.task(name="webhooks_deliver", queueing_lock="webhooks_deliver")
def webhooks_deliver(timestamp: int) -> int:
    """Deliver every webhook message that is due; return how many were delivered."""
    return run_once(session_factory(), settings=get_settings()).delivered
