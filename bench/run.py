"""Benchmarks on PostgreSQL, in one run; prints one JSON object (see bench/RESULTS.md).

    .venv/bin/python -m bench.run   # full size: 10,000 candidates, ~500k events
    .venv/bin/python -m bench.run --candidates 300   # a smoke run (a few minutes)
    .venv/bin/python -m bench.run --only single   # one step (set-up as needed)
    .venv/bin/python -m bench.run --skip lag,report --step-limit backfill=3600

Steps, in order (ratios are always against a baseline measured in this same run):
  copy      every event of the organisation by COPY into `events` (an empty table, a fresh
            org; the rows are deleted afterwards) — the ceiling for `backfill`
  backfill  the same events in time order through POST /api/v1/events/batch (1000 per
            request, --clients connections) on `serve`'s shape (one uvicorn process per
            CPU), `followthrough worker` processes deriving meanwhile: acknowledged events/s,
            then the time until no candidate is dirty; events/s and minutes end to end
  reads     GET /candidates/{id} and /timeline: a candidate with 200 events, and random ones
  pipeline  GET /api/v1/pipeline on the whole org (page, band filter, recruiter filter)
  single    single POST /api/v1/events with wrk -t2 -c16 (the same Lua script) against the
            app and a minimal FastAPI app parsing the same body, one uvicorn process each
  lag       derivation lag (age of the oldest dirty mark) while one client posts batches of
            100 events at --lag-rate events/s, with 1 and with 2 worker processes
  rescore   every candidate rebuilt as `followthrough rescore` does (processes = CPUs)
  report    bench/report_bench.py on the whole org

Every step has a time limit (--step-limit NAME=SECONDS); a step that runs out, or fails, is
recorded as such and the run goes on. If the backfill did not post everything (skipped, out
of time), the rest of the organisation is loaded through the service layer and derived
before the steps that read it (not measured). `bench/last_run.json` is rewritten after each
step, with the machine's load average sampled during each one.
"""

import argparse
import inspect
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from sqlalchemy import Engine, text

from app.core.ids import utcnow
from app.demo.generator import (
    GeneratedCandidate,
    generate_org,
    generate_recruiters,
    iter_candidates,
)
from app.derivation import rescore as rescoring
from bench import ingest
from bench.common import DEFAULT_URL, bulk_people, create_org, fresh_engine, percentiles
from bench.profiling import Profile
from bench.servers import SubprocessServer, cpu_seconds
from bench.workers import Workers, lag_under_load, pending, wait_until_derived
from bench.wrk import run_wrk, wrk_available

STEP_NAMES = ("copy", "backfill", "reads", "pipeline", "single", "lag", "rescore", "report")
# Seconds; generous for the full size on a quiet 2-core machine (see RESULTS.md).
STEP_LIMITS = {
    "copy": 900,
    "backfill": 5400,
    "reads": 900,
    "pipeline": 900,
    "single": 600,
    "lag": 2400,
    "rescore": 2400,
    "report": 1800,
}
NEEDS_EVENTS = {"reads", "pipeline", "lag", "rescore", "report"}
TARGETS = {
    "ingest_http_over_copy": 0.25,
    "single_post_over_minimal": 0.30,
    "candidate_get_p95_ms": 25.0,
    "timeline_get_p95_ms": 25.0,
    "pipeline_p95_ms": 50.0,
    "rescore_seconds": 10.0,
    "lag_p95_s": 5.0,
    "report_seconds": 2.0,
    "report_peak_mb": 200.0,
}
# Benchmark clients send far more than the default 1200 requests a minute per key; the
# limiter still counts every request (its cost is measured), it just never refuses one.
SERVER_ENV = {"RATE_LIMIT_API_KEY": "100000000 per minute", "LOG_LEVEL": "WARNING"}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class StepTimeout(Exception):
    """A step ran past its time limit (raised by SIGALRM in the main thread)."""


class LoadSampler:
    """The 1-minute load average every `every` seconds, for per-step summaries."""

    def __init__(self, every: float = 2.0) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._every = every
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self.samples.append((time.perf_counter(), os.getloadavg()[0]))
            if self._stop.wait(self._every):
                return

    def between(self, start: float, end: float) -> dict[str, float]:
        values = [v for t, v in self.samples if start <= t <= end] or [os.getloadavg()[0]]
        return {
            "min": round(min(values), 2),
            "mean": round(sum(values) / len(values), 2),
            "max": round(max(values), 2),
        }

    def stop(self) -> None:
        self._stop.set()


@dataclass
class Bench:
    """What the steps share: options, database, the generated org and the results so far."""

    args: argparse.Namespace
    url: str
    engine: Engine
    load: LoadSampler
    results: dict[str, Any]
    candidates: list[GeneratedCandidate] = field(default_factory=list)
    recruiters: list[dict[str, Any]] = field(default_factory=list)
    in_time_order: list[dict[str, Any]] = field(default_factory=list)
    start: datetime = field(default_factory=utcnow)
    end: datetime = field(default_factory=utcnow)
    org_id: str = ""
    api_key: str = ""
    unposted: list[dict[str, Any]] | None = None  # None: the backfill did not run
    server: SubprocessServer | None = None

    def save(self) -> None:
        if self.args.json_out:
            output = json.dumps(self.results, indent=2, default=str)
            Path(self.args.json_out).write_text(output + "\n")

    def app_server(self) -> SubprocessServer:
        """The app as `serve` runs it on PostgreSQL (one process per CPU), started once."""
        if self.server is None:
            self.server = SubprocessServer(
                "app.main:create_app",
                env={"DATABASE_URL": self.url, **SERVER_ENV},
                factory=True,
                ready_path="/readyz",
                processes=self.args.server_processes,
            )
        return self.server

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


# --- running steps --------------------------------------------------------------------------


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise StepTimeout(f"over its limit of {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_step(bench: Bench, name: str, action: Callable[[Bench], None]) -> None:
    """Run one step within its time limit; record duration, load, and how it ended."""
    limit = bench.args.limits[name]
    log(f"{name} … (limit {limit:.0f} s)")
    started = time.perf_counter()
    outcome = "done"
    try:
        with time_limit(limit):
            action(bench)
    except StepTimeout as exc:
        outcome = f"timed out ({exc})"
    except Exception as exc:
        outcome = f"failed: {exc!r}"
        traceback.print_exc(file=sys.stderr)
    seconds = time.perf_counter() - started
    load = bench.load.between(started, time.perf_counter())
    bench.results["steps"].append(
        {"step": name, "outcome": outcome, "seconds": round(seconds, 1), "loadavg_1m": load}
    )
    log(f"{name} {outcome} in {seconds:.1f} s (load mean {load['mean']}, max {load['max']})")
    bench.save()


# --- set-up --------------------------------------------------------------------------------


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def generate(bench: Bench) -> None:
    args = bench.args
    bench.end = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    bench.start = bench.end - timedelta(days=365)
    started = time.perf_counter()
    bench.recruiters = generate_recruiters(
        seed=args.seed, recruiters=max(5, args.candidates // 500)
    )
    bench.candidates = list(
        iter_candidates(
            seed=args.seed,
            candidates=args.candidates,
            recruiters=bench.recruiters,
            start=bench.start,
            end=bench.end,
            events_per_candidate=args.events_per_candidate,
        )
    )
    every = [e for c in bench.candidates for e in c.events]
    bench.in_time_order = sorted(every, key=lambda e: (_utc(e["occurred_at"]), e["external_id"]))
    bench.results["org"] = {
        "candidates": len(bench.candidates),
        "recruiters": len(bench.recruiters),
        "events": len(every),
        "window": [bench.start.isoformat(), bench.end.isoformat()],
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    log(f"generated {len(bench.candidates)} candidates, {len(every)} events")


def load_the_rest(bench: Bench) -> None:
    """Store what the backfill did not (service layer, several processes), then derive it."""
    rest = bench.in_time_order if bench.unposted is None else bench.unposted
    if not rest:
        return
    log(f"loading {len(rest)} events through the service layer (set-up, not measured) …")
    by_candidate: dict[str, list[dict[str, Any]]] = {}
    for event in rest:
        by_candidate.setdefault(event["candidate_external_id"], []).append(event)
    started = time.perf_counter()
    ingest.load_via_service(bench.url, bench.org_id, list(by_candidate.values()), workers=2)
    bench.unposted = []
    log(f"loaded in {time.perf_counter() - started:.1f} s; deriving every candidate …")
    rescore_org(bench, processes=os.cpu_count() or 1)
    ingest.vacuum_analyze(bench.url)


def candidate_ids(bench: Bench) -> list[str]:
    with bench.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id FROM candidates WHERE org_id = :o ORDER BY id"), {"o": bench.org_id}
        )
        return [r[0] for r in rows]


def rescore_org(bench: Bench, *, processes: int) -> dict[str, Any]:
    """Rebuild every candidate of the org as `followthrough rescore` does (the same chunks and
    the same per-chunk function, spread over `processes`), with progress and a clean stop."""
    work = {bench.org_id: candidate_ids(bench)}
    total, done, next_report = sum(len(v) for v in work.values()), 0, 0.0
    when = utcnow()
    started = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=processes)
    try:
        futures = [
            pool.submit(rescoring.rescore_chunk, bench.url, org_id, ids, when)
            for org_id, ids in rescoring.chunks(work)
        ]
        for future in as_completed(futures):
            done += future.result()
            if done / total >= next_report:
                log(f"  rescored {done}/{total} in {time.perf_counter() - started:.1f} s")
                next_report += 0.1
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return {"candidates": done, "seconds": time.perf_counter() - started}


# --- steps ---------------------------------------------------------------------------------


def step_copy(bench: Bench) -> None:
    """COPY every event into an empty `events` table (a fresh org), then remove the rows."""
    ingest.vacuum_analyze(bench.url)
    copy_org, _ = create_org(bench.engine, "bench-copy")
    copy_ids = bulk_people(
        bench.engine, copy_org, bench.recruiters, [c.body for c in bench.candidates]
    )
    ingest.analyze(bench.url)
    bench.results["copy"] = {
        **ingest.copy_events(bench.url, copy_org, copy_ids, bench.in_time_order),
        "how": "the same event bodies in the same order, one COPY on one connection, commit",
    }
    log(f"  COPY: {bench.results['copy']['events_per_s']} rows/s; removing the copy …")
    with bench.engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE org_id = :o"), {"o": copy_org})
    ingest.vacuum_analyze(bench.url)


def _progress(
    bench: Bench, backfill: ingest.Backfill, started: float, stop: threading.Event
) -> None:
    while not stop.wait(bench.args.progress_every):
        elapsed = time.perf_counter() - started
        dirty, oldest = pending(bench.url, bench.org_id)
        log(
            f"  backfill: {backfill.acked_events}/{len(bench.in_time_order)} acknowledged, "
            f"{backfill.acked_events / elapsed:.0f} events/s; {dirty} dirty candidates "
            f"(oldest {oldest:.0f} s)"
        )


def step_backfill(bench: Bench) -> None:
    """The whole org through the HTTP batch API, workers deriving meanwhile; then catch-up."""
    args = bench.args
    bench.unposted = list(bench.in_time_order)
    server = bench.app_server()
    backfill = ingest.Backfill(
        server.base_url, bench.api_key, bench.in_time_order, clients=args.clients
    )
    profile = Profile(
        server.pid, Path(args.profile_dir) / "backfill.txt", args.profile, subprocesses=True
    )
    started = time.perf_counter()
    stop_progress = threading.Event()
    reporter = threading.Thread(
        target=_progress, args=(bench, backfill, started, stop_progress), daemon=True
    )
    reporter.start()
    figures: dict[str, Any] = {
        "server_processes": server.processes,
        "derive_workers": args.backfill_workers,
        "how": "every event of the org in time order (a year of history), 1000 per POST "
        "/api/v1/events/batch from --clients connections taking batches off one queue; "
        "`followthrough worker` processes derive meanwhile; done when no candidate is dirty",
    }
    bench.results["backfill"] = figures
    try:
        with Workers(bench.url, args.backfill_workers), ingest.analyzing(bench.url):
            try:
                figures.update(backfill.run())
            finally:
                bench.unposted = backfill.unacknowledged()
                if bench.unposted:
                    figures.update(backfill.figures(time.perf_counter() - started))
                    figures["incomplete"] = True
            bench.results["profile_backfill"] = profile.stop()
            posted = figures["seconds"]
            log(f"  all acknowledged in {posted:.1f} s; waiting for derivation …")
            catch_up = wait_until_derived(bench.url, bench.org_id, timeout=args.limits["backfill"])
    finally:
        stop_progress.set()
    total = posted + catch_up
    figures.update(
        derived_after_last_ack_s=round(catch_up, 1),
        end_to_end_s=round(total, 1),
        end_to_end_min=round(total / 60, 2),
        end_to_end_events_per_s=round(figures["events"] / total, 1),
    )
    ingest.vacuum_analyze(bench.url)


def step_reads(bench: Bench) -> None:
    server = bench.app_server()
    with httpx.Client(base_url=server.base_url, headers=bench.headers(), timeout=120) as client:
        long = generate_org(
            seed=bench.args.seed + 1, candidates=1, events_per_candidate=200.0,
            start=bench.start, end=bench.end, prefix=f"long-{time.time_ns()}-",
        )  # fmt: skip
        client.post("/api/v1/recruiters", json=long.recruiters[0]).raise_for_status()
        made = client.post("/api/v1/candidates", json=long.candidates[0])
        made.raise_for_status()
        long_id = made.json()["id"]
        client.post("/api/v1/events/batch", json={"events": long.events}).raise_for_status()
        sent = time.perf_counter()
        client.get(f"/api/v1/candidates/{long_id}").raise_for_status()
        first_read_ms = (time.perf_counter() - sent) * 1000
        ids = candidate_ids(bench)
        random_ids = random.Random(bench.args.seed).choices(ids, k=300)
        bench.results["reads"] = {
            "org_candidates": len(ids),
            "candidate_events": len(long.events),
            "first_read_after_write_ms": round(first_read_ms, 1),
            "candidate_get": ingest.timed_gets(client, f"/api/v1/candidates/{long_id}", n=300),
            "timeline_get": ingest.timed_gets(
                client, f"/api/v1/candidates/{long_id}/timeline", n=300
            ),
            "random_candidate_get": _timed_each(client, "/api/v1/candidates/{}", random_ids),
            "random_timeline_get": _timed_each(
                client, "/api/v1/candidates/{}/timeline", random_ids
            ),
        }


def _timed_each(client: httpx.Client, template: str, ids: list[str]) -> dict[str, Any]:
    samples: list[float] = []
    for candidate_id in ids:
        sent = time.perf_counter()
        client.get(template.format(candidate_id)).raise_for_status()
        samples.append((time.perf_counter() - sent) * 1000)
    return percentiles(samples)


def step_pipeline(bench: Bench) -> None:
    server = bench.app_server()
    with httpx.Client(base_url=server.base_url, headers=bench.headers(), timeout=300) as client:
        first = time.perf_counter()
        client.get("/api/v1/pipeline").raise_for_status()
        first_ms = (time.perf_counter() - first) * 1000
        recruiter = bench.recruiters[0]["external_id"]
        bench.results["pipeline"] = {
            "org_candidates": len(bench.candidates),
            "first_call_ms": round(first_ms, 1),
            "default_page": ingest.timed_gets(client, "/api/v1/pipeline", n=200),
            "band_filter": ingest.timed_gets(
                client, "/api/v1/pipeline?band=not_that_into_you", n=100
            ),
            "recruiter_filter": ingest.timed_gets(
                client, f"/api/v1/pipeline?recruiter_external_id={recruiter}", n=100
            ),
        }


def single_bodies(
    candidates: list[GeneratedCandidate], *, count: int, now: datetime, seed: int
) -> list[dict[str, Any]]:
    """Unique single events for random candidates: outreach, replies and calls, just now."""
    rng = random.Random(f"single/{seed}")
    texts = (
        "Thanks for the update! Thursday morning works for me.",
        "Sorry for the slow reply, it has been a crazy week. I'm still very interested.",
        "Hi, just checking in on next steps. I'll send the references by Friday.",
    )
    bodies: list[dict[str, Any]] = []
    for n in range(count):
        candidate = candidates[rng.randrange(len(candidates))].body
        at = (now - timedelta(minutes=rng.randint(1, 600))).isoformat(timespec="seconds")
        kind = rng.random()
        body: dict[str, Any] = {
            "external_id": f"single-{seed}-{time.time_ns()}-{n}",
            "candidate_external_id": candidate["external_id"],
            "channel": "email",
            "type": "message",
            "occurred_at": at,
        }
        if kind < 0.45:
            body.update(direction="inbound", body=rng.choice(texts))
        elif kind < 0.85:
            body.update(
                direction="outbound",
                recruiter_external_id=candidate["recruiter_external_id"],
                body="Hi, could we find a time to talk about next steps this week?",
            )
        else:
            body.update(
                direction="outbound", channel="phone", type="call", outcome="voicemail",
                recruiter_external_id=candidate["recruiter_external_id"],
            )  # fmt: skip
        bodies.append(body)
    return bodies


def single_posts(bench: Bench, base_url: str, api_key: str | None, run_id: str) -> dict[str, Any]:
    """Single POSTs with wrk when installed (else the async httpx client), same for both."""
    ids = [c.body["external_id"] for c in bench.candidates[:500]]
    if wrk_available():
        return run_wrk(
            base_url,
            api_key,
            ids,
            occurred_at=utcnow().replace(microsecond=0).isoformat(),
            run_id=f"{run_id}-{bench.args.seed}-{time.time_ns()}",
            seconds=bench.args.single_seconds,
        )
    bodies = single_bodies(bench.candidates, count=40_000, now=utcnow(), seed=bench.args.seed)
    return ingest.concurrent_posts(base_url, api_key, bodies, seconds=bench.args.single_seconds)


def _with_cpu(server: SubprocessServer, load: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `load` and add the server's CPU time per request (less sensitive to the machine's
    load than requests/s; PostgreSQL's own CPU is not in it)."""
    before = cpu_seconds(server.pid)
    result = load()
    used = cpu_seconds(server.pid) - before
    requests = result.get("requests") or 0
    result["server_cpu_s"] = round(used, 2)
    result["server_cpu_ms_per_request"] = round(1000 * used / requests, 3) if requests else None
    return result


def step_single(bench: Bench) -> None:
    """One uvicorn process each, the same load generator and the same request bodies."""
    args = bench.args
    with SubprocessServer(
        "app.main:create_app",
        env={"DATABASE_URL": bench.url, **SERVER_ENV},
        factory=True,
        ready_path="/readyz",
    ) as server:
        profile = Profile(server.pid, Path(args.profile_dir) / "single_post.txt", args.profile)
        app_result = _with_cpu(
            server, lambda: single_posts(bench, server.base_url, bench.api_key, "app")
        )
        bench.results["profile_single_post"] = profile.stop()
    with SubprocessServer(
        "bench.minimal_app:app", env={}, factory=False, ready_path="/docs"
    ) as minimal:
        minimal_result = _with_cpu(
            minimal, lambda: single_posts(bench, minimal.base_url, None, "minimal")
        )
    bench.results["single_posts"] = {
        "app": app_result,
        "minimal": minimal_result,
        "ratio": round(app_result["ok_per_s"] / minimal_result["ok_per_s"], 4),
    }
    log(
        f"  single POST: app {app_result['ok_per_s']} / minimal {minimal_result['ok_per_s']} "
        f"req/s = {bench.results['single_posts']['ratio']}"
    )


def step_lag(bench: Bench) -> None:
    args = bench.args
    server = bench.app_server()
    bench.results["lag"] = {
        "how": f"one client posts batches of 100 new events (random candidates; outreach, "
        f"replies, calls) at {args.lag_rate:g} events/s for {args.lag_seconds:g} s while the "
        "workers derive (they first clear what earlier steps left); lag = age of the oldest "
        "dirty mark, sampled every 0.5 s; then the time until none is left",
        "server_processes": server.processes,
    }
    for workers in args.lag_workers:
        bodies = single_bodies(
            bench.candidates,
            count=int(args.lag_rate * args.lag_seconds),
            now=utcnow(),
            seed=7 + workers,
        )
        log(f"  lag with {workers} worker(s), {len(bodies)} events …")
        with Workers(bench.url, workers):
            wait_until_derived(bench.url, bench.org_id)
            result = lag_under_load(
                bench.url,
                bench.org_id,
                lambda b=bodies: ingest.post_paced(
                    server.base_url, bench.api_key, b, rate=args.lag_rate
                ),
            )
        bench.results["lag"][f"workers_{workers}"] = result
        log(f"  lag with {workers} worker(s): {result['lag_s']}")
        bench.save()


def step_rescore(bench: Bench) -> None:
    processes = os.cpu_count() or 1
    with bench.engine.connect() as conn:
        events = conn.execute(
            text("SELECT count(*) FROM events WHERE org_id = :o"), {"o": bench.org_id}
        ).scalar_one()
    done = rescore_org(bench, processes=processes)
    seconds = done["seconds"]
    bench.results["rescore"] = {
        "candidates": done["candidates"],
        "events": events,
        "processes": processes,
        "seconds": round(seconds, 1),
        "events_per_s": round(events / seconds, 1),
        "candidates_per_s": round(done["candidates"] / seconds, 1),
    }


def step_report(bench: Bench) -> None:
    from bench.report_bench import run as run_report_bench

    # One repetition: each org-wide build takes seconds to tens of seconds at full size.
    kwargs = {"repeats": 1} if "repeats" in inspect.signature(run_report_bench).parameters else {}
    with redirect_stdout(sys.stderr):
        bench.results["report"] = run_report_bench(bench.engine, bench.org_id, **kwargs)


STEPS: dict[str, Callable[[Bench], None]] = {
    "copy": step_copy,
    "backfill": step_backfill,
    "reads": step_reads,
    "pipeline": step_pipeline,
    "single": step_single,
    "lag": step_lag,
    "rescore": step_rescore,
    "report": step_report,
}


# --- the run -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=doc.split("\n")[0],
        epilog=doc[doc.index("Steps") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--events-per-candidate", type=float, default=50.0)
    parser.add_argument("--clients", type=int, default=4, help="backfill connections")
    parser.add_argument(
        "--server-processes", type=int, default=os.cpu_count() or 1,
        help="uvicorn processes for every step but `single` (default: CPUs, as `serve`)",
    )  # fmt: skip
    parser.add_argument("--backfill-workers", type=int, default=1)
    parser.add_argument("--lag-workers", default="1,2", help="worker counts for `lag`")
    parser.add_argument("--lag-rate", type=float, default=200.0, help="events/s offered")
    parser.add_argument("--lag-seconds", type=float, default=60.0, help="per worker count")
    parser.add_argument("--single-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", default="", help=f"comma-separated steps of {STEP_NAMES}")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out")
    parser.add_argument(
        "--step-limit", action="append", default=[], metavar="STEP=SECONDS",
        help=f"override a step's time limit (defaults: {STEP_LIMITS})",
    )  # fmt: skip
    parser.add_argument("--progress-every", type=float, default=15.0, help="seconds")
    parser.add_argument(
        "--profile", action="store_true",
        help="attach py-spy (if installed) to the server during backfill and single",
    )  # fmt: skip
    parser.add_argument("--profile-dir", default="/tmp", help="where py-spy writes raw profiles")
    parser.add_argument("--json-out", default=str(Path(__file__).with_name("last_run.json")))
    args = parser.parse_args(argv)

    def names(value: str) -> list[str]:
        chosen = [n.strip() for n in value.split(",") if n.strip()]
        unknown = set(chosen) - set(STEP_NAMES)
        if unknown:
            parser.error(f"unknown steps {sorted(unknown)}; steps are {STEP_NAMES}")
        return chosen

    only, skip = names(args.only), names(args.skip)
    args.steps = [n for n in STEP_NAMES if (not only or n in only) and n not in skip]
    args.limits = dict(STEP_LIMITS)
    for override in args.step_limit:
        name, _, seconds = override.partition("=")
        if name not in STEP_LIMITS or not seconds.replace(".", "", 1).isdigit():
            parser.error(f"--step-limit wants STEP=SECONDS, got {override!r}")
        args.limits[name] = float(seconds)
    args.lag_workers = [int(n) for n in args.lag_workers.split(",") if n.strip()]
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    url: str = args.database_url
    results: dict[str, Any] = {
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started_at": utcnow().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_at_start": [round(v, 2) for v in os.getloadavg()],
        },
        "code": _code_version(),
        "steps": [],
    }
    started_all = time.perf_counter()
    engine = fresh_engine(url)
    with engine.connect() as conn:
        results["machine"]["postgres"] = conn.execute(text("SHOW server_version")).scalar()
        results["machine"]["autovacuum"] = conn.execute(text("SHOW autovacuum")).scalar()
    bench = Bench(args=args, url=url, engine=engine, load=LoadSampler(), results=results)
    log(f"steps: {', '.join(args.steps)}")
    try:
        generate(bench)
        bench.org_id, bench.api_key = create_org(engine, "bench-main")
        bulk_people(engine, bench.org_id, bench.recruiters, [c.body for c in bench.candidates])
        ingest.analyze(url)
        for name in args.steps:
            if name in NEEDS_EVENTS and bench.unposted != []:
                load_the_rest(bench)
            run_step(bench, name, STEPS[name])
    finally:
        if bench.server is not None:
            bench.server.stop()
        bench.load.stop()
    results["targets"] = targets(results)
    results["total_seconds"] = round(time.perf_counter() - started_all, 1)
    engine.dispose()
    print(json.dumps(results, indent=2, default=str))
    bench.save()
    return results


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each issue-12 target with the figure measured this run (those that ran)."""

    def get(*path: str) -> Any:
        value: Any = results
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    backfill, copy = get("backfill", "events_per_s"), get("copy", "events_per_s")
    lag = [
        v["lag_s"]["p95_s"]
        for k, v in (get("lag") or {}).items()
        if k.startswith("workers_") and v.get("lag_s")
    ]
    report = get("report")
    # The slowest org-wide form (JSON, HTML, CSV, streamed ones); not the per-recruiter mail.
    not_forms = {"refresh_seconds", "target_seconds", "recruiter_html_seconds"}
    report_seconds = (
        max(v for k, v in report.items() if k.endswith("_seconds") and isinstance(v, float)
            and k not in not_forms)
        if isinstance(report, dict) else None
    )  # fmt: skip
    figures = {
        "ingest_http_over_copy": (
            round(backfill / copy, 4) if backfill and copy and not get("backfill", "incomplete")
            else None, ">=",
        ),
        "single_post_over_minimal": (get("single_posts", "ratio"), ">="),
        "candidate_get_p95_ms": (get("reads", "candidate_get", "p95_ms"), "<"),
        "timeline_get_p95_ms": (get("reads", "timeline_get", "p95_ms"), "<"),
        "pipeline_p95_ms": (get("pipeline", "default_page", "p95_ms"), "<"),
        "rescore_seconds": (get("rescore", "seconds"), "<"),
        "lag_p95_s": (min(lag) if lag else None, "<"),
        "report_seconds": (report_seconds, "<"),
        "report_peak_mb": (get("report", "peak_memory_mb"), "<"),
    }  # fmt: skip
    out: dict[str, Any] = {}
    for name, (value, op) in figures.items():
        if value is None:
            out[name] = {"value": None, "target": f"{op} {TARGETS[name]}", "met": None}
            continue
        met = value >= TARGETS[name] if op == ">=" else value < TARGETS[name]
        out[name] = {"value": value, "target": f"{op} {TARGETS[name]}", "met": met}
    return out


def _code_version() -> dict[str, Any]:
    """The commit measured, and whether app/ had uncommitted changes (a shared tree)."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "app_dirty": bool(git("status", "--porcelain", "app")),
    }


if __name__ == "__main__":
    main()
