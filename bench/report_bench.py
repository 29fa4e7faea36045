"""Weekly report benchmark: the whole report in memory against its streamed and paged forms.

`run(engine, org_id)` picks the week of the organisation's latest event, brings stored scores
up to that week's end once (timed separately as `refresh_seconds`: it is the cost of the first
report after the data changed), then times building + rendering the org-wide report as JSON
and as HTML (median of `repeats`), one recruiter's report, and measures the peak Python memory
of an HTML build with tracemalloc.

Then each org-wide form runs alone in a fresh process (`spawn`), so its memory is its own:
the whole JSON built in memory (as before), the JSON-lines and CSV streams
(`export.stream_jsonl` / `stream_csv`, the generators the HTTP response iterates) and a walk
of every cursor page of 500. Per form: seconds to the first and the last byte, bytes, the
process's peak RSS (VmHWM, reset just before the report) and its growth over the RSS before
the report (the interpreter with the app imported), and, in a second process, the
tracemalloc peak. Importing this module does nothing.

    .venv/bin/python -m bench.report_bench --database-url URL --candidates 1000   # smoke
      (seeds a fresh organisation: the database's schema is dropped and re-migrated)
"""

import argparse
import multiprocessing
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.core.db import create_engine_for, create_sessionmaker, transaction
from app.core.ids import utcnow
from app.demo.generator import generate_recruiters, iter_candidates
from app.derivation import rescore as rescoring
from app.events.models import Event
from app.orgs import service as orgs_service
from app.reports import export, render, repository
from app.reports import service as reports_service
from app.reports.schemas import WeeklyReportRead
from app.reports.week import IsoWeek, parse_week, week_of
from bench import ingest
from bench.common import bulk_people, create_org, fresh_engine

STREAMED_FORMS = ("whole_json", "jsonl", "csv", "pages")


def _pick_week(session: Session, org_id: str, timezone: str) -> IsoWeek:
    latest = session.scalar(select(func.max(Event.occurred_at)).where(Event.org_id == org_id))
    now = utcnow()
    if latest is None or latest > now:
        latest = now
    week = week_of(latest, timezone=timezone)
    return week if week.starts_at <= now else week.shifted(-1)


def run(
    engine: Engine, org_id: str, *, week: str | None = None, repeats: int = 3
) -> dict[str, Any]:
    """Time the weekly report for `org_id` and print the figures; return them as a dict."""
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        _, settings = reports_service.resolve_week(session, org_id=org_id, week=None, now=utcnow())
        timezone = settings.document.timezone
        iso = parse_week(week, timezone=timezone) if week else _pick_week(session, org_id, timezone)
        as_of = reports_service.report_as_of(iso, utcnow())
        recruiters = repository.recruiters_with_email(session, org_id)
        one_recruiter = recruiters[0].external_id if recruiters else None

    started = time.perf_counter()
    with transaction(factory) as session:
        refreshed = reports_service.refresh(session, org_id=org_id, as_of=as_of, settings=settings)
    refresh_seconds = time.perf_counter() - started

    def build(recruiter: str | None = None) -> WeeklyReportRead:
        with factory() as session, session.begin():
            return reports_service.build_report(
                session,
                org_id=org_id,
                week=iso,
                settings=settings,
                as_of=as_of,
                recruiter_external_id=recruiter,
                recruiter_name=None,
            )

    def timed(make: Callable[[], str]) -> tuple[float, int]:
        times, size = [], 0
        for _ in range(repeats):
            begin = time.perf_counter()
            size = len(make())
            times.append(time.perf_counter() - begin)
        return statistics.median(times), size

    json_seconds, json_chars = timed(lambda: render.render_json(build()))
    html_seconds, html_chars = timed(lambda: render.render_html(build()))
    csv_seconds, _ = timed(lambda: render.render_csv(build()))
    recruiter_seconds = (
        timed(lambda: render.render_html(build(one_recruiter)))[0] if one_recruiter else None
    )

    tracemalloc.start()
    try:
        report = build()
        render.render_html(report)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    result: dict[str, Any] = {
        "org_id": org_id,
        "week": iso.label,
        "as_of": as_of.isoformat(),
        "dialect": engine.dialect.name,
        "refreshed_candidates": refreshed,
        "refresh_seconds": round(refresh_seconds, 3),
        "json_seconds": round(json_seconds, 3),
        "html_seconds": round(html_seconds, 3),
        "csv_seconds": round(csv_seconds, 3),
        "recruiter_html_seconds": (
            round(recruiter_seconds, 3) if recruiter_seconds is not None else None
        ),
        "json_chars": json_chars,
        "html_chars": html_chars,
        "peak_memory_mb": round(peak / 1024 / 1024, 1),
        "totals": report.totals.model_dump(),
        "target_seconds": 2.0,
        "target_mb": 200,
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    url = engine.url.render_as_string(hide_password=False)
    result["forms"] = {
        form: measure_form(url, org_id, iso.label, as_of, form) for form in STREAMED_FORMS
    }
    _print(result)
    return result


def measure_form(url: str, org_id: str, week: str, as_of: datetime, form: str) -> dict[str, Any]:
    """Run one org-wide form in a fresh process, twice: timed, then under tracemalloc."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        timed = pool.apply(_form_in_process, (url, org_id, week, as_of, form, False))
    with context.Pool(1) as pool:
        traced = pool.apply(_form_in_process, (url, org_id, week, as_of, form, True))
    return {**timed, "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"]}


def _form_in_process(  # noqa: PLR0917 (one picklable call)
    url: str, org_id: str, week: str, as_of: datetime, form: str, trace: bool
) -> dict[str, Any]:
    engine = create_engine_for(url, pool_size=2, max_overflow=0)
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        session.execute(text("SELECT 1"))
        settings = orgs_service.get_current_settings(session, org_id=org_id)
    scope = reports_service.ReportScope(
        org_id=org_id,
        week=parse_week(week, timezone=settings.document.timezone),
        as_of=as_of,
        settings=settings,
    )
    rss_before = _reset_peak_rss()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    first: float | None = None
    size = 0
    for chunk in _chunks(factory, scope, form):
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk.encode())
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    rss_after = _peak_rss()
    engine.dispose()
    return {
        "first_byte_seconds": round(first or seconds, 3),
        "last_byte_seconds": round(seconds, 3),
        "bytes": size,
        "rss_before_mb": round(rss_before / 1024, 1),
        "peak_rss_mb": round(rss_after / 1024, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "tracemalloc_peak_mb": round(peak / 1024 / 1024, 1),
    }


def _peak_rss() -> int:
    """This process's peak resident set in KiB (VmHWM; ru_maxrss survives fork + exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> int:
    """Reset the peak to the current resident set (Linux `clear_refs` 5); return it in KiB."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        pass
    return _peak_rss()


def _chunks(factory: Any, scope: reports_service.ReportScope, form: str) -> Iterator[str]:
    if form == "jsonl":
        yield from export.stream_jsonl(factory, scope)
    elif form == "csv":
        yield from export.stream_csv(factory, scope)
    elif form == "pages":
        position = None
        while True:
            with transaction(factory) as session:
                page = export.page(session, scope, limit=500, position=position)
            yield page.model_dump_json()
            if page.next_cursor is None:
                return
            _, _, position = export.decode_page_cursor(
                page.next_cursor,
                timezone=scope.week.timezone,
                week=None,
                recruiter_external_id=None,
            )
    else:
        with transaction(factory) as session:
            report = reports_service.build_report(
                session,
                org_id=scope.org_id,
                week=scope.week,
                settings=scope.settings,
                as_of=scope.as_of,
                recruiter_external_id=None,
                recruiter_name=None,
            )
        yield render.render_json(report)


def _print(result: dict[str, Any]) -> None:
    print(f"weekly report {result['week']} for org {result['org_id']} ({result['dialect']})")
    print(
        f"  refresh (first report after changes): {result['refresh_seconds']:.3f} s "
        f"for {result['refreshed_candidates']} candidates"
    )
    for key in ("json_seconds", "html_seconds", "csv_seconds", "recruiter_html_seconds"):
        value = result[key]
        if value is not None:
            verdict = "ok" if value < result["target_seconds"] else "OVER TARGET"
            print(f"  {key.removesuffix('_seconds'):>15}: {value:.3f} s  ({verdict})")
    print(f"  peak memory (HTML build): {result['peak_memory_mb']} MB")
    print(f"  sizes: JSON {result['json_chars']:,} chars, HTML {result['html_chars']:,} chars")
    print(f"  totals: {result['totals']}")
    print("  org-wide forms, each in a fresh process (first / last byte, size, memory):")
    for form, f in result["forms"].items():
        verdict = (
            "ok"
            if f["last_byte_seconds"] < result["target_seconds"]
            and f["peak_rss_mb"] < result["target_mb"]
            else "OVER TARGET"
        )
        print(
            f"  {form:>15}: {f['first_byte_seconds']:.3f} / {f['last_byte_seconds']:.3f} s, "
            f"{f['bytes'] / 1e6:.1f} MB out, peak RSS {f['peak_rss_mb']} MB "
            f"(+{f['rss_growth_mb']} MB), tracemalloc peak {f['tracemalloc_peak_mb']} MB "
            f"({verdict})"
        )


def seed(url: str, *, candidates: int, events_per_candidate: float, seed: int = 42) -> str:
    """A fresh database with one generated organisation, loaded and derived; its id."""
    engine = fresh_engine(url)
    end = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    recruiters = generate_recruiters(seed=seed, recruiters=max(5, candidates // 500))
    people = list(
        iter_candidates(
            seed=seed,
            candidates=candidates,
            recruiters=recruiters,
            start=end - timedelta(days=365),
            end=end,
            events_per_candidate=events_per_candidate,
        )
    )
    org_id, _ = create_org(engine, "report-bench")
    bulk_people(engine, org_id, recruiters, [p.body for p in people])
    ingest.load_via_service(url, org_id, [p.events for p in people])
    with engine.connect() as conn:
        ids = list(
            conn.scalars(
                text("SELECT id FROM candidates WHERE org_id = :o ORDER BY id"), {"o": org_id}
            )
        )
    rescoring.rescore(url, {org_id: ids}, when=utcnow(), processes=2, progress=lambda n: None)
    ingest.vacuum_analyze(url)
    engine.dispose()
    return org_id


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report_bench")
    parser.add_argument("--database-url", required=True, help="its schema is dropped")
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--events-per-candidate", type=float, default=50.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--week",
        help="ISO week to report on (default: the latest event's, as_of now); a completed "
        "week (as_of its end, later events stored) is the default report's case",
    )
    args = parser.parse_args(argv)
    org_id = seed(
        args.database_url,
        candidates=args.candidates,
        events_per_candidate=args.events_per_candidate,
    )
    engine = create_engine_for(args.database_url)
    try:
        run(engine, org_id, week=args.week, repeats=args.repeats)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
