"""The audit log: each audited action writes its row in the same transaction, GET
/api/v1/audit (admin) filters and pages it, organisations never see each other's, and the
admin page lists it."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app import audit
from app.audit.models import AuditEvent
from app.core.db import create_sessionmaker, transaction
from app.orgs import service as orgs_service
from tests.factories import OrgContext, create_candidate, event_body, unique
from tests.web.conftest import csrf_from, http_login, make_user

URL = "/api/v1/audit"


def _audit(client: TestClient, org: OrgContext, **params: Any) -> list[dict[str, Any]]:
    response = client.get(URL, params=params, headers=org.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _flag_id(client: TestClient, org: OrgContext) -> tuple[str, str]:
    candidate = create_candidate(client, org, timezone="UTC")
    events = [
        event_body(candidate["external_id"], occurred_at="2026-11-02T10:00:00Z"),
        event_body(
            candidate["external_id"],
            type="meeting",
            channel="video",
            outcome="no_show",
            occurred_at="2026-11-03T10:00:00Z",
        ),
    ]
    response = client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    assert response.status_code == 200
    client.get(f"/api/v1/candidates/{candidate['id']}", headers=org.headers)
    flags = client.get(f"/api/v1/candidates/{candidate['id']}/flags", headers=org.headers).json()
    [flag] = [f for f in flags if f["code"] == "missed_meeting"]
    return candidate["id"], flag["id"]


def test_api_actions_are_audited_with_their_actor(client: TestClient, org: OrgContext) -> None:
    candidate_id, flag_id = _flag_id(client, org)
    client.post(f"/api/v1/flags/{flag_id}/acknowledge", headers=org.headers)
    client.post(
        f"/api/v1/flags/{flag_id}/dismiss",
        json={"reason": "Rescheduled by phone"},
        headers=org.headers,
    )
    settings = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    settings["thresholds"]["ghosting_attempts"] = settings["thresholds"]["ghosting_attempts"] + 1
    settings["timezone"] = "Europe/Berlin"
    assert (
        client.put("/api/v1/settings/scoring", json=settings, headers=org.headers).status_code
        == 200
    )
    created = client.post(
        "/api/v1/api-keys", json={"name": "ATS sync", "scopes": ["read"]}, headers=org.headers
    ).json()
    client.post(f"/api/v1/api-keys/{created['id']}/revoke", headers=org.headers)
    assert (
        client.delete(f"/api/v1/candidates/{candidate_id}", headers=org.headers).status_code == 204
    )

    items = _audit(client, org)
    assert [i["action"] for i in items] == [
        "candidate.erased",
        "api_key.revoked",
        "api_key.created",
        "settings.changed",
        "flag.dismissed",
        "flag.acknowledged",
    ]
    by_action = {i["action"]: i for i in items}
    dismissed = by_action["flag.dismissed"]
    assert dismissed["target"] == f"flag:{flag_id}"
    assert dismissed["detail"]["reason"] == "Rescheduled by phone"
    assert dismissed["detail"]["code"] == "missed_meeting"
    assert {i["actor_type"] for i in items} == {"api_key"}
    assert "initial admin key" in dismissed["actor_label"]
    assert by_action["settings.changed"]["detail"] == {
        "version": 2,
        "changed": ["thresholds.ghosting_attempts", "timezone"],
    }
    assert by_action["api_key.created"]["detail"]["scopes"] == ["read"]
    # Erasure keeps only the id: nothing about the person.
    assert by_action["candidate.erased"]["target"] == f"candidate:{candidate_id}"
    assert by_action["candidate.erased"]["detail"] == {}


def test_a_failed_action_leaves_no_audit_row(client: TestClient, org: OrgContext) -> None:
    _, flag_id = _flag_id(client, org)
    missing = client.post(f"/api/v1/flags/{flag_id}/dismiss", json={}, headers=org.headers)
    assert missing.status_code == 422
    unknown = client.post(f"/api/v1/flags/{'0' * 32}/acknowledge", headers=org.headers)
    assert unknown.status_code == 404
    assert _audit(client, org) == []


def test_record_shares_the_callers_transaction(engine: Engine, org: OrgContext) -> None:
    factory = create_sessionmaker(engine)
    try:
        with transaction(factory) as session:
            audit.record(session, org_id=org.org_id, actor=None, action="test.rolled_back")
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    with transaction(factory) as session:
        audit.record(session, org_id=org.org_id, actor=audit.SYSTEM, action="test.kept")
    with transaction(factory) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.org_id == org.org_id)
        ).all()
    assert actions == ["test.kept"]


def test_filters_and_cursor_pagination(client: TestClient, org: OrgContext, engine: Engine) -> None:
    with transaction(create_sessionmaker(engine)) as session:
        for i in range(7):
            audit.record(
                session,
                org_id=org.org_id,
                actor=audit.Actor("user", f"user-{i % 2}", f"u{i % 2}@example.com"),
                action="settings.changed" if i % 3 else "flag.dismissed",
                target=f"settings:{i}",
            )
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(URL, params=params, headers=org.headers).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert {i["action"] for i in _audit(client, org, action="flag")} == {"flag.dismissed"}
    assert len(_audit(client, org, action="flag.dismissed")) == 3
    assert {i["actor_id"] for i in _audit(client, org, actor_id="user-1")} == {"user-1"}
    assert _audit(client, org, since="2999-01-01T00:00:00Z") == []
    assert len(_audit(client, org, until="2999-01-01T00:00:00Z")) == 7


def test_bad_queries_are_problems(client: TestClient, org: OrgContext) -> None:
    for params in (
        {"since": "2026-11-01T00:00:00"},  # naive
        {"since": "0001-01-01T00:00:00+05:00"},
        {"since": "2026-12-01T00:00:00Z", "until": "2026-11-01T00:00:00Z"},
        {"action": "DROP TABLE"},
        {"limit": 0},
    ):
        response = client.get(URL, params=params, headers=org.headers)
        assert response.status_code == 422, (params, response.text)
    bad_cursor = client.get(URL, params={"cursor": "not-a-cursor"}, headers=org.headers)
    assert bad_cursor.status_code == 400


def test_audit_needs_admin_and_stays_in_the_organisation(
    client: TestClient, org: OrgContext, other_org: OrgContext, engine: Engine
) -> None:
    with transaction(create_sessionmaker(engine)) as session:
        audit.record(session, org_id=other_org.org_id, actor=None, action="settings.changed")
    assert client.get(URL, headers=org.key_with("read", "events:write")).status_code == 403
    assert client.get(URL).status_code == 401
    assert _audit(client, org) == []
    assert len(_audit(client, other_org)) == 1


def test_ui_actions_and_sign_ins_are_audited(
    app: FastAPI, client: TestClient, org: OrgContext, engine: Engine
) -> None:
    admin = make_user(engine, org.org_id, role="admin")
    browser = TestClient(app, follow_redirects=False)
    token = csrf_from(browser.get("/login").text)
    wrong = browser.post(
        "/login", data={"email": admin.email, "password": "nope-nope", "csrf_token": token}
    )
    assert wrong.status_code == 401
    # An email with no account has no organisation to audit in; it is not recorded anywhere.
    browser.post(
        "/login",
        data={"email": f"{unique('x')}@x.example", "password": "nope-nope", "csrf_token": token},
    )
    http_login(browser, admin.email, admin.password)
    token = csrf_from(browser.get("/settings/api-keys").text)
    browser.post(
        "/settings/api-keys", data={"name": "UI key", "scopes": "read", "csrf_token": token}
    )
    _, flag_id = _flag_id(client, org)
    browser.post(
        f"/flags/{flag_id}/dismiss", data={"reason": "Spoke on the phone", "csrf_token": token}
    )
    page = browser.get("/settings/audit")
    assert page.status_code == 200
    for text in ("user.sign_in_failed", "user.signed_in", "api_key.created", "flag.dismissed"):
        assert text in page.text
    assert "Spoke on the phone" in page.text
    items = _audit(client, org)
    assert [i["action"] for i in items] == [
        "flag.dismissed",
        "api_key.created",
        "user.signed_in",
        "user.sign_in_failed",
    ]
    assert {i["actor_label"] for i in items} == {admin.email}
    assert all(i["actor_id"] == admin.id for i in items)
    only_flags = browser.get("/settings/audit", params={"action": "flag"}).text
    assert "flag.dismissed" in only_flags and "api_key.created" not in only_flags
    # Sign-out and sign-out-everywhere are audited too.
    browser.post("/sign-out-everywhere", data={"csrf_token": token})
    assert _audit(client, org, action="user")[0]["action"] == "user.signed_out_everywhere"
    with transaction(create_sessionmaker(engine)) as session:
        total = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.org_id == org.org_id)
        )
    assert total == 5


def test_recruiters_cannot_open_the_audit_page(
    app: FastAPI, org: OrgContext, engine: Engine
) -> None:
    recruiter = make_user(engine, org.org_id)
    browser = TestClient(app, follow_redirects=False)
    http_login(browser, recruiter.email, recruiter.password)
    assert browser.get("/settings/audit").status_code == 403
    assert browser.get("/settings/users").status_code == 403


def test_record_bounds_its_detail_and_defaults_to_system(engine: Engine, org: OrgContext) -> None:
    with transaction(create_sessionmaker(engine)) as session:
        record, _ = orgs_service.create_api_key(
            session, org_id=org.org_id, name="cli", scopes=["read"]
        )
        event = audit.record(
            session,
            org_id=org.org_id,
            actor=None,
            action="api_key.created",
            target=f"api_key:{record.id}",
            detail={"nested": {"x": object()}, "long": "y" * 5000},
        )
        session.flush()
        assert event.actor_type == "system"
        assert len(event.detail["long"]) == 2000
        assert isinstance(event.detail["nested"]["x"], str)
