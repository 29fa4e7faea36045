"""Fixtures for the report tests: a seeded organisation and a real SMTP server (aiosmtpd)."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import OrgContext, make_org
from tests.reports.seed import seed_org


@dataclass
class Seeded:
    org: OrgContext
    ids: dict[str, str]


@pytest.fixture
def seeded(client: TestClient, engine: Engine) -> Seeded:
    org = make_org(engine, name="Report Org")
    return Seeded(org=org, ids=seed_org(client, org))


@dataclass
class Mailbox:
    """Collects every message the SMTP server accepts."""

    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SmtpServer:
    url: str
    mailbox: Mailbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(url=f"smtp://127.0.0.1:{port}", mailbox=mailbox)
    finally:
        controller.stop()


@pytest.fixture
def closed_smtp_url() -> str:
    """An SMTP URL on a port nothing listens on: the server is down."""
    return f"smtp://127.0.0.1:{free_port()}"
