"""Weekly report benchmark: JSON and HTML generation time and peak memory for one organisation.

`run(engine, org_id)` picks the week of the organisation's latest event, brings stored scores
up to that week's end once (timed separately as `refresh_seconds`: it is the cost of the first
report after the data changed), then times building + rendering the org-wide report as JSON
and as HTML (median of `repeats`), one recruiter's report, and measures the peak Python memory
of an HTML build with tracemalloc. Importing this module does nothing.
"""

import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.core.db import create_sessionmaker, transaction
from app.core.ids import utcnow
from app.events.models import Event
from app.reports import render, repository
from app.reports import service as reports_service
from app.reports.schemas import WeeklyReportRead
from app.reports.week import IsoWeek, parse_week, week_of


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
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    _print(result)
    return result


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
