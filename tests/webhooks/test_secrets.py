"""Signing secrets are sealed at rest; a changed SECRET_KEY refuses to sign, never guesses."""

from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from app.core import migrate
from app.core.db import create_engine_for
from app.core.ids import utcnow
from app.core.settings import Settings, get_settings
from app.webhooks.delivery import deliver_due
from app.webhooks.models import WebhookSubscription
from app.webhooks.service import unseal_secret
from tests.factories import OrgContext
from tests.webhooks.conftest import Receiver
from tests.webhooks.helpers import deliveries, subscribe
from tests.webhooks.test_delivery import _raise_flag


def test_the_database_holds_no_usable_secret(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    factory: sessionmaker[Session],
    hooks_settings: Settings,
) -> None:
    hook = subscribe(hooks_client, org, receiver.url)
    with factory() as session:
        sealed = session.scalars(
            select(WebhookSubscription.secret_sealed).where(WebhookSubscription.id == hook["id"])
        ).one()
    raw = hook["secret"].removeprefix("whsec_")
    assert raw not in sealed and hook["secret"] not in sealed
    assert unseal_secret(sealed, settings=hooks_settings) == hook["secret"]


def test_a_changed_secret_key_refuses_to_send(
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    factory: sessionmaker[Session],
    hooks_settings: Settings,
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    _raise_flag(hooks_client, org)
    rotated = hooks_settings.model_copy(update={"secret_key": SecretStr("another-key")})
    with httpx.Client(trust_env=False) as client:
        report = deliver_due(factory, now=utcnow(), http_client=client, settings=rotated)
    assert report.retrying == 1 and receiver.requests == []
    [log] = deliveries(hooks_client, org, hook["id"])
    assert "SECRET_KEY changed" in log["attempts"][0]["error"]


def test_the_migration_seals_existing_plaintext_secrets(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path}/seal.db")
    try:
        migrate.upgrade(engine, "20261130_integr_1")
        now = utcnow().isoformat()
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO organisations (id, name, created_at) VALUES ('o1', 'O', :t)"),
                {"t": now},
            )
            conn.execute(
                text(
                    "INSERT INTO webhook_subscriptions (id, org_id, url, description, events,"
                    " secret, enabled, created_at) VALUES ('s1', 'o1', 'https://x.test/',"
                    " '', '[]', 'whsec_plain', 1, :t)"
                ),
                {"t": now},
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            sealed = conn.execute(text("SELECT secret_sealed FROM webhook_subscriptions")).scalar()
        assert sealed and "whsec_plain" not in sealed
        assert unseal_secret(sealed, settings=get_settings()) == "whsec_plain"
        migrate.downgrade(engine, "20261130_integr_1")
        with engine.connect() as conn:
            plain = conn.execute(text("SELECT secret FROM webhook_subscriptions")).scalar()
        assert plain == "whsec_plain"
    finally:
        engine.dispose()
