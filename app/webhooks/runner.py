"""Run deliveries: once (cron, CLI, a periodic task) or in a background thread of the app.

To make it a periodic task of a job queue later, register `run_once` and nothing else, e.g.
with procrastinate::

    @queue.periodic(cron="* * * * *")
    @queue.task(queueing_lock="webhooks-deliver")
    def deliver_webhooks(timestamp: int) -> None:
        run_once(sessionmaker_for_worker, settings=get_settings())

Several runners at once are safe: claims use `FOR UPDATE SKIP LOCKED` and leases.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from app.core.ids import utcnow
from app.core.logging import get_logger
from app.core.settings import Settings
from app.webhooks.delivery import DeliveryReport, deliver_due, prune_log

log = get_logger("followthrough.webhooks")

BATCH = 50
MAX_BATCHES = 20


def http_client(settings: Settings) -> httpx.Client:
    """The delivery client: no proxies from the environment (the SSRF guard pins addresses)."""
    return httpx.Client(
        trust_env=False,
        timeout=httpx.Timeout(settings.webhooks_timeout_seconds, connect=5.0),
    )


def run_once(
    session_factory: sessionmaker[Session],
    *,
    settings: Settings,
    client: httpx.Client | None = None,
) -> DeliveryReport:
    """Deliver everything due now, batch after batch, and trim the old log; return the totals."""
    total = DeliveryReport()
    own = client is None
    client = client or http_client(settings)
    try:
        for _ in range(MAX_BATCHES):
            report = deliver_due(
                session_factory, now=utcnow(), http_client=client, settings=settings, limit=BATCH
            )
            total.claimed += report.claimed
            total.delivered += report.delivered
            total.retrying += report.retrying
            total.failed += report.failed
            total.disabled.extend(report.disabled)
            if report.claimed < BATCH:
                break
    finally:
        if own:
            client.close()
    prune_log(session_factory, now=utcnow(), keep=timedelta(days=settings.webhooks_log_days))
    return total


class DeliveryThread:
    """A daemon thread calling `run_once` every `webhooks_poll_seconds` until stopped."""

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings) -> None:
        self._session_factory = session_factory
        self._settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="webhooks-delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        with http_client(self._settings) as client:
            while not self._stop.is_set():
                try:
                    run_once(self._session_factory, settings=self._settings, client=client)
                except Exception:  # keep the loop alive; the next round retries
                    log.exception("webhook_delivery_round_failed")
                self._stop.wait(self._settings.webhooks_poll_seconds)


@contextmanager
def background_delivery(
    session_factory: sessionmaker[Session], settings: Settings
) -> Iterator[None]:
    """Deliver in a background thread while the block runs, if the settings ask for it."""
    if not settings.webhooks_deliver_in_process:
        yield
        return
    thread = DeliveryThread(session_factory, settings)
    thread.start()
    try:
        yield
    finally:
        thread.stop()
