"""Scoring through the API: flags and their lifecycle, score history, pipeline, rescore."""

import json
import os
import subprocess
import sys
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, event_body, unique


def post_batch(client: TestClient, org: OrgContext, events: list[dict[str, Any]]) -> None:
    response = client.post("/api/v1/events/batch", json={"events": events}, headers=org.headers)
    assert response.status_code == 200
    assert all(r["status"] in (200, 201) for r in response.json()["results"]), response.text


def state(client: TestClient, org: OrgContext, candidate_id: str, as_of: str) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/candidates/{candidate_id}", params={"as_of": as_of}, headers=org.headers
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def no_show(ext: str, when: str) -> dict[str, Any]:
    return event_body(ext, type="meeting", channel="video", outcome="no_show", occurred_at=when)


def test_flag_lifecycle(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org, timezone="UTC")
    ext, cid = candidate["external_id"], candidate["id"]
    post_batch(
        client,
        org,
        [
            event_body(ext, occurred_at="2026-11-02T10:00:00Z"),
            event_body(ext, direction="inbound", occurred_at="2026-11-02T11:00:00Z", body="Sure"),
            no_show(ext, "2026-11-03T10:00:00Z"),
        ],
    )
    before = state(client, org, cid, "2026-11-04T10:00:00Z")
    [flag] = [f for f in before["flags"] if f["code"] == "missed_meeting"]
    assert flag["status"] == "open" and flag["evidence"] and flag["summary"] and flag["clears_when"]
    assert flag["raised_at"] == "2026-11-03T10:00:00Z"
    assert before["band"] != "not_that_into_you"  # one lapse never brands anyone

    missing_reason = client.post(
        f"/api/v1/flags/{flag['id']}/dismiss", json={}, headers=org.headers
    )
    assert missing_reason.status_code == 422
    dismissed = client.post(
        f"/api/v1/flags/{flag['id']}/dismiss",
        json={"reason": "Called us: family emergency"},
        headers=org.headers,
    )
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["status_reason"] == "Called us: family emergency"

    after = state(client, org, cid, "2026-11-04T10:00:00Z")
    assert "missed_meeting" not in {f["code"] for f in after["flags"]}
    assert after["score"] > before["score"]

    # More events without new evidence: the dismissed flag does not come back.
    post_batch(
        client, org, [event_body(ext, direction="inbound", occurred_at="2026-11-04T09:00:00Z")]
    )
    assert "missed_meeting" not in {
        f["code"] for f in state(client, org, cid, "2026-11-04T10:00:00Z")["flags"]
    }
    # New evidence raises a new flag.
    post_batch(client, org, [no_show(ext, "2026-11-05T10:00:00Z")])
    latest = state(client, org, cid, "2026-11-05T12:00:00Z")
    [new_flag] = [f for f in latest["flags"] if f["code"] == "missed_meeting"]
    assert new_flag["id"] != flag["id"] and new_flag["status"] == "open"

    acknowledged = client.post(f"/api/v1/flags/{new_flag['id']}/acknowledge", headers=org.headers)
    assert acknowledged.json()["status"] == "acknowledged"
    history = client.get(f"/api/v1/candidates/{cid}/flags", headers=org.headers).json()
    statuses = {f["id"]: f["status"] for f in history}
    assert statuses[flag["id"]] == "dismissed" and statuses[new_flag["id"]] == "acknowledged"
    unknown = client.post(f"/api/v1/flags/{'0' * 32}/acknowledge", headers=org.headers)
    assert unknown.status_code == 404


def test_ghosting_appears_with_time_alone_and_score_history_explains(
    client: TestClient, org: OrgContext
) -> None:
    candidate = create_candidate(client, org, timezone="UTC")
    ext, cid = candidate["external_id"], candidate["id"]
    post_batch(
        client,
        org,
        [
            event_body(ext, occurred_at="2026-10-05T10:00:00Z"),
            event_body(ext, direction="inbound", occurred_at="2026-10-05T11:00:00Z"),
            event_body(ext, occurred_at="2026-11-02T10:00:00Z"),
            event_body(ext, occurred_at="2026-11-04T10:00:00Z"),
            event_body(ext, occurred_at="2026-11-06T10:00:00Z"),
        ],
    )
    early = state(client, org, cid, "2026-11-06T12:00:00Z")
    assert "ghosting" not in {f["code"] for f in early["flags"]}
    late = state(client, org, cid, "2026-11-10T12:00:00Z")
    ghosting = [f for f in late["flags"] if f["code"] == "ghosting"]
    assert ghosting, late["flags"]
    assert late["band"] == "not_that_into_you", late["score_breakdown"]
    assert late["next_action"]["action"] in ("second_check_in", "phone_call", "close_the_loop")
    # History follows real time: the ingest was evaluated as of now, when the ghosting (still
    # open) had already been found; looking back with as_of does not rewrite history.
    history = client.get(f"/api/v1/candidates/{cid}/score-history", headers=org.headers).json()
    added = [h for h in history if "ghosting" in h["signals_added"]]
    assert added and added[0]["reason"].startswith("new: ")
    assert added[0]["previous_band"] is None or added[0]["previous_band"] != added[0]["band"]


def test_nothing_about_the_person_changes_the_score(client: TestClient, org: OrgContext) -> None:
    people = [
        {"name": "Ana Lima", "email": "ana@example.com", "job": "Engineer", "phone": "+1 555 0100"},
        {"name": "Bob Smith", "email": "bob@example.org", "job": "Nurse", "stage": "final"},
        {"name": None, "job": "CFO"},
    ]
    results = []
    for person in people:
        candidate = create_candidate(client, org, timezone="UTC", **person)
        ext = candidate["external_id"]
        post_batch(
            client,
            org,
            [
                event_body(ext, occurred_at="2026-11-02T10:00:00Z"),
                event_body(
                    ext,
                    direction="inbound",
                    occurred_at="2026-11-04T10:00:00Z",
                    body="Sorry, I was swamped",
                ),
                no_show(ext, "2026-11-05T10:00:00Z"),
            ],
        )
        view = state(client, org, candidate["id"], "2026-11-06T10:00:00Z")
        results.append((view["score"], view["band"], view["score_breakdown"]))
    assert results[0] == results[1] == results[2]


def test_pipeline_ranks_filters_and_pages(client: TestClient, org: OrgContext) -> None:
    stage = unique("stage")
    good = create_candidate(
        client, org, name="Good Responder", timezone="UTC", stage=stage, recruiter_external_id="r-a"
    )
    bad = create_candidate(
        client, org, name="Ghost Person", timezone="UTC", stage=stage, recruiter_external_id="r-b"
    )
    create_candidate(client, org, name="Not Contacted", timezone="UTC", stage=stage)
    held = create_candidate(client, org, name="On Hold", timezone="UTC", status="on_hold")
    for i in range(3):
        post_batch(
            client,
            org,
            [
                event_body(good["external_id"], occurred_at=f"2026-11-0{2 + i}T10:00:00Z"),
                event_body(
                    good["external_id"],
                    direction="inbound",
                    occurred_at=f"2026-11-0{2 + i}T10:30:00Z",
                ),
            ],
        )
    post_batch(
        client,
        org,
        [
            event_body(bad["external_id"], occurred_at="2026-11-02T10:00:00Z"),
            event_body(bad["external_id"], occurred_at="2026-11-04T10:00:00Z"),
            event_body(bad["external_id"], occurred_at="2026-11-06T10:00:00Z"),
            no_show(bad["external_id"], "2026-11-03T10:00:00Z"),
            event_body(held["external_id"], occurred_at="2026-11-02T10:00:00Z"),
        ],
    )
    as_of = {"as_of": "2026-11-12T10:00:00Z"}
    page = client.get("/api/v1/pipeline", params=as_of, headers=org.headers).json()
    names = [i["name"] for i in page["items"]]
    assert names == ["Ghost Person", "Good Responder", "Not Contacted"]
    first = page["items"][0]
    assert first["band"] == "not_that_into_you" and "ghosting" in first["flags"]
    assert first["last_outbound_at"] == "2026-11-06T10:00:00Z" and first["last_inbound_at"] is None
    assert page["items"][1]["median_reply_business_hours"] == 0.5
    assert page["items"][2]["score"] is None and page["items"][2]["band"] == "unknown"

    def names_for(**params: str) -> list[str]:
        response = client.get("/api/v1/pipeline", params=as_of | params, headers=org.headers)
        assert response.status_code == 200, response.text
        return [i["name"] for i in response.json()["items"]]

    assert names_for(band="engaged") == ["Good Responder"]
    assert names_for(flag="missed_meeting") == ["Ghost Person"]
    assert names_for(recruiter_external_id="r-a") == ["Good Responder"]
    assert names_for(status="on_hold") == ["On Hold"]
    assert names_for(stage=stage, q="ghost") == ["Ghost Person"]
    assert names_for(q="100%_") == []
    paged: list[str] = []
    cursor = None
    while True:
        params = as_of | {"limit": "1"} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/pipeline", params=params, headers=org.headers).json()
        paged += [i["name"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert paged == names
    for params in (
        {"band": "lukewarm"},
        {"flag": "late"},
        {"as_of": "2026-11-12T10:00:00"},
        {"cursor": "zz"},
    ):
        response = client.get("/api/v1/pipeline", params=params, headers=org.headers)
        assert response.status_code in (400, 422), params


def test_rescore_after_settings_change(
    client: TestClient, org: OrgContext, database_url: str
) -> None:
    candidate = create_candidate(client, org, timezone="UTC", name="Rescore Me")
    post_batch(
        client,
        org,
        [
            event_body(candidate["external_id"], occurred_at="2026-11-02T10:00:00Z"),
            no_show(candidate["external_id"], "2026-11-03T10:00:00Z"),
        ],
    )
    before = state(client, org, candidate["id"], "2026-11-04T10:00:00Z")
    document = client.get("/api/v1/settings/scoring", headers=org.headers).json()
    document["weights"]["missed_meeting"] = 30
    assert (
        client.put("/api/v1/settings/scoring", json=document, headers=org.headers).status_code
        == 200
    )
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from app.cli import main; main()",
            "rescore",
            "--org",
            org.org_id,
            "--as-of",
            "2026-11-04T10:00:00+00:00",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "rescored 1 candidates" in done.stdout
    row = client.get(
        "/api/v1/pipeline", params={"as_of": "2026-11-04T10:00:00Z"}, headers=org.headers
    ).json()["items"][0]
    after = state(client, org, candidate["id"], "2026-11-04T10:00:00Z")
    assert after["settings_version"] == 2
    assert row["score"] == after["score"]
    missed = {b["code"]: b["points"] for b in after["score_breakdown"]}["missed_meeting"]
    assert missed < {b["code"]: b["points"] for b in before["score_breakdown"]}["missed_meeting"]
    assert json.dumps(after["score_breakdown"])  # serialisable, explained
