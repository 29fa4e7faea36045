"""https delivery goes to the checked address yet verifies the certificate of the URL's host."""

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import trustme
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.core.ids import utcnow
from app.core.settings import Settings
from app.webhooks import ssrf
from app.webhooks.delivery import deliver_due
from tests.factories import OrgContext
from tests.webhooks.conftest import Receiver
from tests.webhooks.helpers import deliveries, subscribe
from tests.webhooks.test_delivery import _raise_flag

HOST = "hooks.example.test"


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def _tls_receiver(ca: trustme.CA, hostname: str) -> Receiver:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(hostname).configure_cert(context)
    receiver = Receiver(tls=context)
    receiver.start()
    return receiver


@pytest.fixture
def local_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        assert host == HOST
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(ssrf, "resolve", fake_resolve)


@pytest.fixture
def trusting_client(ca: trustme.CA) -> Iterator[httpx.Client]:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with httpx.Client(trust_env=False, verify=context) as client:
        yield client


@pytest.mark.parametrize(("cert_host", "ok"), [(HOST, True), ("someone-else.test", False)])
def test_https_delivery_is_pinned_and_verified(
    hooks_client: TestClient,
    org: OrgContext,
    factory: sessionmaker[Session],
    hooks_settings: Settings,
    ca: trustme.CA,
    local_dns: None,
    trusting_client: httpx.Client,
    _parked: None,
    cert_host: str,
    ok: bool,
) -> None:
    receiver = _tls_receiver(ca, cert_host)
    try:
        hook = subscribe(hooks_client, org, f"https://{HOST}:{receiver.port}/hooks")
        _raise_flag(hooks_client, org)
        report = deliver_due(
            factory, now=utcnow(), http_client=trusting_client, settings=hooks_settings
        )
    finally:
        receiver.stop()
    if ok:
        assert report.delivered == report.claimed >= 1
        for request in receiver.accepted():
            assert request.headers["host"] == f"{HOST}:{receiver.port}"
            assert receiver.verify(hook["secret"], request)
    else:
        assert report.delivered == 0 and receiver.requests == []
        errors = [d["attempts"][0]["error"] for d in deliveries(hooks_client, org, hook["id"])]
        assert errors and all("ConnectError" in e and "certificate" in e.lower() for e in errors)
