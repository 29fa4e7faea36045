"""Health, readiness, metrics, request ids, and problem responses for unknown routes."""

from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, event_body


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_metrics_count_requests_and_ingested_events(client: TestClient, org: OrgContext) -> None:
    candidate = create_candidate(client, org)
    client.post("/api/v1/events", json=event_body(candidate["external_id"]), headers=org.headers)
    text = client.get("/metrics").text
    assert "followthrough_http_requests_total" in text
    assert 'route="/api/v1/events"' in text
    assert "followthrough_events_ingested_total" in text
    assert "followthrough_http_request_duration_seconds_bucket" in text


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_unknown_route_and_method_are_problems(client: TestClient, org: OrgContext) -> None:
    missing = client.get("/api/v1/nothing-here", headers=org.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    wrong = client.patch("/api/v1/events", headers=org.headers)
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405
