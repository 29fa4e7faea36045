"""An auto-reply in a language the classifier does not read is still labelled as not classified."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import OrgContext, create_candidate, event_body, post_event
from tests.web.conftest import http_login, make_user


def test_a_foreign_auto_reply_keeps_the_not_classified_label(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org, timezone="Europe/Rome")
    notice = post_event(
        client,
        org,
        event_body(
            candidate["external_id"],
            direction="inbound",
            occurred_at="2026-11-16T10:00:00+00:00",
            subject="Risposta automatica: Colloquio",
            body="Grazie per il suo messaggio. Sono fuori ufficio fino al 3 dicembre.",
        ),
    )
    assert (notice["language"], notice["intents_available"]) == ("it", False)
    user = make_user(engine, org.org_id)
    http_login(browser_client, user.email, user.password)
    page = browser_client.get(f"/candidates/{candidate['id']}")
    assert page.status_code == 200
    assert "not classified (language: it)" in page.text
    # the one thing read from it: its subject says it is an automatic notice
    assert '<span class="intent-tag intent-out_of_office">Out of office</span>' in page.text
    assert "“Risposta automatica”" in page.text
