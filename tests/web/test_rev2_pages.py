"""The settings page's flag-quality panel (API: tests/scoring/test_flag_quality.py)."""

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.ids import utcnow
from tests.factories import create_candidate, event_body, make_org, post_event
from tests.scoring.test_flag_quality import dismiss, flagged_candidate
from tests.web.conftest import PAGE_NOW, http_login, make_user


def test_settings_page_shows_the_panel(
    app: FastAPI, client: TestClient, browser_client: TestClient, engine: Engine
) -> None:
    # The dismissal is stamped with the real clock; read the page just after it.
    app.state.web_clock = lambda: utcnow() + timedelta(minutes=1)
    try:
        org = make_org(engine)
        flags = flagged_candidate(client, org)
        dismiss(client, org, flags["missed_meeting"], "Was ill")
        user = make_user(engine, org.org_id, role="admin")
        http_login(browser_client, user.email, user.password)
        page = browser_client.get("/settings")
        assert page.status_code == 200
        panel = page.text.split('id="flag-quality"', 1)[1]
        row = panel.split('data-code="missed_meeting"', 1)[1].split("</tr>", 1)[0]
        assert "“was ill” (1)" in row
        assert '<td class="num">1</td>' in row
        assert "100%" in row
    finally:
        app.state.web_clock = lambda: PAGE_NOW


def test_pipeline_and_candidate_pages_show_declined(
    client: TestClient, browser_client: TestClient, engine: Engine
) -> None:
    org = make_org(engine)
    declined = create_candidate(client, org, name="Dana Declined", timezone="UTC")
    other = create_candidate(client, org, name="Eli Engaged", timezone="UTC")
    for candidate, text in (
        (declined, "I have accepted another offer."),
        (other, "Tuesday works."),
    ):
        ext = candidate["external_id"]
        post_event(client, org, event_body(ext, occurred_at="2026-11-16T09:00:00Z"))
        post_event(
            client,
            org,
            event_body(ext, direction="inbound", occurred_at="2026-11-16T10:00:00Z", body=text),
        )
    user = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, user.email, user.password)
    page = browser_client.get("/", params={"band": "declined"})
    assert page.status_code == 200, page.text
    assert "Dana Declined" in page.text and "Eli Engaged" not in page.text
    assert 'class="badge band-declined">Declined<' in page.text
    assert '<option value="declined" selected>' in page.text
    detail = browser_client.get(f"/candidates/{declined['id']}")
    assert detail.status_code == 200
    assert 'band-declined">Declined<' in detail.text
    assert "Close the loop" in detail.text or "close_the_loop" in detail.text
