"""Benchmarks on PostgreSQL, in one run; prints one JSON object (see bench/RESULTS.md).

    .venv/bin/python -m bench.run                      # full size: 10,000 candidates, ~500k events
    .venv/bin/python -m bench.run --candidates 500 --events-per-candidate 20 --http-events 3000

Steps (ratios are always against a baseline measured in this same run):
  set-up   generate the org; bulk-insert its recruiters and candidates; load all events except
           the HTTP slice through `events_service.record_events` (whole candidates per batch,
           forked workers) — the real ingest code path, minus HTTP
  (a)      the slice (the latest events in time order, 1000 per batch, many candidates per
           batch, as an ATS sync sends them) through POST /api/v1/events/batch on uvicorn
  (b)      the same rows by COPY into `events` (a fresh org) — the ceiling; ratio (a)/(b)
  (d)      GET /candidates/{id} and /timeline for a candidate with 200 events
  pipeline GET /api/v1/pipeline on the 10k org
  (c)      single POST /api/v1/events, 16 concurrent clients, vs a minimal FastAPI app
  rescore  every candidate re-evaluated as `followthrough rescore` does
  scoring  batch ingest with vs without the score refresh (in-process server, patched)
  report   bench/report_bench.py, when present
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

from app.candidates import repository as candidates_repository
from app.core.db import create_sessionmaker, transaction
from app.core.ids import utcnow
from app.core.settings import Settings
from app.demo.generator import (
    GeneratedCandidate,
    generate_org,
    generate_recruiters,
    iter_candidates,
)
from app.main import create_app
from app.orgs import service as orgs_service
from app.scoring import service as scoring_service
from bench import ingest
from bench.common import DEFAULT_URL, bulk_people, create_org, fresh_engine, stopwatch
from bench.profiling import Profile
from bench.servers import SubprocessServer, ThreadServer

TARGETS = {
    "ingest_http_over_copy": 0.25,
    "single_post_over_minimal": 0.30,
    "candidate_get_p95_ms": 25.0,
    "timeline_get_p95_ms": 25.0,
    "pipeline_p95_ms": 50.0,
    "ingest_with_over_without_scoring": 0.70,
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


def rescore_like_cli(engine: Engine, org_id: str, *, as_of: datetime) -> int:
    """What `followthrough rescore --org` does: 500 candidates per transaction."""
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        ids = candidates_repository.all_ids(session, org_id)
    for start in range(0, len(ids), 500):
        with transaction(factory) as session:
            settings = orgs_service.get_current_settings(session, org_id=org_id)
            locked = candidates_repository.lock_many(session, org_id, ids[start : start + 500])
            scoring_service.refresh_scores(
                session, org_id=org_id, candidates=locked, settings=settings, now=as_of
            )
    return len(ids)


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
    parser.add_argument("--scoring-candidates", type=int, default=300)
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
    backfill = [[e for e in c.events if e["external_id"] not in in_slice] for c in candidates]
    backfill_count = sum(len(b) for b in backfill)
    with step(f"set-up: {backfill_count} events through the service layer"):
        seconds = ingest.load_via_service(url, main_org, backfill, workers=args.workers)
    results["setup_service_layer"] = {
        "events": backfill_count,
        "workers": args.workers,
        "seconds": round(seconds, 1),
        "events_per_s": round(backfill_count / seconds, 1) if seconds else None,
        "how": "events_service.record_events in-process, whole candidates per 1000-event "
        "transaction, forked workers on disjoint candidates (not over HTTP)",
    }

    with step("vacuum analyze"):
        ingest.vacuum_analyze(url)
    server = SubprocessServer(
        "app.main:create_app",
        env={"DATABASE_URL": url},
        factory=True,
        ready_path="/readyz",
    )
    try:
        with step(f"(a) HTTP batch ingest of {len(http_slice)} events"):
            profile = Profile(
                server.pid, Path(args.profile_dir) / "a_batch_ingest.txt", args.profile
            )
            results["a_http_batch_ingest"] = ingest.post_batches(
                server.base_url, main_key, http_slice
            )
            results["profile_a_batch_ingest"] = profile.stop()
        results["a_http_batch_ingest"]["slice"] = (
            "the latest events of the org in time order (steady-state sync on top of "
            "existing histories)"
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
            results["d_reads"] = {
                "candidate_events": len(long.events),
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

        with step("(c) single POSTs, 16 clients"):
            bodies = single_bodies(candidates, count=40_000, now=utcnow(), seed=args.seed)
            profile = Profile(
                server.pid, Path(args.profile_dir) / "c_single_post.txt", args.profile
            )
            app_result = ingest.concurrent_posts(
                server.base_url, main_key, bodies, seconds=args.single_seconds
            )
            results["profile_c_single_post"] = profile.stop()
    finally:
        server.stop()
    with (
        step("(c) minimal FastAPI baseline"),
        SubprocessServer(
            "bench.minimal_app:app", env={}, factory=False, ready_path="/docs"
        ) as minimal,
    ):
        minimal_result = ingest.concurrent_posts(
            minimal.base_url, None, bodies, seconds=args.single_seconds
        )
    results["c_single_posts"] = {"app": app_result, "minimal": minimal_result}
    results["ratio_c_single_over_minimal"] = round(
        app_result["requests_per_s"] / minimal_result["requests_per_s"], 4
    )

    with step("rescore (as the CLI)"), stopwatch() as t:
        total_events = count_events(engine, main_org)
        rescored = rescore_like_cli(engine, main_org, as_of=utcnow())
    results["rescore"] = {
        "candidates": rescored,
        "events": total_events,
        "seconds": round(t["seconds"], 1),
        "events_per_s": round(total_events / t["seconds"], 1),
        "candidates_per_s": round(rescored / t["seconds"], 1),
    }

    with step(f"scoring on/off: {args.scoring_candidates} candidates' histories"):
        subset = candidates[: args.scoring_candidates]
        subset_events = sorted(
            (e for c in subset for e in c.events),
            key=lambda e: (_utc(e["occurred_at"]), e["external_id"]),
        )
        settings = Settings(database_url=url, log_level="WARNING")
        app = create_app(settings, engine=engine)
        runs: dict[str, Any] = {}
        with ThreadServer(app) as threaded:
            for mode in ("without_scoring", "with_scoring"):
                org_id, key = create_org(engine, f"bench-{mode}")
                bulk_people(engine, org_id, recruiters, [c.body for c in subset])
                ingest.analyze(url)
                original = scoring_service.refresh_scores
                if mode == "without_scoring":
                    scoring_service.refresh_scores = lambda *a, **k: {}  # type: ignore[assignment]
                try:
                    runs[mode] = ingest.post_batches(threaded.base_url, key, subset_events)
                finally:
                    scoring_service.refresh_scores = original  # type: ignore[method-assign]
        results["scoring_ingest"] = runs
        results["ratio_ingest_with_over_without_scoring"] = round(
            runs["with_scoring"]["events_per_s"] / runs["without_scoring"]["events_per_s"], 4
        )

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
        "ingest_with_over_without_scoring": _check(
            results["ratio_ingest_with_over_without_scoring"],
            ">=",
            "ingest_with_over_without_scoring",
        ),
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
