"""The weekly report as rows, for an export of any size: JSON lines, CSV, cursor pages.

The summary (totals, responsiveness, the reply-time chart) comes from SQL aggregates over
stored state. A stream then reads each section's keys once, in key order (the candidate id;
the event id for no-shows), counts them for the summary, and loads the rows `CHUNK` keys at a
time, so memory stays flat however large the organisation; a page reads the keys after its
cursor (`repository.page_keys`). Flagged, declined and next-action rows are read as plain
Core rows (each flagged chunk in two queries: flags with their candidate and score, and the
evidence dates) and built as dicts in their models' field order, serialised by
`pydantic_core.to_json` exactly as the models would be; the smaller sections are built with
the whole report's functions (`build.py`). Sections follow each other in `SECTIONS` order,
each ordered by its key, not by severity as in the whole report.
"""

import io
from collections.abc import Generator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, get_args

from pydantic_core import to_json
from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

from app.core.chunks import chunked
from app.core.db import READ_ONLY
from app.core.errors import AppError, BadRequest
from app.core.ids import utcnow
from app.core.pagination import decode_cursor, encode_cursor
from app.reports import build, render, repository
from app.reports import service as reports_service
from app.reports.schemas import (
    DeclinedRowRead,
    NextActionRowRead,
    NoShowRowRead,
    RecoveredRowRead,
    ReportSection,
    ReportTotalsRead,
    WaitingRowRead,
    WeeklyReportPageRead,
    WeeklyReportSummaryRead,
)
from app.reports.service import ReportScope
from app.reports.week import parse_week

SECTIONS: tuple[ReportSection, ...] = get_args(ReportSection)
CSV_SECTIONS: tuple[ReportSection, ...] = ("newly_flagged", "still_flagged")
CHUNK = 500
"""Keys whose rows are read per query while streaming (the largest page is 500)."""

Row = RecoveredRowRead | WaitingRowRead | NoShowRowRead | DeclinedRowRead | NextActionRowRead
Item = dict[str, Any] | Row
"""A row: a plain dict in its model's field order (flagged, declined, next actions), or the
model itself (the other sections)."""


def section_keys(scope: ReportScope, section: ReportSection, *, dialect: str) -> Select[Any]:
    """The select of one section's keys (see `repository.count_keys` / `page_keys`)."""
    org_id, recruiter = scope.org_id, scope.recruiter_external_id
    start, end = scope.week.starts_at, scope.week.ends_at
    match section:
        case "newly_flagged" | "still_flagged":
            return repository.flagged_ids(
                org_id, recruiter, start=start, end=end, newly=section == "newly_flagged"
            )
        case "recovered":
            return repository.recovered_ids(org_id, recruiter, start=start, end=scope.as_of)
        case "waiting_on_us":
            return repository.waiting_on_us_ids(
                org_id, recruiter, as_of=scope.as_of, dialect=dialect
            )
        case "no_shows":
            return repository.no_show_ids(org_id, recruiter, start=start, end=end)
        case "declined":
            return repository.declined_ids(org_id, recruiter)
        case "next_actions_due":
            return repository.next_action_ids(
                org_id, recruiter, start=start, end=scope.week.shifted(1).ends_at
            )


def summary(
    session: Session, scope: ReportScope, *, counts: Mapping[ReportSection, int] | None = None
) -> WeeklyReportSummaryRead:
    """Everything but the lists: counts in SQL (unless given), then the week's exchange
    figures."""
    if counts is None:
        dialect = session.get_bind().dialect.name
        counts = {
            section: repository.count_keys(session, section_keys(scope, section, dialect=dialect))
            for section in SECTIONS
        }
    this_stats, responsiveness = reports_service.week_responsiveness(
        session, scope.org_id, scope.recruiter_external_id, week=scope.week, as_of=scope.as_of
    )
    week = scope.week
    return WeeklyReportSummaryRead(
        week=week.label,
        timezone=week.timezone,
        starts_at=week.starts_at,
        ends_at=week.ends_at,
        as_of=scope.as_of,
        generated_at=utcnow(),
        recruiter_external_id=scope.recruiter_external_id,
        recruiter_name=scope.recruiter_name,
        totals=ReportTotalsRead.model_validate(dict(counts)),
        responsiveness=responsiveness,
        latency_distribution=build.latency_distribution(this_stats),
        next_actions_until=week.shifted(1).ends_at,
    )


def section_rows(
    session: Session, scope: ReportScope, section: ReportSection, keys: Sequence[str]
) -> list[Item]:
    """The rows of one section for these keys, in key order."""
    if not keys:
        return []
    by_key = _rows_by_key(session, scope, section, keys)
    return [by_key[key] for key in keys if key in by_key]


def flagged_items(
    rows: Sequence[Any], evidence: Mapping[str, list[datetime]], *, section: str, start: datetime
) -> dict[str, dict[str, Any]]:
    """`build.flagged_candidates` for one flagged section over `repository.flagged_rows` (in
    the report's order of flags), as plain dicts in `FlaggedRowRead`'s field order (serialised
    as the model would be), by candidate id; a candidate of the other section is left out."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        this_week = row.raised_at >= start
        item = out.get(row.candidate_id)
        if item is None:
            item = out[row.candidate_id] = _flagged_item(row, section=section, new=this_week)
        item["flags"].append(
            {
                "id": row.id,
                "code": row.code,
                "severity": row.severity,
                "summary": row.summary,
                "clears_when": row.clears_when,
                "raised_at": row.raised_at,
                "status": row.status,
                "active": row.active,
                "raised_this_week": this_week,
                "evidence_dates": evidence.get(row.id, []),
            }
        )
    return {key: item for key, item in out.items() if item["category"] == section}


def _flagged_item(row: Any, *, section: str, new: bool) -> dict[str, Any]:
    """The candidate's fields; the first flag (the top reason) tells whether it is new."""
    has_score = row.score_of is not None
    action = row.action if has_score else None
    return {
        "candidate_id": row.candidate_id,
        "external_id": row.external_id,
        "name": row.name,
        "recruiter_external_id": row.recruiter_external_id,
        "job": row.job,
        "stage": row.stage,
        "category": "newly_flagged" if new else "still_flagged",
        "score": row.score if has_score else None,
        "band": row.band if has_score else "unknown",
        "flags": [],
        "next_action": str(action) if action and action != "none" else None,
        "next_action_due_at": row.next_action_due_at if has_score else None,
        "section": section,
    }


def _rows_by_key(
    session: Session, scope: ReportScope, section: ReportSection, keys: Sequence[str]
) -> Mapping[str, Item]:
    where = (session, scope.org_id, scope.recruiter_external_id)
    start, end, as_of = scope.week.starts_at, scope.week.ends_at, scope.as_of
    match section:
        case "newly_flagged" | "still_flagged":
            return flagged_items(
                repository.flagged_rows(*where, start=start, end=end, candidate_ids=keys),
                repository.flagged_evidence_times(*where, start=start, end=end, candidate_ids=keys),
                section=section,
                start=start,
            )
        case "recovered":
            recovered = build.recoveries(
                repository.band_recoveries(*where, start=start, end=as_of, candidate_ids=keys),
                repository.cleared_flags(*where, start=start, end=as_of, candidate_ids=keys),
            )
            return {r.candidate_id: RecoveredRowRead.model_construct(**dict(r)) for r in recovered}
        case "waiting_on_us":
            candidates = repository.candidates_by_id(session, scope.org_id, keys)
            views = reports_service.mirror_views(
                session, scope.org_id, candidates, scope.settings, as_of
            )
            waiting = build.waiting_on_us(candidates, views)
            return {w.candidate_id: WaitingRowRead.model_construct(**dict(w)) for w in waiting}
        case "no_shows":
            no_shows = repository.no_shows(*where, start=start, end=end, event_ids=keys)
            return {
                event.id: NoShowRowRead.model_construct(**dict(item))
                for (event, _), item in zip(no_shows, build.no_show_items(no_shows), strict=True)
            }
        case "declined":
            return {
                row.candidate_id: _declined_item(row, start=start, end=end)
                for row in repository.score_rows(*where, candidate_ids=keys)
                if row.band == repository.DECLINED
            }
        case "next_actions_due":
            until = scope.week.shifted(1).ends_at
            return {
                row.candidate_id: _next_action_item(row, as_of=as_of)
                for row in repository.score_rows(*where, candidate_ids=keys)
                if row.next_action_due_at is not None
                and start <= row.next_action_due_at < until
                and (row.next_action or {}).get("action") not in (None, "none")
            }


def _who(row: Any) -> dict[str, Any]:
    """`build.who` of a plain row."""
    return {
        "candidate_id": row.candidate_id,
        "external_id": row.external_id,
        "name": row.name,
        "recruiter_external_id": row.recruiter_external_id,
        "job": row.job,
        "stage": row.stage,
    }


def _declined_item(row: Any, *, start: datetime, end: datetime) -> dict[str, Any]:
    """`build.declined_items` of one `repository.score_rows` row, as `DeclinedRowRead`."""
    at = row.next_action_due_at
    return {
        **_who(row),
        "declined_at": at,
        "this_week": at is not None and start <= at < end,
        "section": "declined",
    }


def _next_action_item(row: Any, *, as_of: datetime) -> dict[str, Any]:
    """`build.next_action_items` of one `repository.score_rows` row, as `NextActionRowRead`."""
    reason = row.next_action.get("reason")
    return {
        **_who(row),
        "action": str(row.next_action["action"]),
        "due_at": row.next_action_due_at,
        "overdue": row.next_action_due_at < as_of,
        "reason": None if reason is None else str(reason),
        "band": row.band,
        "section": "next_actions_due",
    }


def all_keys(
    session: Session, scope: ReportScope, sections: Sequence[ReportSection]
) -> dict[ReportSection, list[str]]:
    """Every key of these sections in key order, one query each (a stream's counts, then its
    chunks: a key is a few dozen bytes, so even 10k candidates' keys take about a megabyte)."""
    dialect = session.get_bind().dialect.name
    return {
        section: repository.page_keys(
            session, section_keys(scope, section, dialect=dialect), after=None, limit=None
        )
        for section in sections
    }


def iter_rows(
    session: Session, scope: ReportScope, keys: Mapping[ReportSection, Sequence[str]]
) -> Iterator[list[Item]]:
    """The rows of these sections' keys, `CHUNK` keys at a time (loaded objects are let go)."""
    for section, section_keys_ in keys.items():
        for chunk in chunked(section_keys_, CHUNK):
            yield section_rows(session, scope, section, chunk)
            session.expunge_all()


# --- cursor pages ----------------------------------------------------------------------------
_BAD_CURSOR = "The cursor is not valid; use next_cursor from a previous page."


def page(
    session: Session,
    scope: ReportScope,
    *,
    limit: int,
    position: tuple[ReportSection, str | None] | None = None,
) -> WeeklyReportPageRead:
    """One page of up to `limit` rows from `position` (None: the first page, with the summary)."""
    repository.plan_for_reports(session)
    dialect = session.get_bind().dialect.name
    section, after = position or (SECTIONS[0], None)
    index = SECTIONS.index(section)
    rows: list[Item] = []
    next_position: tuple[ReportSection, str | None] | None = None
    while index < len(SECTIONS):
        section = SECTIONS[index]
        room = limit - len(rows)
        keys = repository.page_keys(
            session, section_keys(scope, section, dialect=dialect), after=after, limit=room + 1
        )
        rows.extend(section_rows(session, scope, section, keys[:room]))
        if len(keys) > room:
            next_position = (section, keys[room - 1])
            break
        index, after = index + 1, None
        if len(rows) >= limit:
            next_position = (SECTIONS[index], None) if index < len(SECTIONS) else None
            break
    return WeeklyReportPageRead(
        summary=summary(session, scope) if position is None else None,
        items=rows,
        next_cursor=_encode(scope, next_position) if next_position else None,
    )


def _encode(scope: ReportScope, position: tuple[ReportSection, str | None]) -> str:
    section, after = position
    return encode_cursor(
        [
            scope.week.label,
            scope.as_of.isoformat(),
            scope.recruiter_external_id or "",
            section,
            after or "",
        ]
    )


def decode_page_cursor(
    cursor: str, *, timezone: str, week: str | None, recruiter_external_id: str | None
) -> tuple[str, datetime, tuple[ReportSection, str | None]]:
    """The week label, `as_of` and position a cursor pins; 400 if forged or for another report."""
    label, stamp, recruiter, section, after = decode_cursor(cursor, types=(str,) * 5)
    try:
        as_of = datetime.fromisoformat(stamp)
        parse_week(label, timezone=timezone)
    except (ValueError, AppError) as exc:
        raise BadRequest(_BAD_CURSOR) from exc
    if as_of.tzinfo is None or section not in SECTIONS:
        raise BadRequest(_BAD_CURSOR)
    if (week is not None and week.strip() != label) or (recruiter or None) != recruiter_external_id:
        raise BadRequest("The cursor belongs to another report (week or recruiter differ).")
    position: tuple[ReportSection, str | None] = (SECTIONS[SECTIONS.index(section)], after or None)
    return label, as_of, position


# --- streams ---------------------------------------------------------------------------------
def _snapshot(session: Session) -> None:
    """Read every chunk from one snapshot: REPEATABLE READ on PostgreSQL, a deferred (read)
    transaction on SQLite, which holds no writer up while a slow client reads the stream."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection(execution_options={READ_ONLY: True})
    repository.plan_for_reports(session)


def stream_jsonl(factory: sessionmaker[Session], scope: ReportScope) -> Generator[str, None, None]:
    """The summary line, then one line per row, a chunk of lines at a time."""
    with factory() as session, session.begin():
        _snapshot(session)
        keys = all_keys(session, scope, SECTIONS)
        counts = {section: len(found) for section, found in keys.items()}
        yield summary(session, scope, counts=counts).model_dump_json() + "\n"
        for rows in iter_rows(session, scope, keys):
            yield b"".join(to_json(row) + b"\n" for row in rows).decode()


def stream_csv(factory: sessionmaker[Session], scope: ReportScope) -> Generator[str, None, None]:
    """The CSV of `render.render_csv` (one row per flagged candidate), a chunk at a time."""
    buffer = io.StringIO()
    writer = render.csv_writer(buffer)
    writer.writeheader()
    yield _drain(buffer)
    with factory() as session, session.begin():
        _snapshot(session)
        for rows in iter_rows(session, scope, all_keys(session, scope, CSV_SECTIONS)):
            for row in rows:
                if isinstance(row, dict):
                    render.write_csv_row(writer, row)
            yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
