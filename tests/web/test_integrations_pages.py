"""Settings → Integrations over HTTP: add a connection, see its secret once, deliveries,
unmatched mail and assigning it; only administrators, only their own organisation."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import OrgContext, create_candidate, unique
from tests.web.conftest import csrf_from, http_login, make_user


def admin_client(browser_client: TestClient, org: OrgContext, engine: Engine) -> str:
    admin = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, admin.email, admin.password)
    return csrf_from(browser_client.get("/settings/integrations").text)


def connect(browser_client: TestClient, token: str, **fields: str) -> Any:
    return browser_client.post("/settings/integrations", data={"csrf_token": token, **fields})


def test_add_connection_shows_url_and_secret_once(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    token = admin_client(browser_client, org, engine)
    response = connect(browser_client, token, provider="greenhouse", name="GH prod")
    assert response.status_code == 200, response.text
    secret = re.search(r'id="new-secret"[^>]*value="([^"]+)"', response.text)
    url = re.search(r'id="new-webhook-url"[^>]*value="([^"]+)"', response.text)
    assert secret and url
    assert url.group(1).endswith("/webhook")
    assert "will not be shown again" in response.text
    listing = browser_client.get("/settings/integrations")
    assert listing.status_code == 200
    assert "GH prod" in listing.text
    assert secret.group(1) not in listing.text
    connection_id = url.group(1).split("/")[-2]
    detail = browser_client.get(f"/settings/integrations/{connection_id}")
    assert detail.status_code == 200
    assert url.group(1) in detail.text
    assert secret.group(1) not in detail.text


def test_invalid_connection_is_422_with_the_error(
    browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    token = admin_client(browser_client, org, engine)
    missing = connect(browser_client, token, provider="twilio", name="Calls")
    assert missing.status_code == 422
    assert "needs the secret" in missing.text
    short = connect(browser_client, token, provider="email", name="Inbox", secret="short")
    assert short.status_code == 422
    assert 'role="alert"' in short.text
    forged = browser_client.post(
        "/settings/integrations", data={"csrf_token": "nope", "provider": "email"}
    )
    assert forged.status_code == 403


def test_deliveries_and_unmatched_mail_with_assign(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    token = admin_client(browser_client, org, engine)
    page = connect(browser_client, token, provider="email", name="Inbox", secret="inbox-secret-1")
    connection_id = re.search(r"/api/v1/integrations/([0-9a-f]+)/webhook", page.text).group(1)  # type: ignore[union-attr]
    mail = (
        b"From: Unknown <someone@elsewhere.example>\r\nTo: hr@acme.example\r\n"
        b"Subject: Still interested\r\nMessage-ID: <ui-test@example.org>\r\n\r\n"
        b"Hello, I am still interested.\r\n"
    )
    delivered = client.post(
        f"/api/v1/integrations/{connection_id}/webhook",
        content=mail,
        headers={"Content-Type": "message/rfc822", "Authorization": "Bearer inbox-secret-1"},
    )
    assert delivered.status_code == 202
    client.post(
        f"/api/v1/integrations/{connection_id}/webhook",
        content=b"   ",
        headers={"Content-Type": "message/rfc822", "Authorization": "Bearer inbox-secret-1"},
    )
    detail = browser_client.get(f"/settings/integrations/{connection_id}")
    assert "someone@elsewhere.example" in detail.text
    assert "Still interested" in detail.text
    assert "The message is empty." in detail.text  # the failed delivery and its error
    mail_id = re.search(r"/unmatched/([0-9a-f]+)/assign", detail.text).group(1)  # type: ignore[union-attr]

    candidate = create_candidate(client, org, email=f"{unique('c')}@example.org")
    wrong = browser_client.post(
        f"/settings/integrations/{connection_id}/unmatched/{mail_id}/assign",
        data={"csrf_token": token, "candidate": "no-such-candidate"},
    )
    assert wrong.status_code == 303
    assert "Not assigned" in browser_client.get(f"/settings/integrations/{connection_id}").text
    assigned = browser_client.post(
        f"/settings/integrations/{connection_id}/unmatched/{mail_id}/assign",
        data={"csrf_token": token, "candidate": candidate["email"]},
    )
    assert assigned.status_code == 303
    after = browser_client.get(f"/settings/integrations/{connection_id}")
    assert "Assigned to" in after.text
    assert "someone@elsewhere.example" not in after.text
    events = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline", headers=org.headers
    ).json()["events"]
    assert [e["external_id"] for e in events] == ["email:ui-test@example.org"]

    spam = (
        b"From: spam@junk.example\r\nTo: hr@acme.example\r\nSubject: Win a prize\r\n"
        b"Message-ID: <spam-ui@junk.example>\r\n\r\nClick here.\r\n"
    )
    client.post(
        f"/api/v1/integrations/{connection_id}/webhook",
        content=spam,
        headers={"Content-Type": "message/rfc822", "Authorization": "Bearer inbox-secret-1"},
    )
    page = browser_client.get(f"/settings/integrations/{connection_id}")
    assert "Win a prize" in page.text
    spam_id = re.search(r"/unmatched/([0-9a-f]+)/dismiss", page.text).group(1)  # type: ignore[union-attr]
    dismissed = browser_client.post(
        f"/settings/integrations/{connection_id}/unmatched/{spam_id}/dismiss",
        data={"csrf_token": token},
    )
    assert dismissed.status_code == 303
    assert "Win a prize" not in browser_client.get(f"/settings/integrations/{connection_id}").text

    deleted = browser_client.post(
        f"/settings/integrations/{connection_id}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 303
    assert browser_client.get(f"/settings/integrations/{connection_id}").status_code == 404
    audit = browser_client.get("/settings/audit", params={"action": "integration"}).text
    assert "integration.created" in audit and "integration.deleted" in audit


def test_only_admins_of_the_organisation(
    browser_client: TestClient, org: OrgContext, other_org: OrgContext, engine: Engine
) -> None:
    assert browser_client.get("/settings/integrations").status_code == 303  # to sign-in
    foreign = client_connection(other_org)
    recruiter = make_user(engine, org.org_id)
    http_login(browser_client, recruiter.email, recruiter.password)
    assert browser_client.get("/settings/integrations").status_code == 403
    admin = make_user(engine, org.org_id, role="admin")
    http_login(browser_client, admin.email, admin.password)
    assert browser_client.get(f"/settings/integrations/{foreign}").status_code == 404
    token = csrf_from(browser_client.get("/settings/integrations").text)
    gone = browser_client.post(
        f"/settings/integrations/{foreign}/delete", data={"csrf_token": token}
    )
    assert gone.status_code == 404


def client_connection(org: OrgContext) -> str:
    from app.audit import SYSTEM
    from app.core.db import create_sessionmaker, transaction
    from app.integrations import service
    from app.integrations.schemas import IntegrationCreate

    with transaction(create_sessionmaker(org.engine)) as session:
        connection, _ = service.create_connection(
            session,
            org_id=org.org_id,
            data=IntegrationCreate(provider="email", name="Theirs"),
            secret_key="k",
            actor=SYSTEM,
        )
        return connection.id


def test_mail_text_is_escaped_on_the_page(
    client: TestClient, browser_client: TestClient, org: OrgContext, engine: Engine
) -> None:
    token = admin_client(browser_client, org, engine)
    page = connect(browser_client, token, provider="email", name="Inbox", secret="inbox-secret-2")
    connection_id = re.search(r"/api/v1/integrations/([0-9a-f]+)/webhook", page.text).group(1)  # type: ignore[union-attr]
    mail = (
        b'From: "<b>x</b>" <evil@bad.example>\r\nTo: hr@acme.example\r\n'
        b"Subject: <script>alert(1)</script>\r\nMessage-ID: <xss@bad.example>\r\n\r\nhi\r\n"
    )
    response = client.post(
        f"/api/v1/integrations/{connection_id}/webhook",
        content=mail,
        headers={"Content-Type": "message/rfc822", "Authorization": "Bearer inbox-secret-2"},
    )
    assert response.status_code == 202
    detail = browser_client.get(f"/settings/integrations/{connection_id}").text
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
