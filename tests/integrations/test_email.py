"""E-mail in: raw RFC 5322 with a Bearer secret, Mailgun routes and SendGrid Inbound Parse."""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, unique
from tests.integrations.conftest import Connection, basic, deliveries, timeline

SENT_AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def make_mail(
    sender: str,
    to: str,
    body: str = "Thanks, Tuesday at 10 works for me.",
    *,
    subject: str = "Re: Interview",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    charset: str = "utf-8",
    attachment: bytes | None = None,
) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(SENT_AT)
    mid = message_id or make_msgid(domain="mail.example.com")
    message["Message-ID"] = mid
    for name, value in (headers or {}).items():
        message[name] = value
    if body:
        message.set_content(body, charset=charset)
    if html is not None:
        if body:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="cv.pdf")
    return message.as_bytes(), mid.strip("<>")


def send_raw(
    client: TestClient, connection: Connection, raw: bytes, secret: str | None = None
) -> Any:
    return client.post(
        connection.path,
        content=raw,
        headers={
            "Content-Type": "message/rfc822",
            "Authorization": f"Bearer {secret or connection.secret}",
        },
    )


def new_candidate(client: TestClient, org: OrgContext, **fields: Any) -> dict[str, Any]:
    email = fields.pop("email", f"{unique('cand')}@example.org")
    return create_candidate(client, org, email=email, **fields)


def test_mailbox_forward_becomes_an_inbound_message_for_the_candidate(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    client.post(
        "/api/v1/recruiters",
        json={"external_id": "rec-mail", "name": "Rae", "email": "rae@acme.example"},
        headers=org.headers,
    )
    candidate = new_candidate(client, org, email="Jo.Doe@Example.org")
    raw, mid = make_mail(
        "Jo Doe <jo.doe@example.org>",
        "Rae <RAE@acme.example>",
        "Sorry for the slow reply! I'm still very interested. Tuesday at 10 works.\n\n"
        "Best,\nJo\n\n"
        "On Mon, Nov 23, 2026 at 9:00 AM Rae <rae@acme.example> wrote:\n"
        "> Could we talk this week?\n> Are you free?\n",
    )
    response = send_raw(client, email_connection, raw)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "processed"
    assert response.json()["events"] == [f"email:{mid}"]
    [event] = timeline(client, org, candidate["id"])
    assert event["external_id"] == f"email:{mid}"
    assert event["direction"] == "inbound"
    assert event["channel"] == "email" and event["type"] == "message"
    assert event["recruiter_external_id"] == "rec-mail"
    assert event["occurred_at"].startswith("2026-11-24T09:30:00")
    assert "Could we talk" not in event["body"]  # quoted text stripped
    assert "Best," not in event["body"]  # so is the closing
    assert "still very interested" in event["body"]
    intents = {i["intent"] for i in event["intents"]}
    assert {"apology", "assurance"} <= intents
    assert event["auto_reply"] is False


def test_recruiter_mail_is_outbound_and_a_reply_threads_to_it(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    client.post(
        "/api/v1/recruiters",
        json={"external_id": "rec-out", "name": "Ola", "email": "ola@acme.example"},
        headers=org.headers,
    )
    candidate = new_candidate(client, org)
    first, first_id = make_mail(
        "Ola <ola@acme.example>", candidate["email"], "Are you free on Tuesday?", subject="Chat"
    )
    assert send_raw(client, email_connection, first).status_code == 200
    reply, reply_id = make_mail(
        candidate["email"],
        "ola@acme.example",
        "Yes, Tuesday works.",
        headers={"In-Reply-To": f"<{first_id}>", "References": f"<{first_id}>"},
    )
    assert send_raw(client, email_connection, reply).status_code == 200
    events = {e["external_id"]: e for e in timeline(client, org, candidate["id"])}
    assert events[f"email:{first_id}"]["direction"] == "outbound"
    assert events[f"email:{first_id}"]["recruiter_external_id"] == "rec-out"
    assert events[f"email:{reply_id}"]["direction"] == "inbound"
    assert events[f"email:{reply_id}"]["in_reply_to"] == f"email:{first_id}"


def test_reply_from_an_unknown_address_is_matched_by_its_thread(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    first, first_id = make_mail("hr@acme.example", candidate["email"], "Any news?")
    assert send_raw(client, email_connection, first).status_code == 200
    reply, reply_id = make_mail(
        "jo.private@elsewhere.example",
        "hr@acme.example",
        "Writing from my private address: yes, still interested.",
        headers={"References": f"<unrelated@x.example> <{first_id}>"},
    )
    response = send_raw(client, email_connection, reply)
    assert response.status_code == 200, response.text
    events = {e["external_id"]: e for e in timeline(client, org, candidate["id"])}
    assert events[f"email:{reply_id}"]["direction"] == "inbound"


def test_multipart_alternative_uses_the_plain_part(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(
        candidate["email"],
        "hr@acme.example",
        "Plain: I will send the form by Friday.",
        html="<p>HTML: something else entirely</p>",
    )
    assert send_raw(client, email_connection, raw).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert "Plain: I will send the form by Friday." in event["body"]
    assert "HTML" not in event["body"]


def test_html_only_mail_is_read_as_text_without_the_quote(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<div>Apologies for the delay &amp; thanks for your patience.</div>"
        "<div class='gmail_quote'>On Monday you wrote: <blockquote>Old question?</blockquote>"
        "</div></body></html>"
    )
    raw, _ = make_mail(candidate["email"], "hr@acme.example", "", html=html)
    assert send_raw(client, email_connection, raw).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert event["body"] == "Apologies for the delay & thanks for your patience."
    assert "apology" in {i["intent"] for i in event["intents"]}


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252", "iso-8859-15"])
def test_non_utf8_charsets_are_decoded(
    client: TestClient, org: OrgContext, email_connection: Connection, charset: str
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(
        candidate["email"],
        "hr@acme.example",
        "Désolé pour le retard, je reste très intéressé.",
        charset=charset,
    )
    assert raw.decode("ascii", "replace")  # 8-bit or QP on the wire, not UTF-8
    assert send_raw(client, email_connection, raw).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert event["body"] == "Désolé pour le retard, je reste très intéressé."


def test_raw_8bit_latin1_body_is_decoded(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw = (
        f"From: {candidate['email']}\r\nTo: hr@acme.example\r\nSubject: Antwort\r\n"
        "Message-ID: <latin1@example.org>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + "Grüße, ich bin weiterhin interessiert.\r\n".encode("latin-1")
    assert send_raw(client, email_connection, raw).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert event["body"] == "Grüße, ich bin weiterhin interessiert."


def test_attachments_are_ignored(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(
        candidate["email"], "hr@acme.example", "CV attached.", attachment=b"%PDF-1.4 secret"
    )
    assert send_raw(client, email_connection, raw).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert event["body"] == "CV attached."


AUTO_REPLIES = [
    ({"Auto-Submitted": "auto-replied"}, "Re: Interview", "en"),
    ({"X-Autoreply": "yes"}, "Re: Interview", "en"),
    ({"Precedence": "auto_reply"}, "Re: Interview", "en"),
    ({"X-Auto-Response-Suppress": "All"}, "Re: Interview", "en"),
    ({}, "Automatic reply: Interview", "en"),
    ({}, "Out of Office: Interview", "en"),
    ({}, "Abwesenheitsnotiz: Interview", "de"),
    ({}, "Automatische Antwort: Interview", "de"),
    ({}, "Respuesta automática: Entrevista", "es"),
    ({}, "Fuera de la oficina: Entrevista", "es"),
    ({}, "Réponse automatique : Entretien", "fr"),
    ({}, "Absent du bureau: Entretien", "fr"),
    ({}, "Resposta automática: Entrevista", "pt"),
    ({}, "Fora do escritório: Entrevista", "pt"),
    ({}, "AW: Abwesenheitsnotiz", "de"),
    ({}, "Mensagem de ausência", "pt"),
]


@pytest.mark.parametrize(("headers", "subject", "language"), AUTO_REPLIES)
def test_auto_replies_are_marked(
    client: TestClient,
    org: OrgContext,
    email_connection: Connection,
    headers: dict[str, str],
    subject: str,
    language: str,
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(
        candidate["email"], "hr@acme.example", "I am away.", subject=subject, headers=headers
    )
    assert send_raw(client, email_connection, raw).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert event["auto_reply"] is True, (subject, headers, language)


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"Auto-Submitted": "no"}, "Re: Interview"),
        ({}, "Re: Out-of-office policy question"),
        ({}, "Automatisation de nos process"),
        ({}, "Re: Interview - I am on leave next week, Thursday works"),
    ],
)
def test_human_mail_is_not_an_auto_reply(
    client: TestClient,
    org: OrgContext,
    email_connection: Connection,
    headers: dict[str, str],
    subject: str,
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(candidate["email"], "hr@acme.example", subject=subject, headers=headers)
    assert send_raw(client, email_connection, raw).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert event["auto_reply"] is False


def test_unmatched_mail_is_kept_and_can_be_assigned(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    raw, mid = make_mail("stranger@nowhere.example", "hr@acme.example", "Hello, still keen!")
    response = send_raw(client, email_connection, raw)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "unmatched"
    listed = client.get(
        f"/api/v1/integrations/{email_connection.id}/unmatched", headers=org.headers
    ).json()["items"]
    [kept] = [m for m in listed if m["message_id"] == mid]
    assert kept["sender"] == "stranger@nowhere.example"
    assert kept["recipients"] == ["hr@acme.example"]
    assert kept["assigned"] is False

    candidate = new_candidate(client, org)
    assign = client.post(
        f"/api/v1/integrations/{email_connection.id}/unmatched/{kept['id']}/assign",
        json={"candidate_id": candidate["id"]},
        headers=org.headers,
    )
    assert assign.status_code == 200, assign.text
    assert assign.json()["assigned"] is True
    assert assign.json()["event_external_id"] == f"email:{mid}"
    [event] = timeline(client, org, candidate["id"])
    assert event["direction"] == "inbound"
    assert "still keen" in event["body"]
    again = client.post(
        f"/api/v1/integrations/{email_connection.id}/unmatched/{kept['id']}/assign",
        json={"candidate_id": candidate["id"]},
        headers=org.headers,
    )
    assert again.status_code == 409
    open_items = client.get(
        f"/api/v1/integrations/{email_connection.id}/unmatched", headers=org.headers
    ).json()["items"]
    assert kept["id"] not in {m["id"] for m in open_items}


def test_assign_to_unknown_or_foreign_candidate_is_refused(
    client: TestClient, org: OrgContext, other_org: OrgContext, email_connection: Connection
) -> None:
    raw, _ = make_mail("someone@nowhere.example", "hr@acme.example")
    unmatched_id = send_raw(client, email_connection, raw).json()["unmatched_id"]
    foreign = new_candidate(client, other_org)
    url = f"/api/v1/integrations/{email_connection.id}/unmatched/{unmatched_id}/assign"
    response = client.post(url, json={"candidate_id": foreign["id"]}, headers=org.headers)
    assert response.status_code == 422
    assert (
        client.post(url, json={"candidate_id": "x"}, headers=other_org.headers).status_code == 404
    )


def test_bad_bearer_secret_is_401_and_stores_nothing(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(candidate["email"], "hr@acme.example")
    response = send_raw(client, email_connection, raw, secret="wrong-secret")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    no_auth = client.post(
        email_connection.path, content=raw, headers={"Content-Type": "message/rfc822"}
    )
    assert no_auth.status_code == 401
    assert timeline(client, org, candidate["id"]) == []
    assert deliveries(client, org, email_connection) == []


def test_repeated_delivery_is_stored_once(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(candidate["email"], "hr@acme.example")
    assert send_raw(client, email_connection, raw).json()["status"] == "processed"
    second = send_raw(client, email_connection, raw)
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert len(timeline(client, org, candidate["id"])) == 1
    assert len(deliveries(client, org, email_connection)) == 1


def test_malformed_body_is_answered_2xx_and_logged_as_an_error(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    response = send_raw(client, email_connection, b"\x00\xff not a mail")
    assert response.status_code == 200
    assert response.json()["status"] in ("error", "unmatched")
    empty = send_raw(client, email_connection, b"   ")
    assert empty.status_code == 200 and empty.json()["status"] == "error"
    rows = deliveries(client, org, email_connection)
    assert any(r["outcome"] == "error" and r["detail"] for r in rows)


# --- Mailgun ---------------------------------------------------------------------------


def mailgun_form(
    secret: str, raw: bytes, *, at: int | None = None, token: str | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    timestamp = str(at if at is not None else int(time.time()))
    token = token or hashlib.sha256(unique("tok").encode()).hexdigest()[:50]
    signature = hmac.new(secret.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    fields = {"timestamp": timestamp, "token": token, "signature": signature, "recipient": "x"}
    files = {"body-mime": (None, raw, "text/plain")}
    return fields, files


def test_mailgun_route_with_valid_signature(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw, mid = make_mail(candidate["email"], "hr@acme.example", "Merci, ça me va.")
    data, files = mailgun_form(email_connection.secret, raw)
    response = client.post(email_connection.path, data=data, files=files)
    assert response.status_code == 200, response.text
    assert response.json()["events"] == [f"email:{mid}"]


def test_mailgun_stale_timestamp_bad_signature_and_reused_token_are_refused(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw, _ = make_mail(candidate["email"], "hr@acme.example")
    stale, files = mailgun_form(email_connection.secret, raw, at=int(time.time()) - 3600)
    assert client.post(email_connection.path, data=stale, files=files).status_code == 401
    forged, files = mailgun_form("not-the-key", raw)
    assert client.post(email_connection.path, data=forged, files=files).status_code == 401
    assert timeline(client, org, candidate["id"]) == []

    good, files = mailgun_form(email_connection.secret, raw)
    assert client.post(email_connection.path, data=good, files=files).status_code == 200
    other, _ = make_mail(candidate["email"], "hr@acme.example", "A different message.")
    replay = client.post(
        email_connection.path, data=good, files={"body-mime": (None, other, "text/plain")}
    )
    assert replay.status_code == 401
    assert len(timeline(client, org, candidate["id"])) == 1


# --- SendGrid --------------------------------------------------------------------------


def test_sendgrid_inbound_parse_raw_mode_with_basic_auth(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    raw, mid = make_mail(candidate["email"], "hr@acme.example", "Gracias, sigo interesado.")
    response = client.post(
        email_connection.path,
        data={"to": "hr@acme.example", "from": candidate["email"]},
        files={"email": (None, raw, "text/plain")},
        headers={"Authorization": basic(email_connection.secret)},
    )
    assert response.status_code == 200, response.text
    [event] = timeline(client, org, candidate["id"])
    assert event["external_id"] == f"email:{mid}"
    unauthenticated = client.post(
        email_connection.path, data={"to": "x"}, files={"email": (None, raw, "text/plain")}
    )
    assert unauthenticated.status_code == 401


def test_sendgrid_parsed_mode_is_rebuilt(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    headers = (
        f"From: {candidate['email']}\nTo: hr@acme.example\nSubject: Hi\n"
        "Message-ID: <sg-parsed@example.org>\nContent-Type: multipart/alternative; boundary=x\n"
    )
    response = client.post(
        email_connection.path,
        data={"headers": headers, "text": "Count me in.", "html": "<p>Count me in.</p>"},
        files={"attachment1": ("cv.pdf", b"%PDF", "application/pdf")},
        headers={"Authorization": basic(email_connection.secret)},
    )
    assert response.status_code == 200, response.text
    [event] = timeline(client, org, candidate["id"])
    assert event["external_id"] == "email:sg-parsed@example.org"
    assert event["body"] == "Count me in."


def test_mailgun_parsed_forward_is_rebuilt(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    candidate = new_candidate(client, org)
    data, _ = mailgun_form(email_connection.secret, b"")
    headers = [
        ["From", f"Casey <{candidate['email']}>"],
        ["To", "hr@acme.example"],
        ["Subject", "Re: Next steps"],
        ["Message-Id", "<mg-parsed@example.org>"],
        ["In-Reply-To", "<earlier@acme.example>"],
        ["Content-Type", "multipart/alternative; boundary=zzz"],
    ]
    data.update(
        {
            "message-headers": json.dumps(headers),
            "body-plain": "Happy to continue.\n\n> old quoted text",
            "stripped-text": "Happy to continue.",
        }
    )
    response = client.post(email_connection.path, data=data)
    assert response.status_code == 200, response.text
    [event] = timeline(client, org, candidate["id"])
    assert event["external_id"] == "email:mg-parsed@example.org"
    assert event["in_reply_to"] == "email:earlier@acme.example"
    assert event["body"] == "Happy to continue."


def test_mail_to_a_candidate_from_outside_the_company_is_kept_unmatched(
    client: TestClient, org: OrgContext, email_connection: Connection
) -> None:
    client.post(
        "/api/v1/recruiters",
        json={"external_id": "rec-dom", "name": "Dee", "email": "dee@acme.example"},
        headers=org.headers,
    )
    candidate = new_candidate(client, org)
    outsider, _ = make_mail("agent@other-agency.example", candidate["email"], "Any interest?")
    assert send_raw(client, email_connection, outsider).status_code == 202
    colleague, mid = make_mail("talent@acme.example", candidate["email"], "Are you free?")
    assert send_raw(client, email_connection, colleague).status_code == 200
    [event] = timeline(client, org, candidate["id"])
    assert event["external_id"] == f"email:{mid}"
    assert event["direction"] == "outbound"
    assert event["recruiter_external_id"] is None  # talent@ is no recruiter on file


def test_unmatched_mail_can_be_dismissed_by_a_person(
    client: TestClient, org: OrgContext, other_org: OrgContext, email_connection: Connection
) -> None:
    raw, _ = make_mail("news@letters.example", "hr@acme.example", "Our newsletter")
    unmatched_id = send_raw(client, email_connection, raw).json()["unmatched_id"]
    url = f"/api/v1/integrations/{email_connection.id}/unmatched/{unmatched_id}"
    assert client.delete(url, headers=other_org.headers).status_code == 404
    assert client.delete(url, headers=org.headers).status_code == 204
    assert client.delete(url, headers=org.headers).status_code == 404
    listed = client.get(
        f"/api/v1/integrations/{email_connection.id}/unmatched", headers=org.headers
    ).json()["items"]
    assert unmatched_id not in {m["id"] for m in listed}
