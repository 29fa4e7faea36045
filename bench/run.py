"""Benchmarks on PostgreSQL, in one run; prints one JSON object (see bench/RESULTS.md).

    .venv/bin/python -m bench.run                      # full size: 10,000 candidates, ~500k events
    .venv/bin/python -m bench.run --candidates 500 --events-per-candidate 20 --http-events 3000

Steps (ratios are always against a baseline measured in this same run):
  backfill every event but the (a) slice, in time order, through POST /api/v1/events/batch
           (1000 per request) with `followthrough worker` processes deriving meanwhile:
           acknowledged events/s, and end to end until no candidate waits for derivation
  (a)      the slice (the latest events in time order, 1000 per batch, many candidates per
           batch, as an ATS sync sends them) through POST /api/v1/events/batch on uvicorn,
           no worker running (the write path alone); then the workers' catch-up time
  (b)      the same rows by COPY into `events` (a fresh org) — the ceiling; ratio (a)/(b)
  (d)      GET /candidates/{id} and /timeline for a candidate with 200 events
  pipeline GET /api/v1/pipeline on the whole org
  (c)      single POST /api/v1/events with wrk -t2 -c16 (the same Lua script) against the app
           and a minimal FastAPI app parsing the same body
  (e)      derivation lag while batches of 100 events arrive back to back
  rescore  every candidate rebuilt as `followthrough rescore` does (processes = CPUs)
  report   bench/report_bench.py
"""

import argparse
import inspect
import json
import os
import platform
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
from bench.common import DEFAULT_URL, bulk_people, create_org, fresh_engine, stopwatch
from bench.profiling import Profile
from bench.servers import SubprocessServer
from bench.workers import Workers, lag_under_load, wait_until_derived
from bench.wrk import run_wrk, wrk_available

TARGETS = {
    "ingest_http_over_copy": 0.25,
    "single_post_over_minimal": 0.30,
    "candidate_get_p95_ms": 25.0,
    "timeline_get_p95_ms": 25.0,
    "pipeline_p95_ms": 50.0,
    "rescore_seconds": 10.0,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


STEPS: list[dict[str, Any]] = []


@contextmanager
def step(name: str) -> Iterator[None]:
    """Log a step with its duration and the machine's load (other work skews figures)."""
    log(f"{name} …")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    STEPS.append(
        {"step": name, "seconds": round(seconds, 1), "loadavg_1m": [load_before, load_after]}
    )
    log(f"{name} done in {seconds:.1f}s (load {load_before:.1f} → {load_after:.1f})")


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


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
            "external_id": f"single-{seed}-{n}",
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


def single_posts(
    base_url: str,
    api_key: str | None,
    *,
    candidate_ids: list[str],
    moment: str,
    args: argparse.Namespace,
    candidates: list[GeneratedCandidate],
    run_id: str,
) -> dict[str, Any]:
    """Single POSTs with wrk when installed (else the async httpx client), same for both."""
    if wrk_available():
        return run_wrk(
            base_url,
            api_key,
            candidate_ids,
            occurred_at=moment,
            run_id=f"{run_id}-{args.seed}-{time.time_ns()}",
            seconds=args.single_seconds,
        )
    bodies = single_bodies(candidates, count=40_000, now=utcnow(), seed=args.seed)
    return ingest.concurrent_posts(base_url, api_key, bodies, seconds=args.single_seconds)


def count_events(engine: Engine, org_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM events WHERE org_id = :o"), {"o": org_id}
            ).scalar_one()
        )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--events-per-candidate", type=float, default=50.0)
    parser.add_argument(
        "--http-events", type=int, default=20_000,
        help="size of the slice posted over HTTP for (a); 0 = every event",
    )  # fmt: skip
    parser.add_argument("--derive-workers", type=int, default=1)
    parser.add_argument("--lag-events", type=int, default=10_000)
    parser.add_argument("--single-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="loader processes for set-up")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--profile", action="store_true",
        help="attach py-spy (if installed) to the server during (a) and (c)",
    )  # fmt: skip
    parser.add_argument("--profile-dir", default="/tmp", help="where py-spy writes raw profiles")
    parser.add_argument("--json-out", default=str(Path(__file__).with_name("last_run.json")))
    args = parser.parse_args(argv)
    url: str = args.database_url
    results: dict[str, Any] = {
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    results["code"] = _code_version()
    started_all = time.perf_counter()

    with step("database"):
        engine = fresh_engine(url)
        with engine.connect() as conn:
            results["machine"]["postgres"] = conn.execute(text("SHOW server_version")).scalar()
            results["machine"]["autovacuum"] = conn.execute(text("SHOW autovacuum")).scalar()

    end = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    start = end - timedelta(days=365)
    with step("generate"), stopwatch() as t:
        recruiters = generate_recruiters(seed=args.seed, recruiters=max(5, args.candidates // 500))
        candidates = list(
            iter_candidates(
                seed=args.seed,
                candidates=args.candidates,
                recruiters=recruiters,
                start=start,
                end=end,
                events_per_candidate=args.events_per_candidate,
            )
        )
        every = [e for c in candidates for e in c.events]
        in_time_order = sorted(every, key=lambda e: (_utc(e["occurred_at"]), e["external_id"]))
    http_slice = in_time_order[-args.http_events :] if args.http_events else in_time_order
    in_slice = {e["external_id"] for e in http_slice}
    results["org"] = {
        "candidates": len(candidates),
        "recruiters": len(recruiters),
        "events": len(every),
        "window": [start.isoformat(), end.isoformat()],
        "generate_seconds": round(t["seconds"], 1),
    }

    main_org, main_key = create_org(engine, "bench-main")
    bulk_people(engine, main_org, recruiters, [c.body for c in candidates])
    ingest.analyze(url)
    backfill = [e for e in in_time_order if e["external_id"] not in in_slice]
    server = SubprocessServer(
        "app.main:create_app",
        env={"DATABASE_URL": url},
        factory=True,
        ready_path="/readyz",
    )
    try:
        with (
            step(f"backfill: {len(backfill)} events over HTTP, {args.derive_workers} worker(s)"),
            Workers(url, args.derive_workers),
            ingest.analyzing(url),
        ):
            posted = ingest.post_batches(server.base_url, main_key, backfill)
            catch_up = wait_until_derived(url, main_org)
        results["backfill_http"] = {
            **posted,
            "derive_workers": args.derive_workers,
            "derived_after_last_ack_s": round(catch_up, 1),
            "end_to_end_s": round(posted["seconds"] + catch_up, 1),
            "end_to_end_min": round((posted["seconds"] + catch_up) / 60, 2),
            "end_to_end_events_per_s": round(len(backfill) / (posted["seconds"] + catch_up), 1),
            "how": "every event but the (a) slice, in time order (a year of history), 1000 per "
            "POST /api/v1/events/batch, one client, one uvicorn process; `followthrough "
            "worker` processes derive meanwhile; done when no candidate is dirty",
        }

        with step("vacuum analyze"):
            ingest.vacuum_analyze(url)
        with step(f"(a) HTTP batch ingest of {len(http_slice)} events"):
            profile = Profile(
                server.pid, Path(args.profile_dir) / "a_batch_ingest.txt", args.profile
            )
            results["a_http_batch_ingest"] = ingest.post_batches(
                server.base_url, main_key, http_slice
            )
            results["profile_a_batch_ingest"] = profile.stop()
        with step("(a) derivation catch-up"), Workers(url, args.derive_workers):
            results["a_http_batch_ingest"]["derived_after_last_ack_s"] = round(
                wait_until_derived(url, main_org), 1
            )
        results["a_http_batch_ingest"]["slice"] = (
            "the latest events of the org in time order (steady-state sync on top of "
            "existing histories); no worker runs while they are posted"
            if args.http_events
            else "every event"
        )

        with step("(b) COPY of the same rows"):
            copy_org, _ = create_org(engine, "bench-copy")
            copy_ids = bulk_people(engine, copy_org, recruiters, [c.body for c in candidates])
            ingest.analyze(url)
            results["b_copy"] = ingest.copy_events(url, copy_org, copy_ids, http_slice)
        results["ratio_a_over_b"] = round(
            results["a_http_batch_ingest"]["events_per_s"] / results["b_copy"]["events_per_s"], 4
        )

        headers = {"Authorization": f"Bearer {main_key}"}
        with (
            step("(d) candidate and timeline GETs"),
            httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client,
        ):
            long = generate_org(
                seed=args.seed + 1, candidates=1, events_per_candidate=200.0,
                start=start, end=end, prefix="long-",
            )  # fmt: skip
            client.post("/api/v1/recruiters", json=long.recruiters[0]).raise_for_status()
            long_candidate = client.post("/api/v1/candidates", json=long.candidates[0])
            long_candidate.raise_for_status()
            candidate_id = long_candidate.json()["id"]
            client.post("/api/v1/events/batch", json={"events": long.events}).raise_for_status()
            sent = time.perf_counter()
            client.get(f"/api/v1/candidates/{candidate_id}").raise_for_status()
            first_read_ms = (time.perf_counter() - sent) * 1000
            results["d_reads"] = {
                "candidate_events": len(long.events),
                "first_read_after_write_ms": round(first_read_ms, 1),
                "candidate_get": ingest.timed_gets(
                    client, f"/api/v1/candidates/{candidate_id}", n=300
                ),
                "timeline_get": ingest.timed_gets(
                    client, f"/api/v1/candidates/{candidate_id}/timeline", n=300
                ),
            }

        with (
            step("pipeline GETs"),
            httpx.Client(base_url=server.base_url, headers=headers, timeout=300) as client,
        ):
            first = time.perf_counter()
            client.get("/api/v1/pipeline").raise_for_status()
            first_ms = (time.perf_counter() - first) * 1000
            results["pipeline"] = {
                "org_candidates": len(candidates),
                "first_call_ms": round(first_ms, 1),
                "default_page": ingest.timed_gets(client, "/api/v1/pipeline", n=200),
                "band_filter": ingest.timed_gets(
                    client, "/api/v1/pipeline?band=not_that_into_you", n=100
                ),
                "recruiter_filter": ingest.timed_gets(
                    client,
                    f"/api/v1/pipeline?recruiter_external_id={recruiters[0]['external_id']}",
                    n=100,
                ),
            }

        ids = [c.body["external_id"] for c in candidates[:500]]
        moment = utcnow().replace(microsecond=0).isoformat()
        with step("(c) single POSTs, 16 connections"):
            profile = Profile(
                server.pid, Path(args.profile_dir) / "c_single_post.txt", args.profile
            )
            app_result = single_posts(
                server.base_url,
                main_key,
                candidate_ids=ids,
                moment=moment,
                args=args,
                candidates=candidates,
                run_id="app",
            )
            results["profile_c_single_post"] = profile.stop()

        with step(f"(e) derivation lag under sustained load, {args.derive_workers} worker(s)"):
            bodies = single_bodies(candidates, count=args.lag_events, now=utcnow(), seed=7)
            with Workers(url, args.derive_workers):
                results["e_lag_under_load"] = lag_under_load(
                    url,
                    main_org,
                    lambda: ingest.post_batches(server.base_url, main_key, bodies, batch_size=100),
                )
            results["e_lag_under_load"]["how"] = (
                "one client posts batches of 100 new events (random candidates) back to back "
                "while workers derive; lag = age of the oldest dirty mark, sampled every 0.5 s"
            )
    finally:
        server.stop()
    with (
        step("(c) minimal FastAPI baseline"),
        SubprocessServer(
            "bench.minimal_app:app", env={}, factory=False, ready_path="/docs"
        ) as minimal,
    ):
        minimal_result = single_posts(
            minimal.base_url,
            None,
            candidate_ids=ids,
            moment=moment,
            args=args,
            candidates=candidates,
            run_id="minimal",
        )
    results["c_single_posts"] = {"app": app_result, "minimal": minimal_result}
    results["ratio_c_single_over_minimal"] = round(
        app_result["requests_per_s"] / minimal_result["requests_per_s"], 4
    )

    processes = os.cpu_count() or 1
    with step(f"rescore (as the CLI, {processes} processes)"), stopwatch() as t:
        total_events = count_events(engine, main_org)
        with engine.connect() as conn:
            all_ids = [
                r[0]
                for r in conn.execute(
                    text("SELECT id FROM candidates WHERE org_id = :o ORDER BY id"),
                    {"o": main_org},
                )
            ]
        rescored = rescoring.rescore(
            url, {main_org: all_ids}, when=utcnow(), processes=processes, progress=lambda n: None
        )
    results["rescore"] = {
        "candidates": rescored,
        "events": total_events,
        "processes": processes,
        "seconds": round(t["seconds"], 1),
        "events_per_s": round(total_events / t["seconds"], 1),
        "candidates_per_s": round(rescored / t["seconds"], 1),
    }

    try:
        from bench.report_bench import run as run_report_bench  # type: ignore[import-not-found]
    except ModuleNotFoundError as exc:
        if exc.name != "bench.report_bench":
            raise
        results["report"] = None
    else:
        # One repetition: each org-wide build takes tens of seconds at this size.
        kwargs = (
            {"repeats": 1} if "repeats" in inspect.signature(run_report_bench).parameters else {}
        )
        with step("report bench"), redirect_stdout(sys.stderr):
            results["report"] = run_report_bench(engine, main_org, **kwargs)

    results["targets"] = {
        "ingest_http_over_copy": _check(results["ratio_a_over_b"], ">=", "ingest_http_over_copy"),
        "single_post_over_minimal": _check(
            results["ratio_c_single_over_minimal"], ">=", "single_post_over_minimal"
        ),
        "candidate_get_p95_ms": _check(
            results["d_reads"]["candidate_get"]["p95_ms"], "<", "candidate_get_p95_ms"
        ),
        "timeline_get_p95_ms": _check(
            results["d_reads"]["timeline_get"]["p95_ms"], "<", "timeline_get_p95_ms"
        ),
        "pipeline_p95_ms": _check(
            results["pipeline"]["default_page"]["p95_ms"], "<", "pipeline_p95_ms"
        ),
        "rescore_seconds": _check(results["rescore"]["seconds"], "<", "rescore_seconds"),
    }
    results["steps"] = STEPS
    results["total_seconds"] = round(time.perf_counter() - started_all, 1)
    engine.dispose()
    output = json.dumps(results, indent=2, default=str)
    print(output)
    if args.json_out:
        Path(args.json_out).write_text(output + "\n")
    return results


def _code_version() -> dict[str, Any]:
    """The commit measured, and whether app/ had uncommitted changes (a shared tree)."""
    import subprocess

    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "app_dirty": bool(git("status", "--porcelain", "app")),
    }


def _check(value: float, op: str, name: str) -> dict[str, Any]:
    target = TARGETS[name]
    met = value >= target if op == ">=" else value < target
    return {"value": value, "target": f"{op} {target}", "met": met}


if __name__ == "__main__":
    main()
