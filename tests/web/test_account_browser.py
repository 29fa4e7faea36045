"""People, the audit log and signing out everywhere in a real Chromium (no CSP violations)."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from tests.factories import make_org
from tests.web.conftest import browser_login, make_user, screenshot

pytestmark = pytest.mark.browser


def test_admin_signs_a_person_out_and_reads_the_audit_log(
    page: Any, browser: Any, live_server: str, engine: Engine
) -> None:
    org = make_org(engine, name="Account Org")
    admin = make_user(engine, org.org_id, role="admin", name="Avery Admin")
    person = make_user(engine, org.org_id, name="Pat Person")
    # Pat is signed in in another browser.
    other = browser.new_context(base_url=live_server)
    pat = other.new_page()
    browser_login(pat, person)

    browser_login(page, admin)
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    row = page.locator("#people tr", has_text=person.email)
    expect(row.locator("td").nth(4)).to_have_text("1")
    screenshot(page, "people")
    row.get_by_role("button", name=f"Sign {person.email} out everywhere").click()
    expect(page.get_by_role("status")).to_contain_text("signed out everywhere (1 session(s))")

    pat.reload()
    expect(pat).to_have_url(re.compile(r"/login"))
    other.close()

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("user.signed_out_everywhere")
    expect(page.locator("#audit")).to_contain_text("user.signed_in")
    page.get_by_label("Kind").select_option("user")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"action=user"))
    screenshot(page, "audit-log")

    page.get_by_role("button", name="Everywhere").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("status")).to_contain_text("signed out everywhere")
