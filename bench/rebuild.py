"""Full rebuild of candidates' derived state (`flows.rederive`), timed and profiled.

    .venv/bin/python -m bench.rebuild --database-url sqlite:////tmp/rebuild.db --candidates 500
    .venv/bin/python -m bench.rebuild --database-url postgresql+psycopg://…/db --reuse --profile
    .venv/bin/python -m bench.rebuild --database-url … --reuse --processes 2   # as the CLI

Loads `--candidates` demo candidates (`app/demo/generator.py`) into a fresh database through
the service layer (not measured), then rebuilds every one of them in chunks of
`rescore.CHUNK`, one transaction per chunk, in this one process, as one `followthrough
rescore` process does (`rescore_chunk`; `--plain`: `flows.rederive` alone, as a derivation
worker does). Prints candidates/s and events/s, this process's CPU seconds (less sensitive
to a loaded machine than wall time), the PostgreSQL backends' CPU seconds, time in the
garbage collector and the machine's load; `--profile` adds a cProfile of the first rebuild.
`--reuse` skips the load and rebuilds what the database holds (the first rebuild after a
load is a first derivation; later ones find little or nothing changed).

Equivalence check between two versions of the code: load once, copy the SQLite file, run
each version with the same `--now` (and `--perturb`: new settings, dismissed flags) and
`--dump FILE`, then compare the files (derived rows, minus server-made ids and clocks).
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text

from app.core import migrate
from app.core.db import create_engine_for, create_sessionmaker, transaction
from app.core.ids import utcnow
from app.demo.generator import generate_recruiters, iter_candidates
from app.derivation import flows
from app.derivation import rescore as rescoring
from app.events import service as events_service
from app.orgs import service as orgs_service
from app.scoring.models import Flag
from bench.common import bulk_people, chunks, create_org, fresh_engine


def _fresh(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        if os.path.exists(path):
            os.remove(path)
        engine = create_engine_for(url)
        migrate.upgrade(engine)
        return engine
    return fresh_engine(url)


def load(engine: Engine, *, candidates: int, events_per_candidate: float, seed: int) -> str:
    """A fresh organisation with generated candidates and their events; return its id."""
    end = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    start = end - timedelta(days=365)
    recruiters = generate_recruiters(seed=seed, recruiters=max(5, candidates // 500))
    generated = list(
        iter_candidates(
            seed=seed,
            candidates=candidates,
            recruiters=recruiters,
            start=start,
            end=end,
            events_per_candidate=events_per_candidate,
        )
    )
    org_id, _ = create_org(engine, "bench-rebuild")
    bulk_people(engine, org_id, recruiters, [c.body for c in generated])
    factory = create_sessionmaker(engine)
    for group in chunks(generated, 40):
        with transaction(factory) as session:
            items = events_service.parse_items([e for c in group for e in c.events])
            flows.record_events(session, org_id=org_id, items=items)
    return org_id


DUMPED = ("candidates", "exchanges", "candidate_scores", "flags", "score_changes",
          "webhook_messages", "dirty_candidates")  # fmt: skip
# Server-made ids and wall-clock stamps differ between two otherwise identical rebuilds.
UNCOMPARED = {"id", "computed_at", "created_at", "updated_at"}


def dump(engine: Engine, path: str) -> None:
    """Write every derived row (sorted, minus ids and wall-clock stamps) as text lines."""
    with engine.connect() as conn, open(path, "w") as out:
        for table in DUMPED:
            result = conn.execute(text(f"SELECT * FROM {table}"))
            columns = list(result.keys())
            keep = [n for n, k in enumerate(columns) if k not in UNCOMPARED]
            names = [columns[n] for n in keep]
            out.write(f"# {table} {names}\n")
            lines = sorted(repr(tuple(row[n] for n in keep)) for row in result)
            out.writelines(line + "\n" for line in lines)


def perturb(engine: Engine, org_id: str) -> None:
    """Change what a rebuild must rewrite: tighter thresholds (new summaries, new and
    cleared flags) and every fifth active flag dismissed (by key, so two copies of a
    database are perturbed alike)."""
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        current = orgs_service.get_current_settings(session, org_id=org_id)
        document = current.document.model_copy(deep=True)
        document.thresholds.slow_reply_business_hours = 12
        document.thresholds.no_callback_business_hours = 6
        document.thresholds.ghosting_attempts = 2
        orgs_service.replace_settings(session, org_id=org_id, document=document)
        flags = session.scalars(
            select(Flag).where(Flag.org_id == org_id, Flag.active.is_(True)).order_by(Flag.key)
        ).all()
        for flag in flags[::5]:
            flag.status, flag.status_reason = "dismissed", "bench"


def work(engine: Engine) -> tuple[str, list[str], int]:
    with engine.connect() as conn:
        org_id = conn.execute(
            text("SELECT id FROM organisations ORDER BY created_at LIMIT 1")
        ).scalar_one()
        ids = list(
            conn.execute(
                text("SELECT id FROM candidates WHERE org_id = :o ORDER BY id"), {"o": org_id}
            ).scalars()
        )
        events = conn.execute(
            text("SELECT count(*) FROM events WHERE org_id = :o"), {"o": org_id}
        ).scalar_one()
    return org_id, ids, int(events)


def rebuild(
    engine: Engine,
    org_id: str,
    ids: list[str],
    when: datetime | None = None,
    *,
    plain: bool = False,
) -> tuple[float, float]:
    """Rebuild `ids` chunk by chunk as one rescore process does (`rescore_chunk`), or with
    `flows.rederive` alone (`plain`: as a derivation worker does, no garbage collector
    tuning); return (wall seconds, this process's CPU seconds)."""
    factory = create_sessionmaker(engine)
    url = engine.url.render_as_string(hide_password=False)
    when = when or utcnow()
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(ids), rescoring.CHUNK):
        chunk = ids[start : start + rescoring.CHUNK]
        if plain:
            with transaction(factory) as session:
                flows.rederive(session, org_id=org_id, candidate_ids=chunk, now=when)
        else:
            rescoring.rescore_chunk(url, org_id, chunk, when)
    return time.perf_counter() - started, time.process_time() - cpu


def _gc_clock() -> list[float]:
    """Seconds spent in the cyclic garbage collector from now on, in a one-item list."""
    total = [0.0]
    started = [0.0]

    def callback(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            total[0] += time.perf_counter() - started[0]

    gc.callbacks.append(callback)
    return total


def _server_cpu(engine: Engine) -> float:
    """CPU seconds used so far by the PostgreSQL backends of this database (0 on SQLite)."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue  # not on this machine, or gone
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def timed_run(
    engine: Engine,
    args: argparse.Namespace,
    *,
    org_id: str,
    ids: list[str],
    events: int,
    when: datetime | None,
    first: bool,
) -> dict[str, Any]:
    gc_seconds = _gc_clock()
    load_before = os.getloadavg()[0]
    server_before = _server_cpu(engine)
    profiler = cProfile.Profile() if args.profile and first else None
    if profiler:
        profiler.enable()
    if args.processes:
        started, cpu_before = time.perf_counter(), time.process_time()
        rescoring.rescore(
            args.database_url, {org_id: ids}, when=when or utcnow(), processes=args.processes,
            progress=lambda n: None,
        )  # fmt: skip
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    else:
        seconds, cpu = rebuild(engine, org_id, ids, when, plain=args.plain)
    if profiler:
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue(), file=sys.stderr)
    gc.callbacks.pop()
    run = {
        "database": engine.dialect.name,
        "processes": args.processes or ("in-process, plain" if args.plain else "in-process"),
        "candidates": len(ids),
        "events": events,
        "seconds": round(seconds, 2),
        "candidates_per_s": round(len(ids) / seconds, 1),
        "events_per_s": round(events / seconds, 1),
        "cpu_seconds": round(cpu, 2),
        "events_per_cpu_s": round(events / cpu, 1) if not args.processes else None,
        "server_cpu_seconds": round(_server_cpu(engine) - server_before, 2),
        "gc_seconds": round(gc_seconds[0], 2),
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "profiled": profiler is not None,
    }
    print(run)
    return run


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild")
    parser.add_argument("--database-url", default="sqlite:////tmp/bench_rebuild.db")
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--events-per-candidate", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reuse", action="store_true", help="rebuild what the database holds")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rebuilds in a row (the first after a load is a first derivation)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the (first) rebuild")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--now", help="rebuild as of this ISO instant (default: the clock)")
    parser.add_argument("--dump", help="after the rebuilds, write the derived rows to this file")
    parser.add_argument(
        "--processes", type=int, default=0,
        help="rebuild through rescore.rescore with this many processes (wall time only)",
    )  # fmt: skip
    parser.add_argument("--perturb", action="store_true", help="change settings and flags first")
    parser.add_argument("--no-warm-up", action="store_true")
    parser.add_argument(
        "--plain", action="store_true",
        help="flows.rederive per chunk, as a derivation worker (default: rescore_chunk)",
    )  # fmt: skip
    parser.add_argument(
        "--gc", choices=["default", "freeze", "off"], default="freeze",
        help="freeze: as rescore processes do (default); default: as other processes",
    )  # fmt: skip
    args = parser.parse_args(argv)
    url: str = args.database_url
    if args.reuse:
        engine = create_engine_for(url)
    else:
        engine = _fresh(url)
        started = time.perf_counter()
        load(
            engine,
            candidates=args.candidates,
            events_per_candidate=args.events_per_candidate,
            seed=args.seed,
        )
        print(f"loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not url.startswith("sqlite"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    org_id, ids, events = work(engine)
    if args.perturb:
        perturb(engine, org_id)
    # Warm-up (mapper configuration, statement caches): the first few candidates, not timed.
    when = datetime.fromisoformat(args.now) if args.now else None
    if not args.no_warm_up:
        rebuild(engine, org_id, ids[:5], when)
    if args.gc == "freeze":
        gc.freeze()
    elif args.gc == "off":
        gc.disable()
    runs = [
        timed_run(engine, args, org_id=org_id, ids=ids, events=events, when=when, first=n == 0)
        for n in range(args.repeat)
    ]
    if args.dump:
        dump(engine, args.dump)
    engine.dispose()
    return {"runs": runs}


if __name__ == "__main__":
    main()
