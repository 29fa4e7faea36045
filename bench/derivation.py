"""Incremental derivation vs a full rebuild, for events appended to existing histories.

Two organisations get the same generated candidates and the same history (all but each
candidate's last few events), both derived once. Then, round after round, both receive the
same next events of every candidate (in time order, as an ATS sync sends them) and are
derived: one the usual way (`derive_dirty`: the marks say where the new events start, closed
exchanges before it keep their stored business time), the other by a full rebuild
(`rederive`, what every derivation did before). Printed: appended events derived per second
both ways and their ratio, with the machine's load.

    python -m bench.derivation                       # SQLite in a temporary directory
    python -m bench.derivation --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x

No timing is asserted anywhere; the figures are for bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.candidates.models import Candidate
from app.core import migrate
from app.core.db import create_engine_for, create_sessionmaker, transaction
from app.demo.generator import generate_recruiters, iter_candidates
from app.derivation import flows
from app.events import repository as events_repository
from app.events import service as events_service
from app.events.domain import compute_history
from app.orgs import service as orgs_service
from bench.common import bulk_people, create_org, fresh_engine

END = datetime(2026, 11, 20, 12, tzinfo=UTC)
BATCH = flows.DEFAULT_BATCH


def _engine(url: str | None, tmp: str) -> Engine:
    if url is None:
        engine = create_engine_for(f"sqlite:///{tmp}/derivation.db")
        migrate.upgrade(engine)
        return engine
    return fresh_engine(url)


def _store(factory: sessionmaker[Session], org_id: str, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 1000):
        with transaction(factory) as session:
            flows.record_events(
                session,
                org_id=org_id,
                items=events_service.parse_items(events[start : start + 1000]),
                now=END,
            )


def _derive_incrementally(
    factory: sessionmaker[Session], org_id: str, report: flows.DerivationReport
) -> tuple[float, float]:
    """Wall and CPU (this process) seconds of deriving the org's dirty candidates."""
    started, cpu = time.perf_counter(), time.process_time()
    while True:
        with transaction(factory) as session:
            if not flows.derive_dirty(session, org_id=org_id, limit=BATCH, now=END, report=report):
                break
    return time.perf_counter() - started, time.process_time() - cpu


def _rebuild(factory: sessionmaker[Session], org_id: str, ids: list[str]) -> tuple[float, float]:
    """Wall and CPU (this process) seconds of rebuilding the org's candidates."""
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(ids), BATCH):
        with transaction(factory) as session:
            flows.rederive(
                session, org_id=org_id, candidate_ids=ids[start : start + BATCH], now=END
            )
    return time.perf_counter() - started, time.process_time() - cpu


def _history_only(
    factory: sessionmaker[Session], org_id: str, ids: list[str], repeat: int = 3
) -> dict[str, float]:
    """CPU seconds of `compute_history` alone for the org's candidates: from scratch, and
    keeping the stored closed exchanges (as an append after the last event would)."""
    with factory() as session:
        settings = orgs_service.get_current_settings(session, org_id=org_id)
        facts = events_repository.facts_for_candidates(session, org_id, ids)
        stored = events_repository.exchange_rows_for_candidates(session, org_id, ids)
        stmt = select(Candidate.id, Candidate.timezone).where(Candidate.id.in_(ids))
        zones = {row.id: row.timezone for row in session.execute(stmt)}
    calendars = {cid: settings.document.calendar(zones[cid]) for cid in ids}
    settled = {cid: flows.settled_exchanges(stored.get(cid, []), END) for cid in ids}
    out: dict[str, float] = {}
    for way in ("rebuild", "incremental"):
        cpu = time.process_time()
        for _ in range(repeat):
            for cid in ids:
                keep = settled[cid] if way == "incremental" else []
                compute_history(facts.get(cid, []), calendars[cid], END, settled=keep)
        out[way] = round(time.process_time() - cpu, 3)
    return out


def _by_time(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(events, key=lambda e: (e["occurred_at"], e["external_id"]))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.derivation", description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--events-per-candidate", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--appended", type=int, default=2, help="events per candidate a round")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(args.database_url, tmp)
        factory = create_sessionmaker(engine)
        recruiters = generate_recruiters(seed=args.seed, recruiters=5)
        generated = list(
            iter_candidates(
                seed=args.seed,
                candidates=args.candidates,
                recruiters=recruiters,
                start=END - timedelta(days=365),
                end=END - timedelta(hours=1),
                events_per_candidate=args.events_per_candidate,
            )
        )
        held = args.rounds * args.appended
        histories = [_by_time(c.events) for c in generated]
        orgs: dict[str, tuple[str, list[str]]] = {}
        for way in ("incremental", "rebuild"):
            org_id, _ = create_org(engine, f"bench-derivation-{way}")
            ids = bulk_people(engine, org_id, recruiters, [c.body for c in generated])
            orgs[way] = (org_id, sorted(ids.values()))
            _store(factory, org_id, _by_time([e for h in histories for e in h[:-held]]))
            with transaction(factory) as session:
                flows.mark_dirty(session, org_id=org_id, candidate_ids=orgs[way][1], now=END)
            while True:
                with transaction(factory) as session:
                    if not flows.derive_dirty(session, org_id=org_id, limit=BATCH, now=END):
                        break

        load_before = os.getloadavg()
        seconds = {"incremental": 0.0, "rebuild": 0.0}
        cpu = {"incremental": 0.0, "rebuild": 0.0}
        appended = 0
        report = flows.DerivationReport()
        for round_ in range(args.rounds):
            # Every candidate's next `appended` events, all sent in time order.
            batch = _by_time(
                [
                    e
                    for h in histories
                    for e in h[len(h) - held + round_ * args.appended :][: args.appended]
                ]
            )
            appended += len(batch)
            for way in ("incremental", "rebuild"):
                _store(factory, orgs[way][0], batch)
            # Alternate who goes first, so a burst of load weighs on both.
            ways = ["incremental", "rebuild"] if round_ % 2 == 0 else ["rebuild", "incremental"]
            for way in ways:
                org_id, ids = orgs[way]
                if way == "incremental":
                    wall, used = _derive_incrementally(factory, org_id, report)
                else:
                    wall, used = _rebuild(factory, org_id, ids)
                seconds[way] += wall
                cpu[way] += used
        load_after = os.getloadavg()
        history_cpu = _history_only(factory, *orgs["incremental"])

    history_events = sum(len(h) for h in histories)
    result = {
        "database": engine.dialect.name,
        "candidates": args.candidates,
        "events_per_candidate": round(history_events / max(1, args.candidates), 1),
        "rounds": args.rounds,
        "appended_events": appended,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "appended_events_per_s": {k: round(appended / v, 1) for k, v in seconds.items()},
        "candidates_derived_per_s": {
            k: round(args.candidates * args.rounds / v, 1) for k, v in seconds.items()
        },
        "ratio_incremental_to_rebuild": round(seconds["rebuild"] / seconds["incremental"], 2),
        "cpu_seconds_this_process": {k: round(v, 2) for k, v in cpu.items()},
        "cpu_ratio_incremental_to_rebuild": round(cpu["rebuild"] / cpu["incremental"], 2),
        "incremental_report": vars(report),
        "compute_history_cpu_seconds_x3": history_cpu,
        "load_average_1m": [round(load_before[0], 2), round(load_after[0], 2)],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
