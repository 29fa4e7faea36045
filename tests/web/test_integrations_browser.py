"""Settings → Integrations in a real Chromium: connect, copy the secret, see a delivery."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import Engine

from tests.factories import make_org
from tests.web.conftest import browser_login, make_user, screenshot

pytestmark = pytest.mark.browser


def test_connect_copy_and_see_unmatched_mail(page: Any, engine: Engine, client: TestClient) -> None:
    org = make_org(engine, name="Integrations Browser Org")
    admin = make_user(engine, org.org_id, role="admin", name="Ada Admin")
    browser_login(page, admin)
    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
    page.get_by_label("Provider").select_option("email")
    page.get_by_label("Name").fill("Recruiting inbox")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("will not be shown again")).to_be_visible()
    secret = page.locator("#new-secret").input_value()
    url = page.locator("#new-webhook-url").input_value()
    assert len(secret) >= 32 and url.endswith("/webhook")
    page.get_by_role("button", name="Copy secret").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    screenshot(page, "integrations-connected")

    path = re.sub(r"^https?://[^/]+", "", url)
    delivered = client.post(
        path,
        content=b"From: who@nowhere.example\r\nTo: hr@acme.example\r\nSubject: Hello there\r\n"
        b"Message-ID: <browser@example.org>\r\n\r\nStill keen.\r\n",
        headers={"Content-Type": "message/rfc822", "Authorization": f"Bearer {secret}"},
    )
    assert delivered.status_code == 202
    page.goto("/settings/integrations")
    page.get_by_role("link", name="Recruiting inbox").click()
    expect(page.locator("#unmatched-mail")).to_contain_text("who@nowhere.example")
    expect(page.locator("#deliveries")).to_contain_text("unmatched")
    screenshot(page, "integration-detail")
