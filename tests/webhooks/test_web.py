"""Settings → Webhooks in the web UI: create (secret once), delivery log, disabled state."""

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import OrgContext, create_candidate
from tests.web.conftest import csrf_from, http_login, make_user
from tests.webhooks.conftest import Deliverer, Receiver
from tests.webhooks.helpers import ago, no_show, post_events, subscribe


@pytest.fixture
def admin_browser(hooks_app: FastAPI, org: OrgContext, engine: Engine) -> Iterator[TestClient]:
    with TestClient(hooks_app, raise_server_exceptions=False, follow_redirects=False) as browser:
        user = make_user(engine, org.org_id, role="admin")
        http_login(browser, user.email, user.password)
        yield browser


def _create(browser: TestClient, **data: str | list[str]) -> str:
    token = csrf_from(browser.get("/settings/webhooks").text)
    response = browser.post("/settings/webhooks", data={**data, "csrf_token": token})
    return (
        response.text if response.status_code == 200 else f"{response.status_code}\n{response.text}"
    )


def test_create_a_webhook_and_see_the_secret_once(
    admin_browser: TestClient, receiver: Receiver
) -> None:
    empty = admin_browser.get("/settings/webhooks")
    assert empty.status_code == 200 and "No webhooks yet." in empty.text
    page = _create(
        admin_browser,
        url=receiver.url,
        description="Slack bridge",
        events=["candidate.flagged", "flag.dismissed"],
    )
    match = re.search(r'id="new-secret-value"[^>]*value="(whsec_[^"]+)"', page)
    assert match, page
    secret = match.group(1)
    later = admin_browser.get("/settings/webhooks").text
    assert secret not in later
    assert receiver.url in later and "Slack bridge" in later
    assert "candidate.flagged, flag.dismissed" in later and "enabled" in later


def test_bad_input_is_shown_and_nothing_is_created(admin_browser: TestClient) -> None:
    refused = _create(admin_browser, url="ftp://example.com/hooks", events=["flag.cleared"])
    assert refused.startswith("422") and "only https URLs are accepted" in refused
    no_events = _create(admin_browser, url="https://example.com/hooks")
    assert no_events.startswith("422") and "Choose at least one event." in no_events
    assert "No webhooks yet." in admin_browser.get("/settings/webhooks").text


def test_delivery_log_and_disabled_state(
    admin_browser: TestClient,
    hooks_client: TestClient,
    org: OrgContext,
    other_org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    candidate = create_candidate(hooks_client, org, timezone="UTC")
    post_events(hooks_client, org, [no_show(candidate["external_id"], ago(2))])
    deliver()
    [sent] = receiver.accepted()
    detail = admin_browser.get(f"/settings/webhooks/{hook['id']}")
    assert detail.status_code == 200
    assert "candidate.flagged" in detail.text and sent.headers["webhook-id"] in detail.text
    assert "delivered" in detail.text and "HTTP 200" in detail.text
    assert "1 delivered · 0 pending · 0 failed" in admin_browser.get("/settings/webhooks").text

    token = csrf_from(detail.text)
    disabled = admin_browser.post(
        f"/settings/webhooks/{hook['id']}/disable", data={"csrf_token": token}
    )
    assert disabled.status_code == 303
    page = admin_browser.get(f"/settings/webhooks/{hook['id']}").text
    assert "This endpoint is disabled" in page and "Disabled by an administrator." in page
    listing = admin_browser.get("/settings/webhooks").text
    assert "disabled" in listing and "Disabled by an administrator." in listing
    api = hooks_client.get(f"/api/v1/webhooks/{hook['id']}", headers=org.headers).json()
    assert api["enabled"] is False

    enabled = admin_browser.post(
        f"/settings/webhooks/{hook['id']}/enable", data={"csrf_token": token}
    )
    assert enabled.status_code == 303
    assert "This endpoint is disabled" not in admin_browser.get(enabled.headers["location"]).text

    foreign = subscribe(hooks_client, other_org, receiver.url)
    assert admin_browser.get(f"/settings/webhooks/{foreign['id']}").status_code == 404
    assert (
        admin_browser.post(
            f"/settings/webhooks/{foreign['id']}/delete", data={"csrf_token": token}
        ).status_code
        == 404
    )
    deleted = admin_browser.post(
        f"/settings/webhooks/{hook['id']}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 303
    assert admin_browser.get(f"/settings/webhooks/{hook['id']}").status_code == 404


def test_recruiters_cannot_manage_webhooks(
    hooks_app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    with TestClient(hooks_app, raise_server_exceptions=False, follow_redirects=False) as browser:
        user = make_user(engine, org.org_id, role="recruiter")
        http_login(browser, user.email, user.password)
        assert browser.get("/settings/webhooks").status_code == 403


def test_an_endpoint_disabled_after_failures_says_why(
    admin_browser: TestClient,
    hooks_client: TestClient,
    org: OrgContext,
    receiver: Receiver,
    deliver: Deliverer,
) -> None:
    hook = subscribe(hooks_client, org, receiver.url, ["candidate.flagged"])
    receiver.status = 500
    candidate = create_candidate(hooks_client, org, timezone="UTC")
    post_events(hooks_client, org, [no_show(candidate["external_id"], ago(2))])
    # A retry window too short for any retry: the first failure gives up at once.
    impatient = Deliverer(
        deliver.factory,
        deliver.settings.model_copy(update={"webhooks_retry_hours": 1e-6}),
        deliver.client,
    )
    assert impatient().disabled == [hook["id"]]
    page = admin_browser.get(f"/settings/webhooks/{hook['id']}").text
    assert "This endpoint is disabled" in page
    assert "Deliveries failed for" in page and "HTTP 500" in page
    assert "failed" in page and "Enable again" in page
    listing = admin_browser.get("/settings/webhooks").text
    assert "0 delivered · 0 pending · 1 failed" in listing
