"""openapi/openapi.json is generated from the code; regenerate with `make openapi`."""

import json
from pathlib import Path

from app.openapi_dump import generate

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_openapi_file_matches_the_code() -> None:
    stored = json.loads(OPENAPI_FILE.read_text())
    assert stored == generate(), "openapi/openapi.json is stale: run `make openapi`"


def test_contract_paths_are_present() -> None:
    paths = generate()["paths"]
    for path in (
        "/api/v1/recruiters",
        "/api/v1/candidates",
        "/api/v1/candidates/{candidate_id}",
        "/api/v1/candidates/{candidate_id}/timeline",
        "/api/v1/candidates/{candidate_id}/flags",
        "/api/v1/candidates/{candidate_id}/score-history",
        "/api/v1/events",
        "/api/v1/events/batch",
        "/api/v1/flags/{flag_id}/dismiss",
        "/api/v1/flags/{flag_id}/acknowledge",
        "/api/v1/pipeline",
        "/api/v1/settings/scoring",
    ):
        assert path in paths, path
