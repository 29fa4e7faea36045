"""The in-process delivery thread (app lifespan) and `followthrough webhooks deliver`."""

import json
import os
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core import queue
from app.core.db import create_sessionmaker
from app.core.settings import Settings
from app.main import create_app
from app.webhooks import tasks as webhooks_tasks
from tests.factories import OrgContext
from tests.webhooks.conftest import Receiver
from tests.webhooks.helpers import subscribe
from tests.webhooks.test_delivery import _raise_flag


def _wait_for(receiver: Receiver, count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.accepted()) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_app_delivers_in_a_background_thread_when_asked(
    hooks_settings: Settings, engine: Engine, org: OrgContext, receiver: Receiver
) -> None:
    settings = hooks_settings.model_copy(
        update={"webhooks_deliver_in_process": True, "webhooks_poll_seconds": 0.1}
    )
    app = create_app(settings, engine=engine, session_factory=create_sessionmaker(engine))
    with TestClient(app, raise_server_exceptions=False) as client:
        hook = subscribe(client, org, receiver.url, ["candidate.flagged"])
        _raise_flag(client, org)
        _wait_for(receiver, 1)
    [got] = receiver.accepted()
    assert receiver.verify(hook["secret"], got)["type"] == "candidate.flagged"


def test_the_cli_delivers_what_is_due(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    database_url: str,
    hooks_settings: Settings,
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    _raise_flag(hooks_client, org)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "WEBHOOKS_ALLOW_PRIVATE": "true",
        "SECRET_KEY": hooks_settings.secret_key.get_secret_value(),
    }
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "webhooks", "deliver"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["delivered"] == report["claimed"] == 1
    [got] = receiver.accepted()
    assert receiver.verify(hook["secret"], got)["type"] == "candidate.flagged"


def test_the_worker_task_delivers_what_is_due(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    database_url: str,
    engine: Engine,
    hooks_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    _raise_flag(hooks_client, org)
    # The worker's process: its queue app names the sessionmaker; its settings allow loopback.
    queue.build_app(database_url, create_sessionmaker(engine))
    monkeypatch.setattr(webhooks_tasks, "get_settings", lambda: hooks_settings)
    assert "webhooks_deliver" in {t.split(":")[-1] for t in worker_task_names()}
    assert webhooks_tasks.webhooks_deliver(int(time.time())) == 1
    [got] = receiver.accepted()
    assert receiver.verify(hook["secret"], got)["type"] == "candidate.flagged"
    assert webhooks_tasks.webhooks_deliver(int(time.time())) == 0  # delivered once


def worker_task_names() -> set[str]:
    """The names of the tasks a worker (or `serve` on SQLite) runs."""
    from app import worker  # the module lists every task module

    assert webhooks_tasks in worker.TASK_MODULES
    return set(queue.tasks.tasks)
