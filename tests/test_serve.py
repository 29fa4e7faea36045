"""The product as an operator runs it: `followthrough demo load` and `serve` as processes."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.core.db import create_engine_for

# Real processes on a real database file.
pytestmark = pytest.mark.database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_demo_load_then_serve(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
        "DEMO_SCENARIOS_DIR": str(tmp_path / "no-such-folder"),
        "LOG_LEVEL": "INFO",
    }
    assert cli("db", "upgrade", env=env).returncode == 0
    loaded = cli("demo", "load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    key = next(line.split()[-1] for line in loaded.stdout.splitlines() if "API key" in line)
    assert "sign in as admin@demo.example.com" in loaded.stdout
    again = cli("demo", "load", env=env)
    assert "already present" in again.stdout

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("server did not become ready")
        pipeline = httpx.get(
            f"{base}/api/v1/pipeline",
            params={"limit": 500},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        ).json()
        bands = {item["band"] for item in pipeline["items"]}
        assert {"engaged", "not_that_into_you"} <= bands
        assert any(item["flags"] for item in pipeline["items"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    # SIGTERM drains and runs the lifespan shutdown (uvicorn then re-raises the signal).
    assert server.stdout is not None
    output = server.stdout.read().decode()
    assert "Finished server process" in output, output[-2000:]
    assert '"event": "shutdown"' in output


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path}/pragmas.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def _server_processes(pid: int) -> int:
    """How many processes serve requests: uvicorn's spawned workers, else the process itself."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    return len(workers) or 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_serve_runs_one_process_per_cpu_on_postgresql(
    backend: str, database_url: str, engine: object, tmp_path: Path
) -> None:
    if backend == "postgresql":
        if not database_url.startswith("postgresql"):
            pytest.skip("needs TEST_DATABASE_URL on PostgreSQL")
        url, expected = database_url, os.cpu_count() or 1
    else:
        url, expected = f"sqlite:///{tmp_path}/one.db", 1
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    port = free_port()
    args = ["serve", "--port", str(port), *(["--no-migrate"] if backend == "postgresql" else [])]
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("server did not become ready")
        # Every worker is up once each has answered; count them, not the first to answer.
        deadline = time.monotonic() + 30
        while _server_processes(server.pid) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _server_processes(server.pid) == expected
    finally:
        server.terminate()
        server.wait(timeout=30)
