"""`api_keys.last_used_at` is written on use, at most once a minute per key, and shown."""

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.db import create_sessionmaker, transaction
from app.core.ids import utcnow
from app.orgs import repository as orgs_repository
from app.orgs import service as orgs_service
from tests.factories import OrgContext
from tests.web.conftest import http_login, make_user


def _last_used(engine: Engine, org: OrgContext, key_id: str) -> object:
    with transaction(create_sessionmaker(engine)) as session:
        record = orgs_repository.get_api_key(session, org.org_id, key_id)
        assert record is not None
        return record.last_used_at


def _only_key_id(engine: Engine, org: OrgContext) -> str:
    with transaction(create_sessionmaker(engine)) as session:
        (record,) = orgs_service.list_api_keys(session, org_id=org.org_id)
        return record.id


def test_a_request_records_when_the_key_was_used(
    client: TestClient, org: OrgContext, engine: Engine
) -> None:
    key_id = _only_key_id(engine, org)
    assert _last_used(engine, org, key_id) is None
    before = utcnow()
    assert client.get("/api/v1/recruiters", headers=org.headers).status_code == 200
    first = _last_used(engine, org, key_id)
    assert first is not None and first >= before - timedelta(seconds=1)
    # Within the minute nothing is written again.
    for _ in range(3):
        client.get("/api/v1/recruiters", headers=org.headers)
    assert _last_used(engine, org, key_id) == first


def test_writes_at_most_once_a_minute(org: OrgContext, engine: Engine) -> None:
    key_id = _only_key_id(engine, org)
    start = utcnow()
    moments = [start + timedelta(seconds=s) for s in (0, 20, 59, 61, 90, 125)]
    seen = []
    for moment in moments:
        with transaction(create_sessionmaker(engine)) as session:
            orgs_service.note_api_key_use(session, key_id=key_id, now=moment)
        seen.append(_last_used(engine, org, key_id))
    assert seen == [moments[0]] * 3 + [moments[3]] * 2 + [moments[5]]


def test_another_process_does_not_write_within_the_minute(org: OrgContext, engine: Engine) -> None:
    key_id = _only_key_id(engine, org)
    now = utcnow()
    with transaction(create_sessionmaker(engine)) as session:
        orgs_repository.touch_api_key(
            session, key_id, now=now, older_than=now - timedelta(minutes=1)
        )
    later = now + timedelta(seconds=30)
    with transaction(create_sessionmaker(engine)) as session:
        # What a second process (without this one's memo) would run.
        orgs_repository.touch_api_key(
            session, key_id, now=later, older_than=later - timedelta(minutes=1)
        )
    assert _last_used(engine, org, key_id) == now


def test_the_keys_page_shows_last_use(
    app: FastAPI, client: TestClient, org: OrgContext, engine: Engine
) -> None:
    browser_client = TestClient(app, follow_redirects=False)
    admin = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, admin.email, admin.password)
    page = browser_client.get("/settings/api-keys").text
    assert "Last used" in page
    assert "never" in page
    client.get("/api/v1/recruiters", headers=org.headers)
    page = browser_client.get("/settings/api-keys").text
    assert "never" not in page.split('id="keys"', 1)[1]
