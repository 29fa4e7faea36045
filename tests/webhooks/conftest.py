"""Webhook fixtures: an app that allows private targets, and a real local HTTP receiver."""

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.core.db import create_sessionmaker, transaction
from app.core.settings import Settings
from app.main import create_app
from app.webhooks.delivery import DeliveryReport, deliver_due
from app.webhooks.models import WebhookMessage, WebhookSubscription


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records every request and answers `status`."""

    status: int = 200
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    tls: ssl.SSLContext | None = None
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                status = receiver.status
                receiver.requests.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body, status)
                )
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"not now")

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def accepted(self) -> list[Received]:
        return [r for r in self.requests if 200 <= r.answered < 300]

    def verify(self, secret: str, request: Received) -> dict[str, Any]:
        """Check the Standard Webhooks signature as a receiver would; return the body."""
        payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
        return payload


@pytest.fixture
def receiver(_parked: None) -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def hooks_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_private": True})


@pytest.fixture(scope="session")
def hooks_app(hooks_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(hooks_settings, engine=engine, session_factory=create_sessionmaker(engine))


@pytest.fixture(scope="session")
def hooks_client(hooks_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(hooks_app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def factory(engine: Engine) -> sessionmaker[Session]:
    return create_sessionmaker(engine)


@pytest.fixture
def _parked(engine: Engine) -> Iterator[None]:
    """Each test delivers only its own messages: park what earlier tests left pending."""
    _park(engine)
    yield
    _park(engine)


def _park(engine: Engine) -> None:
    with transaction(create_sessionmaker(engine)) as session:
        session.execute(
            update(WebhookMessage)
            .where(WebhookMessage.status == "pending")
            .values(status="failed", last_error="parked by the test suite")
        )
        session.execute(update(WebhookSubscription).values(enabled=False))


@dataclass
class Deliverer:
    factory: sessionmaker[Session]
    settings: Settings
    client: httpx.Client

    def __call__(self, now: datetime | None = None, **kwargs: Any) -> DeliveryReport:
        return deliver_due(
            self.factory, now=now, http_client=self.client, settings=self.settings, **kwargs
        )


@pytest.fixture
def deliver(
    factory: sessionmaker[Session], hooks_settings: Settings, _parked: None
) -> Iterator[Deliverer]:
    with httpx.Client(trust_env=False) as client:
        yield Deliverer(factory, hooks_settings, client)
