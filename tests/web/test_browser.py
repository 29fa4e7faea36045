"""The recruiter UI in a real (headless) Chromium against the live test server.

One organisation is seeded through the HTTP API for the module: the shared scenarios for
recruiter `rec-a` (the admin's own pipeline) plus one candidate of `rec-b`, and a candidate
whose name and message are HTML. Screenshots of every page go to artifacts/screenshots/.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import Engine

from tests.factories import create_candidate, event_body, make_org, post_event
from tests.web.conftest import (
    WebOrg,
    browser_login,
    load_named_scenario,
    make_user,
    screenshot,
)

pytestmark = pytest.mark.browser

XSS_NAME = "<script>alert(1)</script>"
XSS_BODY = (
    "Sorry for the delay! <img src=x onerror=alert(2)><b>bold?</b> I'm still very interested."
)


@pytest.fixture(scope="module")
def seeded(engine: Engine, client: TestClient) -> Iterator[WebOrg]:
    org = make_org(engine, name="Browser Org")
    admin = make_user(
        engine, org.org_id, role="admin", name="Avery Admin", recruiter_external_id="rec-a"
    )
    recruiter = make_user(engine, org.org_id, name="Riley Recruiter", recruiter_external_id="rec-b")
    web = WebOrg(org=org, admin=admin, recruiter=recruiter)
    client.post(
        "/api/v1/recruiters",
        json={"external_id": "rec-a", "name": "Avery Admin"},
        headers=org.headers,
    )
    for name in (
        "seed-not-that-into-you",
        "seed-diligent-follow-up",
        "out-of-office-is-not-ghosting",
    ):
        web.candidates[name] = load_named_scenario(client, org, name, recruiter_external_id="rec-a")
    web.candidates["weekend"] = load_named_scenario(
        client, org, "weekend-is-not-slow", recruiter_external_id="rec-b", name="Wendy Weekend"
    )
    xss = create_candidate(
        client, org, name=XSS_NAME, recruiter_external_id="rec-b", stage="screen"
    )
    post_event(client, org, event_body(xss["external_id"], occurred_at="2026-11-02T10:00:00+00:00"))
    post_event(
        client,
        org,
        event_body(
            xss["external_id"],
            direction="inbound",
            occurred_at="2026-11-04T16:00:00+00:00",
            subject="<i>Re: role</i>",
            body=XSS_BODY,
        ),
    )
    web.candidates["xss"] = str(xss["id"])
    yield web


def _scores(tab: Any) -> list[int]:
    cells = tab.locator("#pipeline tbody td.score").all_inner_texts()
    return [int(c) for c in cells if c.strip().isdigit()]


def _names(tab: Any) -> list[str]:
    return [n.strip() for n in tab.locator("#pipeline .candidate-link").all_inner_texts()]


def test_login_wrong_password_then_right(page: Any, seeded: WebOrg) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "login")
    page.get_by_label("Email").fill(seeded.admin.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    screenshot(page, "login-wrong-password")
    page.get_by_label("Password").fill(seeded.admin.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("status")).to_have_text("You have signed out.")


def test_login_is_throttled(page: Any, engine: Engine, seeded: WebOrg) -> None:
    user = make_user(engine, seeded.org.org_id)
    page.goto("/login")
    for _ in range(5):
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill("wrong guess")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("locked for 15 minutes")
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")


def test_pipeline_orders_and_filters(page: Any, seeded: WebOrg) -> None:
    browser_login(page, seeded.admin)
    # Default: the signed-in recruiter's own pipeline, least responsive first.
    expect(page.get_by_label("Recruiter")).to_have_value("rec-a")
    names = _names(page)
    assert names[0] == "Jordan Example"
    assert "Wendy Weekend" not in names
    scores = _scores(page)
    assert scores == sorted(scores)
    expect(page.locator("#waiting-on-us")).to_contain_text("waiting on us")
    first = page.locator("#pipeline tbody tr").first
    expect(first.locator(".badge")).to_have_text("Not that into you")
    expect(first.locator(".chip").first).to_be_visible()
    screenshot(page, "pipeline")

    page.get_by_label("Recruiter").select_option("all")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#pipeline")).to_contain_text("Wendy Weekend")
    assert _scores(page) == sorted(_scores(page))

    page.get_by_label("Band").select_option("not_that_into_you")
    page.get_by_role("button", name="Apply").click()
    assert _names(page) == ["Jordan Example"]

    page.get_by_label("Band").select_option("")
    page.get_by_label("Flag").select_option("missed_meeting")
    page.get_by_role("button", name="Apply").click()
    assert _names(page) == ["Jordan Example"]

    page.get_by_label("Flag").select_option("")
    page.get_by_label("Name").fill("wendy")
    page.get_by_role("button", name="Apply").click()
    assert _names(page) == ["Wendy Weekend"]

    page.get_by_label("Name").fill("")
    page.get_by_label("Status").select_option("hired")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#pipeline")).to_contain_text("No candidates match")

    page.set_viewport_size({"width": 820, "height": 1000})
    page.goto("/?recruiter=all")
    screenshot(page, "pipeline-tablet")


def test_candidate_page_and_dismissing_a_flag(page: Any, seeded: WebOrg) -> None:
    browser_login(page, seeded.admin)
    page.get_by_role("link", name="Jordan Example").click()
    expect(page.get_by_role("heading", name="Jordan Example")).to_be_visible()
    # Timeline both ways, exchanges as bars, intents marked, charts drawn on the server.
    expect(page.locator("#timeline li.outbound").first).to_be_visible()
    expect(page.locator("#timeline li.inbound").first).to_be_visible()
    expect(page.locator("#timeline mark").first).to_be_visible()
    expect(page.locator("svg.latency-bar").first).to_be_visible()
    expect(page.locator("svg.breakdown")).to_be_visible()
    expect(page.locator("svg.sparkline")).to_be_visible()
    expect(page.locator("#score-summary")).to_contain_text("Next action")
    screenshot(page, "candidate")

    flags = page.locator("#open-flags > li.flag")
    count = flags.count()
    assert count >= 2
    # Evidence links jump to the timeline entry.
    evidence = flags.first.locator("a[href^='#event-']").first
    target = evidence.get_attribute("href")
    evidence.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator(target)).to_be_visible()

    assert page.evaluate("typeof htmx") == "object"
    url_before = page.url
    flag = flags.first
    flag_id = flag.get_attribute("id")
    label = flag.locator("strong").first.inner_text()
    flag.get_by_placeholder("Reason to dismiss").fill("Spoke on the phone; family emergency.")
    flag.get_by_role("button", name="Dismiss").click()
    updated = page.locator(f"#{flag_id}")
    expect(updated).to_contain_text("Dismissed: Spoke on the phone; family emergency.")
    expect(updated.get_by_role("button", name="Dismiss")).to_have_count(0)
    assert page.url == url_before  # updated in place by htmx, no page load
    expect(page.locator("#score-summary")).to_be_visible()
    screenshot(page, "candidate-flag-dismissed")

    page.reload()
    expect(page.locator(f"#open-flags #{flag_id}")).to_have_count(0)
    expect(page.locator("#open-flags > li.flag")).to_have_count(count - 1)
    page.get_by_text(re.compile(r"Dismissed flags \(1\)")).click()
    expect(page.locator(".closed-flags")).to_contain_text(label)

    # Acknowledge another one in place.
    other = page.locator("#open-flags > li.flag.status-open").first
    other_id = other.get_attribute("id")
    other.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(f"#{other_id} .status")).to_have_text("acknowledged")

    page.set_viewport_size({"width": 820, "height": 1000})
    page.goto(f"/candidates/{seeded.candidates['seed-diligent-follow-up']}")
    screenshot(page, "candidate-tablet")


def test_html_in_candidate_text_is_shown_as_text(page: Any, seeded: WebOrg) -> None:
    browser_login(page, seeded.admin)
    page.goto("/?recruiter=all")
    link = page.get_by_role("link", name=XSS_NAME)
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name=XSS_NAME)).to_be_visible()
    body = page.locator("#timeline .body").last
    expect(body).to_have_text(XSS_BODY)
    expect(page.locator("#timeline .subject").last).to_have_text("<i>Re: role</i>")
    assert page.locator("#timeline img, #timeline b, #timeline i").count() == 0
    screenshot(page, "candidate-html-as-text")
    assert page.dialogs == []
    assert page.js_errors == []


def test_settings_validation_messages(page: Any, seeded: WebOrg) -> None:
    browser_login(page, seeded.admin)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Scoring settings")).to_be_visible()
    screenshot(page, "settings")
    page.get_by_label("Time zone (IANA)").fill("Mars/Olympus_Mons")
    page.get_by_label("Ghosting: unanswered attempts").fill("0")
    page.get_by_label("Start (HH:MM)").fill("25:00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("were not saved")
    tz_error = page.locator("#err-timezone")
    expect(tz_error).to_contain_text("Unknown time zone")
    expect(page.get_by_label("Time zone (IANA)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-thresholds-ghosting_attempts")).to_have_text("Must be at least 1.")
    expect(page.locator("#err-working_hours-start")).to_contain_text("HH:MM")
    screenshot(page, "settings-errors")
    page.get_by_label("Time zone (IANA)").fill("UTC")
    page.get_by_label("Ghosting: unanswered attempts").fill("3")
    page.get_by_label("Start (HH:MM)").fill("09:00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved as version")


def test_recruiter_sees_no_admin_pages(page: Any, seeded: WebOrg) -> None:
    browser_login(page, seeded.recruiter)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    expect(page.get_by_label("Recruiter")).to_have_value("rec-b")
    assert set(_names(page)) == {"Wendy Weekend", XSS_NAME}
    response = page.goto("/settings")
    assert response is not None and response.status == 403


def test_api_key_is_shown_once(page: Any, seeded: WebOrg) -> None:
    browser_login(page, seeded.admin)
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Greenhouse sync")
    page.get_by_role("button", name="Create key").click()
    key_field = page.get_by_label("The new API key")
    expect(key_field).to_have_value(re.compile(r"^ft_[0-9a-f]{8}_"))
    key = key_field.input_value()
    screenshot(page, "api-key-created")
    page.goto("/settings/api-keys")
    expect(page.locator("#keys")).to_contain_text("Greenhouse sync")
    assert key not in page.content()
    expect(page.get_by_label("The new API key")).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"Revoke Greenhouse sync")).click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    row = page.locator("#keys tr", has_text="Greenhouse sync")
    expect(row).to_contain_text("revoked")
    screenshot(page, "api-keys")


def test_another_organisations_candidate_is_404(
    page: Any, seeded: WebOrg, engine: Engine, client: TestClient
) -> None:
    other = make_org(engine, name="Someone Else")
    theirs = load_named_scenario(client, other, "seed-not-that-into-you")
    browser_login(page, seeded.admin)
    response = page.goto(f"/candidates/{theirs}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Jordan Example")
    screenshot(page, "not-found")


def test_pages_without_a_session_go_to_login(page: Any, seeded: WebOrg) -> None:
    target = f"/candidates/{seeded.candidates['seed-diligent-follow-up']}"
    page.goto(target)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill(seeded.admin.email)
    page.get_by_label("Password").fill(seeded.admin.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))


def test_keyboard_reaches_the_filters_and_rows(page: Any, seeded: WebOrg) -> None:
    browser_login(page, seeded.admin)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('candidate-link')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('candidate-link')")
    page.keyboard.press("Enter")
    expect(page.locator("#timeline")).to_be_visible()
