"""The candidate page shows each inbound message's language, and says so when it is not read."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import OrgContext, create_candidate, event_body, post_event
from tests.web.conftest import http_login, make_user


def test_timeline_shows_language_and_the_not_classified_label(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    candidate = create_candidate(client, org, timezone="Europe/Rome")
    external_id = candidate["external_id"]
    post_event(
        client,
        org,
        event_body(
            external_id,
            direction="inbound",
            occurred_at="2026-11-16T10:00:00+00:00",
            body="Mi dispiace tanto per il ritardo, vi mando il curriculum entro venerdì.",
        ),
    )
    post_event(
        client,
        org,
        event_body(
            external_id,
            direction="inbound",
            occurred_at="2026-11-17T10:00:00+00:00",
            body="Entschuldigung für die späte Antwort, ich schicke Ihnen alles bis Freitag.",
        ),
    )
    user = make_user(engine, org.org_id)
    http_login(browser_client, user.email, user.password)
    page = browser_client.get(f"/candidates/{candidate['id']}")
    assert page.status_code == 200
    assert "not classified (language: it)" in page.text
    assert page.text.count("not classified (language:") == 1
    assert '<span class="muted small lang" title="Detected language">de</span>' in page.text
