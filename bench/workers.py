"""Derivation workers for the benchmarks (`followthrough worker` processes) and lag probes."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from bench.common import percentiles, psycopg_dsn
from bench.servers import ROOT


class Workers:
    """`count` `followthrough worker` processes on the database, stopped on exit."""

    def __init__(self, url: str, count: int) -> None:
        self.processes = [
            subprocess.Popen(
                [str(Path(sys.executable).with_name("followthrough")), "worker"],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(count)
        ]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()


def pending(url: str, org_id: str) -> tuple[int, float]:
    """(dirty candidates, seconds the oldest has waited) of an organisation."""
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(marked_at)), 0) "
            "FROM dirty_candidates WHERE org_id = %s",
            (org_id,),
        ).fetchone()
    assert row is not None
    return int(row[0]), float(row[1])


def wait_until_derived(url: str, org_id: str, *, timeout: float = 3600.0) -> float:
    """Seconds until no candidate of the organisation waits for derivation."""
    started = time.perf_counter()
    while pending(url, org_id)[0] and time.perf_counter() - started < timeout:
        time.sleep(0.5)
    if pending(url, org_id)[0]:
        raise RuntimeError("derivation did not catch up")
    return time.perf_counter() - started


def lag_under_load(url: str, org_id: str, load: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `load` while sampling derivation lag twice a second; lag figures in seconds."""
    samples: list[float] = []
    backlog: list[int] = []
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            count, lag = pending(url, org_id)
            samples.append(lag * 1000)
            backlog.append(count)
            stop.wait(0.5)

    thread = threading.Thread(target=probe)
    thread.start()
    try:
        loaded = load()
    finally:
        stop.set()
        thread.join()
    after = wait_until_derived(url, org_id)
    lag = percentiles(samples)
    return {
        "load": loaded,
        "lag_s": {k.replace("_ms", "_s"): round(v / 1000, 2) for k, v in lag.items() if k != "n"},
        "max_backlog_candidates": max(backlog, default=0),
        "catch_up_after_load_s": round(after, 1),
    }
