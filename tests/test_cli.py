"""The `followthrough` command, run as a real process against a real database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Real processes on a real database file.
pytestmark = pytest.mark.database


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    result = run_cli("db", "upgrade", database_url=url)
    assert result.returncode == 0, result.stderr
    return url


def test_org_create_json_and_key_management(cli_db: str) -> None:
    created = run_cli("org", "create", "Acme Recruiting", "--json", database_url=cli_db)
    assert created.returncode == 0, created.stderr
    payload = json.loads(created.stdout)
    assert set(payload) == {"org_id", "api_key"}
    assert payload["api_key"].startswith("ft_")

    key = run_cli(
        "apikey",
        "create",
        "--org",
        "Acme Recruiting",
        "--scope",
        "read",
        "--json",
        database_url=cli_db,
    )
    assert key.returncode == 0, key.stderr
    key_id = json.loads(key.stdout)["id"]
    listed = run_cli("apikey", "list", "--org", payload["org_id"], database_url=cli_db)
    assert key_id in listed.stdout and "active" in listed.stdout
    assert payload["api_key"] not in listed.stdout
    revoked = run_cli("apikey", "revoke", key_id, "--org", payload["org_id"], database_url=cli_db)
    assert revoked.returncode == 0
    assert "revoked" in run_cli("apikey", "list", database_url=cli_db).stdout

    bad_scope = run_cli("apikey", "create", "--scope", "root", database_url=cli_db)
    assert bad_scope.returncode != 0
    assert "Traceback" not in bad_scope.stderr


def test_rescore_runs_over_every_org(cli_db: str) -> None:
    run_cli("org", "create", "One", database_url=cli_db)
    result = run_cli("rescore", "--org", "One", database_url=cli_db)
    assert result.returncode == 0, result.stderr
    assert "rescored 0 candidates" in result.stdout
