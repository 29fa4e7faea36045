"""Run uvicorn for the benchmarks: in a subprocess (the real deployment shape) or a thread.

Both use the same settings: uvloop, httptools, no access log; one process unless asked.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
UVICORN_FLAGS = [
    "--loop", "uvloop", "--http", "httptools", "--no-access-log",
    "--timeout-graceful-shutdown", "5",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(base_url: str, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + path, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {base_url} did not become ready")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class SubprocessServer:
    """`python -m uvicorn <target>` on 127.0.0.1 in its own process."""

    def __init__(
        self,
        target: str,
        *,
        env: dict[str, str],
        factory: bool,
        ready_path: str,
        processes: int = 1,
    ):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes = processes
        args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--workers", str(processes), *UVICORN_FLAGS]
        if factory:
            args.append("--factory")
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(self.base_url, ready_path)
        except BaseException:  # not ready, or the step's time ran out: leave no server behind
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "SubprocessServer":
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()


class ThreadServer:
    """uvicorn serving an app object in a thread of this process (so patches apply)."""

    def __init__(self, app: Any, *, ready_path: str = "/healthz"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            workers=1,
            loop="uvloop",
            http="httptools",
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_ready(self.base_url, ready_path)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def __enter__(self) -> "ThreadServer":
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()
