"""SQL for the weekly report: flags, band changes, the mirror view prefilter, exchange stats.

Every query is scoped to one organisation and, optionally, to the candidates of one recruiter.
Aggregates (counts, the median, the latency histogram) are computed by the database.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Interval,
    Row,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session, aliased, load_only

from app.candidates.models import Candidate
from app.core.chunks import chunked
from app.events import repository as events_repository
from app.events.domain import DUPLICATE_WINDOW
from app.events.models import Event, Exchange
from app.recruiters.models import Recruiter
from app.reports.models import ReportSend
from app.scoring.models import CandidateScore, Flag, ScoreChange

NOT_THAT_INTO_YOU = "not_that_into_you"
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
"""A flag's severity as a sort key (an unknown one last)."""
DECLINED = "declined"
HOUR = 3600

# (label, lower, upper) in business hours; lower inclusive, upper exclusive, None = open.
LATENCY_BUCKETS: tuple[tuple[str, float | None, float | None], ...] = (
    ("under 1 h", 0, 1),
    ("1-4 h", 1, 4),
    ("4-8 h", 4, 8),
    ("8-16 h", 8, 16),
    ("16-40 h", 16, 40),
    ("40 h or more", 40, None),
)


_SelectT = TypeVar("_SelectT", bound="Select[*tuple[Any, ...]]")


def _scoped(stmt: _SelectT, org_id: str, recruiter_external_id: str | None) -> _SelectT:
    stmt = stmt.where(Candidate.org_id == org_id)
    if recruiter_external_id is not None:
        stmt = stmt.where(Candidate.recruiter_external_id == recruiter_external_id)
    return stmt


# The flag columns a report shows (not the external evidence ids, keys or status notes).
_REPORT_FLAG_COLUMNS = load_only(
    Flag.id,
    Flag.candidate_id,
    Flag.code,
    Flag.severity,
    Flag.summary,
    Flag.clears_when,
    Flag.evidence,
    Flag.raised_at,
    Flag.status,
    Flag.active,
    Flag.cleared_at,
)


def _among(stmt: _SelectT, column: Any, keys: Sequence[str] | None) -> _SelectT:
    """Restrict to one page of keys (None: no restriction)."""
    return stmt if keys is None else stmt.where(column.in_(keys))


def _reported_flag(
    flag: Any, org_id: str, *, start: datetime, end: datetime
) -> ColumnElement[bool]:
    """A flag the report lists: raised in [start, end) or earlier and still active; not dismissed
    ones."""
    return and_(
        flag.org_id == org_id,
        flag.status != "dismissed",
        or_(
            and_(flag.raised_at >= start, flag.raised_at < end),
            and_(flag.raised_at < start, flag.active.is_(True)),
        ),
    )


def plan_for_reports(session: Session) -> None:
    """No JIT for the rest of this transaction on PostgreSQL.

    The report's filters hold correlated subqueries that seldom run (they apply to few
    candidates) but are costed as if they ran for every row; past `jit_above_cost` the
    server spends seconds compiling a plan that executes in milliseconds.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def recruiter_known(session: Session, org_id: str, external_id: str) -> bool:
    """Whether the organisation has this recruiter, as a record or on any candidate."""
    as_record = select(Recruiter.id).where(
        Recruiter.org_id == org_id, Recruiter.external_id == external_id
    )
    on_candidate = select(Candidate.id).where(
        Candidate.org_id == org_id, Candidate.recruiter_external_id == external_id
    )
    return bool(session.scalar(select(or_(exists(as_record), exists(on_candidate)))))


def get_recruiter(session: Session, org_id: str, external_id: str) -> Recruiter | None:
    return session.scalar(
        select(Recruiter).where(Recruiter.org_id == org_id, Recruiter.external_id == external_id)
    )


def recruiters_with_email(session: Session, org_id: str) -> list[Recruiter]:
    stmt = (
        select(Recruiter)
        .where(Recruiter.org_id == org_id, Recruiter.email.is_not(None), Recruiter.email != "")
        .order_by(Recruiter.external_id)
    )
    return list(session.scalars(stmt))


def active_candidate_ids(
    session: Session, org_id: str, recruiter_external_id: str | None
) -> list[str]:
    stmt = _scoped(select(Candidate.id), org_id, recruiter_external_id).where(
        Candidate.status == "active"
    )
    return list(session.scalars(stmt.order_by(Candidate.id)))


def flagged(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
) -> list[tuple[Flag, Candidate, CandidateScore | None]]:
    """Flags raised in [start, end), and flags raised earlier that are still active at `end`.

    Only active candidates; dismissed flags are left out (the recruiter already decided).
    """
    stmt = _scoped(
        select(Flag, Candidate).join(Candidate, Candidate.id == Flag.candidate_id),
        org_id,
        recruiter_external_id,
    ).where(Candidate.status == "active", _reported_flag(Flag, org_id, start=start, end=end))
    stmt = stmt.options(_REPORT_FLAG_COLUMNS)
    rows = list(session.execute(stmt.order_by(Candidate.id, Flag.raised_at, Flag.id)))
    scores = report_scores(session, org_id, sorted({c.id for _, c in rows}))
    return [(f, c, scores.get(c.id)) for f, c in rows]


def flagged_rows(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    candidate_ids: Sequence[str],
) -> list[Row[Any]]:
    """`flagged` for these candidates as plain rows (no ORM objects), one query: each flag's
    columns with its candidate's and stored score's (`score_of` is null without a score),
    by candidate, then in the report's order of flags (`build.flagged_candidates`): this
    week's first, then by severity, then the most recent."""
    stmt = _flagged_among(
        select(
            Flag.id,
            Flag.candidate_id,
            Flag.code,
            Flag.severity,
            Flag.summary,
            Flag.clears_when,
            Flag.raised_at,
            Flag.status,
            Flag.active,
            Candidate.external_id,
            Candidate.name,
            Candidate.recruiter_external_id,
            Candidate.job,
            Candidate.stage,
            CandidateScore.candidate_id.label("score_of"),
            CandidateScore.score,
            CandidateScore.band,
            CandidateScore.next_action["action"].as_string().label("action"),
            CandidateScore.next_action_due_at,
        )
        .select_from(Flag)
        .join(Candidate, Candidate.id == Flag.candidate_id)
        .outerjoin(
            CandidateScore,
            and_(CandidateScore.candidate_id == Candidate.id, CandidateScore.org_id == org_id),
        ),
        org_id,
        recruiter_external_id,
        start=start,
        end=end,
        candidate_ids=candidate_ids,
    )
    this_week = case((Flag.raised_at >= start, 0), else_=1)
    severity = case(SEVERITY_RANK, value=Flag.severity, else_=len(SEVERITY_RANK))
    order = (Flag.candidate_id, this_week, severity, Flag.raised_at.desc(), Flag.id)
    return list(session.execute(stmt.order_by(*order)))


def flagged_evidence_times(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    candidate_ids: Sequence[str],
) -> dict[str, list[datetime]]:
    """When the evidence of each flag `flagged_rows` lists happened, oldest first, by flag id:
    the flag's evidence ids unnested in SQL and joined to their events (one query)."""
    each = (
        func.json_each(Flag.evidence)
        if session.get_bind().dialect.name == "sqlite"
        else func.json_array_elements_text(Flag.evidence)
    ).table_valued("value")
    stmt = _flagged_among(
        select(Flag.id, Event.occurred_at)
        .select_from(Flag)
        .join(Candidate, Candidate.id == Flag.candidate_id)
        .join(each, true())
        .join(Event, and_(Event.id == each.c.value, Event.org_id == org_id)),
        org_id,
        recruiter_external_id,
        start=start,
        end=end,
        candidate_ids=candidate_ids,
    )
    out: dict[str, list[datetime]] = {}
    for flag_id, at in session.execute(stmt.order_by(Flag.id, Event.occurred_at)):
        out.setdefault(flag_id, []).append(at)
    return out


def _flagged_among(
    stmt: _SelectT,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    candidate_ids: Sequence[str],
) -> _SelectT:
    """`flagged`'s filter (a select from flags joined to candidates), for these candidates."""
    return _scoped(stmt, org_id, recruiter_external_id).where(
        Candidate.status == "active",
        _reported_flag(Flag, org_id, start=start, end=end),
        Flag.candidate_id.in_(candidate_ids),
    )


def report_scores(
    session: Session, org_id: str, candidate_ids: list[str]
) -> dict[str, CandidateScore]:
    """Stored scores with only the columns a report shows (no breakdown or metrics)."""
    out: dict[str, CandidateScore] = {}
    for chunk in chunked(candidate_ids):
        stmt = (
            select(CandidateScore)
            .options(
                load_only(
                    CandidateScore.score,
                    CandidateScore.band,
                    CandidateScore.next_action,
                    CandidateScore.next_action_due_at,
                )
            )
            .where(
                CandidateScore.org_id == org_id,
                CandidateScore.candidate_id.in_(chunk),
            )
        )
        out.update({score.candidate_id: score for score in session.scalars(stmt)})
    return out


def event_times(session: Session, org_id: str, event_ids: Sequence[str]) -> dict[str, datetime]:
    """occurred_at of events by id (for flag evidence dates)."""
    out: dict[str, datetime] = {}
    ids = sorted(set(event_ids))
    for chunk in chunked(ids):
        stmt = select(Event.id, Event.occurred_at).where(
            Event.org_id == org_id, Event.id.in_(chunk)
        )
        out.update({event_id: at for event_id, at in session.execute(stmt)})
    return out


def band_recoveries(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    candidate_ids: Sequence[str] | None = None,
) -> list[tuple[ScoreChange, Candidate, CandidateScore]]:
    """Changes in (start, end] that left `not_that_into_you`, for candidates still out of it.

    The end is inclusive: an evaluation as of the week's end records its changes at that
    instant, and they belong to the week that just ended.
    """
    stmt = _scoped(
        select(ScoreChange, Candidate, CandidateScore)
        .join(Candidate, Candidate.id == ScoreChange.candidate_id)
        .join(CandidateScore, CandidateScore.candidate_id == Candidate.id),
        org_id,
        recruiter_external_id,
    ).where(
        ScoreChange.org_id == org_id,
        ScoreChange.at > start,
        ScoreChange.at <= end,
        ScoreChange.previous_band == NOT_THAT_INTO_YOU,
        ScoreChange.band != NOT_THAT_INTO_YOU,
        CandidateScore.band != NOT_THAT_INTO_YOU,
    )
    stmt = _among(stmt, Candidate.id, candidate_ids)
    rows = session.execute(stmt.order_by(Candidate.id, ScoreChange.at, ScoreChange.id))
    return [(change, c, s) for change, c, s in rows]


def cleared_flags(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    candidate_ids: Sequence[str] | None = None,
) -> list[tuple[Flag, Candidate, CandidateScore | None]]:
    """Flags cleared in (start, end] of candidates with no active flag left at `end`."""
    other = aliased(Flag)
    still_open = (
        select(other.id)
        .where(
            other.candidate_id == Flag.candidate_id,
            other.active.is_(True),
            other.status != "dismissed",
            other.raised_at < end,
        )
        .correlate(Flag)
    )
    stmt = _scoped(
        select(Flag, Candidate).join(Candidate, Candidate.id == Flag.candidate_id),
        org_id,
        recruiter_external_id,
    ).where(
        Flag.org_id == org_id,
        Flag.active.is_(False),
        Flag.status != "dismissed",
        Flag.cleared_at > start,
        Flag.cleared_at <= end,
        # A look back in time clears flags raised later; those never were open in this week.
        Flag.raised_at < end,
        ~exists(still_open),
    )
    stmt = _among(stmt, Candidate.id, candidate_ids)
    rows = list(session.execute(stmt.order_by(Candidate.id, Flag.cleared_at, Flag.id)))
    scores = report_scores(session, org_id, sorted({c.id for _, c in rows}))
    return [(f, c, scores.get(c.id)) for f, c in rows]


def waiting_on_us_ids(
    org_id: str, recruiter_external_id: str | None, *, as_of: datetime, dialect: str
) -> Select[Any]:
    """Active candidates waiting on us at `as_of`: an open clock or an overdue promise.

    The open clock is the stored `waiting_since` where the summary covers `as_of` (no event
    after it), else the mirror view's rule in SQL (`open_waiting_since`); overdue promises
    follow events/domain's rule (`overdue_promise_clause`).
    """
    covered = or_(Candidate.last_event_at.is_(None), Candidate.last_event_at <= as_of)
    # The clock in SQL only for candidates the summary does not cover, so that the copies and
    # the answers are looked for among their events alone, not the organisation's.
    other = aliased(Candidate)
    behind = select(other.id).where(
        other.org_id == org_id, other.status == "active", other.last_event_at > as_of
    )
    inbound = aliased(Event)
    answered = _answered_after(inbound, org_id, as_of=as_of, dialect=dialect, candidate_ids=behind)
    clock_in_sql = exists().where(
        inbound.org_id == org_id,
        inbound.candidate_id == Candidate.id,
        inbound.candidate_id.in_(behind),
        inbound.direction == "inbound",
        inbound.needs_reply.is_(True),
        inbound.occurred_at <= as_of,
        _not_a_copy(inbound, org_id, dialect=dialect, candidate_ids=behind),
        ~answered,
    )
    promise = aliased(Event)
    overdue = exists().where(
        promise.candidate_id == Candidate.id,
        events_repository.overdue_promise_clause(promise, org_id=org_id, as_of=as_of),
    )
    return _scoped(select(Candidate.id), org_id, recruiter_external_id).where(
        Candidate.status == "active",
        or_(
            and_(covered, Candidate.waiting_since.is_not(None)),
            and_(~covered, clock_in_sql),
            overdue,
        ),
    )


def _answered_after(
    inbound: Any,
    org_id: str,
    *,
    as_of: datetime,
    dialect: str,
    candidate_ids: Sequence[str] | Select[Any] | None = None,
) -> ColumnElement[bool]:
    """An outbound event (not a copy) after `inbound` in the contract's order, up to `as_of`."""
    outbound = aliased(Event)
    return exists().where(
        outbound.org_id == org_id,
        outbound.candidate_id == inbound.candidate_id,
        outbound.direction == "outbound",
        _in_order(inbound, outbound),
        outbound.occurred_at <= as_of,
        _not_a_copy(outbound, org_id, dialect=dialect, candidate_ids=candidate_ids),
    )


def _not_a_copy(
    event: Any,
    org_id: str,
    *,
    dialect: str,
    candidate_ids: Sequence[str] | Select[Any] | None = None,
) -> ColumnElement[bool]:
    """`event` is not the second copy of a message synced twice (events/domain's rule).

    A copy has an earlier first copy (same candidate, direction, channel and `body_key`)
    within `DUPLICATE_WINDOW`; a first copy is taken as one with no such predecessor itself.
    That agrees with `find_duplicates` unless one message arrives four times within twice the
    window. The copies are found once (an uncorrelated subquery joined on equal keys), not per
    event, so no plan can nest scans of the organisation's events inside each other.
    """
    later, first, before_first = aliased(Event), aliased(Event), aliased(Event)
    copies = (
        select(later.id)
        .join(first, _same_message_before(first, later, org_id, dialect=dialect))
        .where(
            later.org_id == org_id,
            later.body_key.is_not(None),
            ~exists().where(_same_message_before(before_first, first, org_id, dialect=dialect)),
        )
    )
    if candidate_ids is not None:
        copies = copies.where(later.candidate_id.in_(candidate_ids))
    clause: ColumnElement[bool] = event.id.not_in(copies)
    return clause


def _same_message_before(
    earlier: Any, later: Any, org_id: str, *, dialect: str
) -> ColumnElement[bool]:
    return and_(
        earlier.org_id == org_id,
        earlier.candidate_id == later.candidate_id,
        earlier.direction == later.direction,
        earlier.channel == later.channel,
        earlier.body_key == later.body_key,
        _in_order(earlier, later),
        earlier.occurred_at >= _minus_window(later.occurred_at, dialect),
    )


def _in_order(earlier: Any, later: Any) -> ColumnElement[bool]:
    """`earlier` comes before `later` in the contract's order: occurred_at, then external_id."""
    return or_(
        earlier.occurred_at < later.occurred_at,
        and_(earlier.occurred_at == later.occurred_at, earlier.external_id < later.external_id),
    )


def _minus_window(instant: Any, dialect: str) -> Any:
    """`instant - DUPLICATE_WINDOW` in SQL (SQLite keeps text, compared as text)."""
    if dialect == "sqlite":
        seconds = int(DUPLICATE_WINDOW.total_seconds())
        return func.strftime("%Y-%m-%d %H:%M:%f", instant, literal(f"-{seconds} seconds"))
    return instant - literal(DUPLICATE_WINDOW, Interval())


def candidates_by_id(
    session: Session, org_id: str, candidate_ids: Sequence[str]
) -> list[Candidate]:
    """The organisation's candidates with these ids, by id."""
    stmt = select(Candidate).where(Candidate.org_id == org_id, Candidate.id.in_(candidate_ids))
    return list(session.scalars(stmt.order_by(Candidate.id)))


def waiting_on_us(
    session: Session, org_id: str, recruiter_external_id: str | None, *, as_of: datetime
) -> list[Candidate]:
    """Candidates waiting on us at `as_of` (`waiting_on_us_ids`), by id."""
    ids = waiting_on_us_ids(
        org_id, recruiter_external_id, as_of=as_of, dialect=session.get_bind().dialect.name
    ).subquery()
    stmt = select(Candidate).where(Candidate.id.in_(select(ids.c.id)))
    return list(session.scalars(stmt.order_by(Candidate.id)))


def declined(
    session: Session, org_id: str, recruiter_external_id: str | None
) -> list[tuple[CandidateScore, Candidate]]:
    """Active candidates whose stored band is `declined` (fresh at the report's instant)."""
    stmt = _scoped(
        select(CandidateScore, Candidate).join(
            Candidate, Candidate.id == CandidateScore.candidate_id
        ),
        org_id,
        recruiter_external_id,
    ).where(*_declined(org_id))
    rows = session.execute(stmt.order_by(CandidateScore.next_action_due_at.desc(), Candidate.id))
    return [(s, c) for s, c in rows]


def score_rows(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    candidate_ids: Sequence[str],
) -> list[Row[Any]]:
    """These active candidates with their stored score's band and next action, as plain rows
    (for the declined and next-action sections)."""
    stmt = _scoped(
        select(
            Candidate.id.label("candidate_id"),
            Candidate.external_id,
            Candidate.name,
            Candidate.recruiter_external_id,
            Candidate.job,
            Candidate.stage,
            CandidateScore.band,
            CandidateScore.next_action,
            CandidateScore.next_action_due_at,
        ).join(CandidateScore, CandidateScore.candidate_id == Candidate.id),
        org_id,
        recruiter_external_id,
    ).where(
        CandidateScore.org_id == org_id,
        Candidate.status == "active",
        Candidate.id.in_(candidate_ids),
    )
    return list(session.execute(stmt))


def no_shows(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    event_ids: Sequence[str] | None = None,
) -> list[tuple[Event, Candidate]]:
    stmt = _scoped(
        select(Event, Candidate).join(Candidate, Candidate.id == Event.candidate_id),
        org_id,
        recruiter_external_id,
    ).where(*_no_show_between(org_id, start=start, end=end))
    stmt = _among(stmt, Event.id, event_ids)
    rows = session.execute(stmt.order_by(Event.occurred_at, Event.external_id))
    return [(e, c) for e, c in rows]


# --- each section's keys, for counting and keyset pages -----------------------------------
# A section is one select of one string key (a candidate id, or an event id for no-shows):
# `count_keys` counts it, `page_keys` reads it in key order after a key.


def flagged_ids(
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    newly: bool,
) -> Select[Any]:
    """Active candidates with a reported flag (`flagged`): newly (one raised in [start, end))
    or still flagged (only older ones)."""
    reported, raised_now = aliased(Flag), aliased(Flag)
    this_week = exists().where(
        raised_now.candidate_id == Candidate.id,
        _reported_flag(raised_now, org_id, start=start, end=end),
        raised_now.raised_at >= start,
    )
    any_flag = exists().where(
        reported.candidate_id == Candidate.id,
        _reported_flag(reported, org_id, start=start, end=end),
    )
    return _scoped(select(Candidate.id), org_id, recruiter_external_id).where(
        Candidate.status == "active", this_week if newly else and_(any_flag, ~this_week)
    )


def recovered_ids(
    org_id: str, recruiter_external_id: str | None, *, start: datetime, end: datetime
) -> Select[Any]:
    """Candidates `band_recoveries` or `cleared_flags` list, less those who declined."""
    left_band = _scoped(
        select(Candidate.id.label("id"))
        .join(ScoreChange, ScoreChange.candidate_id == Candidate.id)
        .join(CandidateScore, CandidateScore.candidate_id == Candidate.id),
        org_id,
        recruiter_external_id,
    ).where(
        ScoreChange.org_id == org_id,
        ScoreChange.at > start,
        ScoreChange.at <= end,
        ScoreChange.previous_band == NOT_THAT_INTO_YOU,
        ScoreChange.band != NOT_THAT_INTO_YOU,
        CandidateScore.band.not_in((NOT_THAT_INTO_YOU, DECLINED)),
    )
    other = aliased(Flag)
    still_open = exists().where(
        other.candidate_id == Flag.candidate_id,
        other.active.is_(True),
        other.status != "dismissed",
        other.raised_at < end,
    )
    cleared = _scoped(
        select(Candidate.id.label("id"))
        .join(Flag, Flag.candidate_id == Candidate.id)
        .outerjoin(CandidateScore, CandidateScore.candidate_id == Candidate.id),
        org_id,
        recruiter_external_id,
    ).where(
        Flag.org_id == org_id,
        Flag.active.is_(False),
        Flag.status != "dismissed",
        Flag.cleared_at > start,
        Flag.cleared_at <= end,
        Flag.raised_at < end,
        ~still_open,
        or_(CandidateScore.band.is_(None), CandidateScore.band != DECLINED),
    )
    both = left_band.union(cleared).subquery()
    return select(both.c.id)


def no_show_ids(
    org_id: str, recruiter_external_id: str | None, *, start: datetime, end: datetime
) -> Select[Any]:
    return _scoped(
        select(Event.id).join(Candidate, Candidate.id == Event.candidate_id),
        org_id,
        recruiter_external_id,
    ).where(*_no_show_between(org_id, start=start, end=end))


def _no_show_between(
    org_id: str, *, start: datetime, end: datetime
) -> tuple[ColumnElement[bool], ...]:
    """Meetings the candidate did not attend in [start, end)."""
    return (
        Event.org_id == org_id,
        Event.type == "meeting",
        Event.outcome == "no_show",
        Event.occurred_at >= start,
        Event.occurred_at < end,
    )


def declined_ids(org_id: str, recruiter_external_id: str | None) -> Select[Any]:
    return _scoped(
        select(Candidate.id).join(CandidateScore, CandidateScore.candidate_id == Candidate.id),
        org_id,
        recruiter_external_id,
    ).where(*_declined(org_id))


def _declined(org_id: str) -> tuple[ColumnElement[bool], ...]:
    """The declined section's filter, on candidates joined to their scores."""
    return (
        CandidateScore.org_id == org_id,
        CandidateScore.band == DECLINED,
        Candidate.status == "active",
    )


def next_action_ids(
    org_id: str, recruiter_external_id: str | None, *, start: datetime, end: datetime
) -> Select[Any]:
    """Candidates with a next action (other than `none`) due in [start, end)."""
    action = CandidateScore.next_action["action"].as_string()
    return _scoped(
        select(Candidate.id).join(CandidateScore, CandidateScore.candidate_id == Candidate.id),
        org_id,
        recruiter_external_id,
    ).where(*_due_between(org_id, start=start, end=end), action.is_not(None), action != "none")


def _due_between(org_id: str, *, start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
    """Active candidates whose stored next action falls due in [start, end)."""
    return (
        CandidateScore.org_id == org_id,
        Candidate.status == "active",
        CandidateScore.next_action_due_at >= start,
        CandidateScore.next_action_due_at < end,
    )


def count_keys(session: Session, keys: Select[Any]) -> int:
    """How many keys a section's select yields."""
    return int(session.scalar(select(func.count()).select_from(keys.subquery())) or 0)


def page_keys(
    session: Session, keys: Select[Any], *, after: str | None, limit: int | None
) -> list[str]:
    """Up to `limit` (None: all) of a section's keys in ascending order, after `after`
    (exclusive)."""
    sub = keys.subquery()
    key = sub.c[0]
    stmt = select(key)
    if after is not None:
        stmt = stmt.where(key > after)
    return list(session.scalars(stmt.order_by(key).limit(limit)))


@dataclass(frozen=True)
class ExchangeStats:
    """Exchanges opened in a window, answered by an instant, with their reply-time histogram."""

    opened: int
    responded: int
    median_business_seconds: float | None
    buckets: tuple[int, ...]
    timed: int = 0
    """Answered exchanges with a reply time (the rest only a meeting attended closed)."""


def exchange_stats(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
    answered_by: datetime,
) -> ExchangeStats:
    """Count exchanges opened in [start, end) and those answered by `answered_by`, in SQL."""
    answered = and_(
        Exchange.responded_at.is_not(None),
        Exchange.responded_at <= answered_by,
        Exchange.business_seconds.is_not(None),
    )
    base = _scoped(
        select().select_from(Exchange).join(Candidate, Candidate.id == Exchange.candidate_id),
        org_id,
        recruiter_external_id,
    ).where(Exchange.org_id == org_id, Exchange.opened_at >= start, Exchange.opened_at < end)

    # Exchanges only attending a meeting closed are answered, but no reply time (contract §3).
    timed = and_(answered, Exchange.counts_for_latency.is_(True))
    columns: list[Any] = [
        func.count().label("opened"),
        func.coalesce(func.sum(case((answered, 1), else_=0)), 0).label("responded"),
        func.coalesce(func.sum(case((timed, 1), else_=0)), 0).label("timed"),
    ]
    for _, lower, upper in LATENCY_BUCKETS:
        condition = [timed, Exchange.business_seconds >= (lower or 0) * HOUR]
        if upper is not None:
            condition.append(Exchange.business_seconds < upper * HOUR)
        columns.append(func.coalesce(func.sum(case((and_(*condition), 1), else_=0)), 0))
    row = session.execute(base.add_columns(*columns)).one()
    opened, responded, timed_count, *buckets = (int(v) for v in row)
    median = _median_business_seconds(session, base.where(timed), timed_count)
    return ExchangeStats(
        opened=opened,
        responded=responded,
        median_business_seconds=median,
        buckets=tuple(buckets),
        timed=timed_count,
    )


def _median_business_seconds(session: Session, answered: Select[Any], count: int) -> float | None:
    """The median by ORDER BY … LIMIT/OFFSET: portable across PostgreSQL and SQLite."""
    if count == 0:
        return None
    middle = (
        answered.add_columns(Exchange.business_seconds)
        .order_by(Exchange.business_seconds)
        .offset((count - 1) // 2)
        .limit(1 if count % 2 else 2)
    )
    values = [float(v) for v in session.scalars(middle)]
    return sum(values) / len(values) if values else None


def next_actions_due(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
) -> list[tuple[CandidateScore, Candidate]]:
    stmt = _scoped(
        select(CandidateScore, Candidate).join(
            Candidate, Candidate.id == CandidateScore.candidate_id
        ),
        org_id,
        recruiter_external_id,
    ).where(*_due_between(org_id, start=start, end=end))
    rows = session.execute(stmt.order_by(CandidateScore.next_action_due_at, Candidate.id))
    return [(s, c) for s, c in rows]


def lock_recruiter_week(
    session: Session, org_id: str, recruiter_external_id: str, week: str
) -> None:
    """Serialise senders of one (recruiter, week) on PostgreSQL until the transaction ends.

    SQLite needs nothing here: every write transaction there begins IMMEDIATE, which already
    holds the database's single write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(
        f"report-send:{org_id}:{recruiter_external_id}:{week}".encode(), digest_size=8
    ).digest()
    key = int.from_bytes(digest, "big", signed=True)
    session.execute(select(func.pg_advisory_xact_lock(key)))


def get_send(
    session: Session, org_id: str, recruiter_external_id: str, week: str
) -> ReportSend | None:
    return session.scalar(
        select(ReportSend).where(
            ReportSend.org_id == org_id,
            ReportSend.recruiter_external_id == recruiter_external_id,
            ReportSend.week == week,
        )
    )


def sent_recruiters(session: Session, org_id: str, week: str) -> set[str]:
    stmt = select(ReportSend.recruiter_external_id).where(
        ReportSend.org_id == org_id, ReportSend.week == week
    )
    return set(session.scalars(stmt))


def record_send(
    session: Session,
    *,
    org_id: str,
    recruiter_external_id: str,
    week: str,
    recipient: str,
    message_id: str,
) -> ReportSend:
    """Claim a (recruiter, week): the unique constraint refuses a second claim."""
    row = ReportSend(
        org_id=org_id,
        recruiter_external_id=recruiter_external_id,
        week=week,
        recipient=recipient,
        message_id=message_id,
    )
    session.add(row)
    session.flush()
    return row


def overdue_promises(
    session: Session, org_id: str, candidate_ids: list[str], as_of: datetime
) -> dict[str, list[datetime]]:
    """Passed `promised_by` dates with no later outbound event (events/domain's rule)."""
    out: dict[str, list[datetime]] = {}
    for chunk in chunked(candidate_ids):
        stmt = select(Event.candidate_id, Event.promised_by).where(
            Event.candidate_id.in_(chunk),
            events_repository.overdue_promise_clause(Event, org_id=org_id, as_of=as_of),
        )
        for candidate_id, promised_by in session.execute(stmt):
            if promised_by is not None:
                out.setdefault(candidate_id, []).append(promised_by)
    return out


def open_waiting_since(
    session: Session, org_id: str, candidate_ids: list[str], as_of: datetime
) -> dict[str, datetime]:
    """When each candidate's open "waiting on us" clock started, as of `as_of`.

    The mirror view's rule (events/domain.py) in SQL: the first inbound event that needs a
    reply (`needs_reply`, set at ingest) with no outbound event after it (in the contract's
    order: occurred_at, then external_id), second copies of a message left out
    (`_not_a_copy`).
    """
    dialect = session.get_bind().dialect.name
    out: dict[str, datetime] = {}
    for chunk in chunked(candidate_ids):
        stmt = (
            select(Event.candidate_id, func.min(Event.occurred_at))
            .where(
                Event.org_id == org_id,
                Event.candidate_id.in_(chunk),
                Event.direction == "inbound",
                Event.needs_reply.is_(True),
                Event.occurred_at <= as_of,
                _not_a_copy(Event, org_id, dialect=dialect, candidate_ids=chunk),
                ~_answered_after(Event, org_id, as_of=as_of, dialect=dialect, candidate_ids=chunk),
            )
            .group_by(Event.candidate_id)
        )
        for candidate_id, since in session.execute(stmt):
            if since is not None:
                out[candidate_id] = _aware(since)
    return out


def _aware(value: datetime) -> datetime:
    """Aggregates skip the column type, so SQLite hands back naive UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
