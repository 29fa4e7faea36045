"""Render a weekly report as JSON, CSV (one row per flagged candidate), email-safe HTML or text.

The HTML uses tables and inline styles only (no scripts, no remote images, no SVG), so it
survives common email clients; the latency chart is a table of bars.
"""

import csv
import io
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.reports.schemas import FlaggedCandidateRead, WeeklyReportRead
from app.scoring.labels import BAND_LABELS, signal_label

TEMPLATES = Path(__file__).parent / "templates"
HTML_ROW_LIMIT = 50

BAND_COLOURS = {
    "engaged": "#1a7f37",
    "cooling": "#9a6700",
    "not_that_into_you": "#c62828",
    "unknown": "#57606a",
    "declined": "#6639ba",
}
SEVERITY_COLOURS = {"high": "#c62828", "medium": "#9a6700", "low": "#57606a"}

CSV_COLUMNS = (
    "category",
    "candidate_id",
    "external_id",
    "name",
    "recruiter_external_id",
    "job",
    "stage",
    "score",
    "band",
    "flags",
    "top_reason_code",
    "top_reason_severity",
    "top_reason",
    "raised_at",
    "evidence_dates",
    "next_action",
    "next_action_due_at",
)


def render_json(report: WeeklyReportRead) -> str:
    return report.model_dump_json(indent=2)


def _iso(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def csv_row(item: FlaggedCandidateRead | Mapping[str, Any]) -> dict[str, Any]:
    """One flagged candidate (a model, or the plain dict of a streamed row) as a CSV row, the
    top reason spelled out."""
    if isinstance(item, FlaggedCandidateRead):
        item = item.model_dump()
    flags = item["flags"]
    top = flags[0] if flags else None
    return {
        "category": item["category"],
        "candidate_id": item["candidate_id"],
        "external_id": item["external_id"],
        "name": item["name"] or "",
        "recruiter_external_id": item["recruiter_external_id"] or "",
        "job": item["job"] or "",
        "stage": item["stage"] or "",
        "score": "" if item["score"] is None else item["score"],
        "band": item["band"],
        "flags": ";".join(f["code"] for f in flags),
        "top_reason_code": top["code"] if top else "",
        "top_reason_severity": top["severity"] if top else "",
        "top_reason": top["summary"] if top else "",
        "raised_at": _iso(top["raised_at"]) if top else "",
        "evidence_dates": ";".join(_iso(d) for d in top["evidence_dates"]) if top else "",
        "next_action": item["next_action"] or "",
        "next_action_due_at": _iso(item["next_action_due_at"]),
    }


def csv_rows(report: WeeklyReportRead) -> list[dict[str, Any]]:
    """One row per flagged candidate (newly flagged first)."""
    return [csv_row(item) for item in [*report.newly_flagged, *report.still_flagged]]


def csv_writer(buffer: io.StringIO) -> "csv.DictWriter[str]":
    return csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")


def write_csv_row(
    writer: "csv.DictWriter[str]", item: FlaggedCandidateRead | Mapping[str, Any]
) -> None:
    writer.writerow({k: _csv_safe(v) for k, v in csv_row(item).items()})


def render_csv(report: WeeklyReportRead) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writeheader()
    for item in [*report.newly_flagged, *report.still_flagged]:
        write_csv_row(writer, item)
    return buffer.getvalue()


def _csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@lru_cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["flag_label"] = signal_label
    env.filters["band_label"] = lambda band: BAND_LABELS.get(band, band)
    env.filters["band_colour"] = lambda band: BAND_COLOURS.get(band, "#57606a")
    env.filters["severity_colour"] = lambda sev: SEVERITY_COLOURS.get(sev, "#57606a")
    env.filters["action_label"] = lambda action: (action or "").replace("_", " ").capitalize()
    env.filters["hours"] = _hours
    env.filters["percent"] = _percent
    env.filters["signed"] = _signed
    return env


def _hours(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f} h"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _signed(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if unit == "%":
        return f"{value * 100:+.0f} pts"
    return f"{value:+.1f}{unit}"


def _context(report: WeeklyReportRead, *, base_url: str | None) -> dict[str, Any]:
    tz = ZoneInfo(report.timezone)

    def local(value: datetime | None, fmt: str = "%a %d %b %H:%M") -> str:
        if value is None:
            return ""
        moment = value.astimezone(tz)
        # "9 Nov", not "09 Nov"; %-d is not portable.
        return moment.strftime(fmt.replace("%d", str(moment.day)))

    first = report.starts_at.astimezone(tz)
    last = report.ends_at.astimezone(tz).date() - timedelta(days=1)
    period = f"{first:%a} {first.day} {first:%b} to {last:%a} {last.day} {last:%b %Y}"
    biggest = max((b.count for b in report.latency_distribution), default=0)
    flagged: list[FlaggedCandidateRead] = [*report.newly_flagged, *report.still_flagged]
    return {
        "r": report,
        "local": local,
        "period": period,
        "subject": subject_for(report),
        "base_url": base_url,
        "limit": HTML_ROW_LIMIT,
        "biggest_bucket": biggest,
        "flagged_total": len(flagged),
        "audience": report.recruiter_name or report.recruiter_external_id or "all recruiters",
    }


def render_html(report: WeeklyReportRead, *, base_url: str | None = None) -> str:
    template = _environment().get_template("weekly.html")
    return template.render(**_context(report, base_url=base_url))


def render_text(report: WeeklyReportRead, *, base_url: str | None = None) -> str:
    template = _environment().get_template("weekly.txt")
    return template.render(**_context(report, base_url=base_url))


def subject_for(report: WeeklyReportRead) -> str:
    """A subject short enough to stay on one header line (the stdlib folds longer ones oddly)."""
    t = report.totals
    subject = f"Followthrough {report.week}: {t.newly_flagged} newly flagged"
    for extra in (f"{t.waiting_on_us} waiting on us", f"{t.recovered} recovered"):
        if len(subject) + len(extra) + 2 <= SUBJECT_MAX:
            subject += ", " + extra
    return subject


SUBJECT_MAX = 68


MEDIA_TYPES = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "text/csv": "csv",
    "text/html": "html",
}


def negotiate(accept: str | None) -> str | None:
    """Pick json, jsonl, csv or html from Accept by q-value (JSON when absent or `*/*`)."""
    if not accept or not accept.strip():
        return "json"
    best: tuple[float, int, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in ("*/*", "application/*"):
            choice, specificity = "json", 0
        elif media == "text/*":
            choice, specificity = "html", 1
        elif media in MEDIA_TYPES:
            choice, specificity = MEDIA_TYPES[media], 2
        else:
            continue
        if quality <= 0:
            continue
        rank = (quality, specificity, -position, choice)
        if best is None or rank[:3] > best[:3]:
            best = rank
    return best[3] if best else None
