"""Render the weekly report's HTML in a real Chromium and keep a screenshot as an artifact."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.reports.conftest import Seeded
from tests.reports.seed import WEEK

SCREENSHOT = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "report.png"


@pytest.mark.browser
def test_report_html_renders_in_chromium(client: TestClient, seeded: Seeded, browser: Any) -> None:
    response = client.get(
        "/api/v1/reports/weekly",
        params={"week": WEEK, "as_of": "2026-11-25T12:00:00Z"},
        headers={**seeded.org.headers, "Accept": "text/html"},
    )
    assert response.status_code == 200
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 760, "height": 900})
    try:
        page.on("request", lambda request: requests.append(request.url))
        page.set_content(response.text, wait_until="load")
        text = page.inner_text("body")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        # A narrow (phone-sized) mail pane must not scroll sideways much.
        page.set_viewport_size({"width": 380, "height": 800})
        overflow = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.close()
    assert "Week 2026-W47" in text
    assert "Jordan Example" in text and "Repeated apologies" in text
    assert "Pat Promised" in text and "Wren Waiting" in text
    assert [u for u in requests if not u.startswith(("about:", "data:"))] == [], requests
    assert overflow <= 700
    assert SCREENSHOT.stat().st_size > 10_000
