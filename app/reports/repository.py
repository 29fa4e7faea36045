"""SQL for the weekly report: flags, band changes, the mirror view prefilter, exchange stats.

Every query is scoped to one organisation and, optionally, to the candidates of one recruiter.
Aggregates (counts, the median, the latency histogram) are computed by the database.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, load_only

from app.candidates.models import Candidate
from app.core.chunks import chunked
from app.events import repository as events_repository
from app.events.models import Event, Exchange
from app.recruiters.models import Recruiter
from app.reports.models import ReportSend
from app.scoring.models import CandidateScore, Flag, ScoreChange

NOT_THAT_INTO_YOU = "not_that_into_you"
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
    ).where(
        Flag.org_id == org_id,
        Candidate.status == "active",
        Flag.status != "dismissed",
        or_(
            and_(Flag.raised_at >= start, Flag.raised_at < end),
            and_(Flag.raised_at < start, Flag.active.is_(True)),
        ),
    )
    rows = list(session.execute(stmt.order_by(Candidate.id, Flag.raised_at, Flag.id)))
    scores = report_scores(session, org_id, sorted({c.id for _, c in rows}))
    return [(f, c, scores.get(c.id)) for f, c in rows]


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
    rows = session.execute(stmt.order_by(Candidate.id, ScoreChange.at, ScoreChange.id))
    return [(change, c, s) for change, c, s in rows]


def cleared_flags(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
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
    rows = list(session.execute(stmt.order_by(Candidate.id, Flag.cleared_at, Flag.id)))
    scores = report_scores(session, org_id, sorted({c.id for _, c in rows}))
    return [(f, c, scores.get(c.id)) for f, c in rows]


def maybe_waiting_on_us(
    session: Session, org_id: str, recruiter_external_id: str | None, *, as_of: datetime
) -> list[Candidate]:
    """Active candidates who may be waiting on us at `as_of` (exact check: `compute_history`).

    Those whose last inbound event needing a reply is not older than our last outbound event,
    those with a
    passed `promised_by`, and those the stored summary says are waiting.
    """
    last_in = (
        select(Event.candidate_id, func.max(Event.occurred_at).label("at"))
        .where(
            Event.org_id == org_id,
            Event.direction == "inbound",
            Event.needs_reply.is_(True),
            Event.occurred_at <= as_of,
        )
        .group_by(Event.candidate_id)
        .subquery()
    )
    last_out = (
        select(Event.candidate_id, func.max(Event.occurred_at).label("at"))
        .where(Event.org_id == org_id, Event.direction == "outbound", Event.occurred_at <= as_of)
        .group_by(Event.candidate_id)
        .subquery()
    )
    promised = select(Event.candidate_id).where(
        Event.org_id == org_id,
        Event.direction == "outbound",
        Event.promised_by.is_not(None),
        Event.promised_by < as_of,
        Event.occurred_at <= as_of,
    )
    stmt = (
        _scoped(select(Candidate), org_id, recruiter_external_id)
        .outerjoin(last_in, last_in.c.candidate_id == Candidate.id)
        .outerjoin(last_out, last_out.c.candidate_id == Candidate.id)
        .where(
            Candidate.status == "active",
            or_(
                and_(
                    last_in.c.at.is_not(None),
                    or_(last_out.c.at.is_(None), last_in.c.at >= last_out.c.at),
                ),
                Candidate.id.in_(promised),
                Candidate.waiting_since.is_not(None),
            ),
        )
    )
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
    ).where(
        CandidateScore.org_id == org_id,
        CandidateScore.band == DECLINED,
        Candidate.status == "active",
    )
    rows = session.execute(stmt.order_by(CandidateScore.next_action_due_at.desc(), Candidate.id))
    return [(s, c) for s, c in rows]


def no_shows(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    start: datetime,
    end: datetime,
) -> list[tuple[Event, Candidate]]:
    stmt = _scoped(
        select(Event, Candidate).join(Candidate, Candidate.id == Event.candidate_id),
        org_id,
        recruiter_external_id,
    ).where(
        Event.org_id == org_id,
        Event.type == "meeting",
        Event.outcome == "no_show",
        Event.occurred_at >= start,
        Event.occurred_at < end,
    )
    rows = session.execute(stmt.order_by(Event.occurred_at, Event.external_id))
    return [(e, c) for e, c in rows]


@dataclass(frozen=True)
class ExchangeStats:
    """Exchanges opened in a window, answered by an instant, with their reply-time histogram."""

    opened: int
    responded: int
    median_business_seconds: float | None
    buckets: tuple[int, ...]


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
        opened=opened, responded=responded, median_business_seconds=median, buckets=tuple(buckets)
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
    ).where(
        CandidateScore.org_id == org_id,
        Candidate.status == "active",
        CandidateScore.next_action_due_at >= start,
        CandidateScore.next_action_due_at < end,
    )
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
    reply (`needs_reply`, set at ingest) after our last outbound event. (Events at the very
    same instant as that outbound event are taken as before it; a message synced twice is
    not told apart here, its copy falls within minutes of the first.)
    """
    out: dict[str, datetime] = {}
    for chunk in chunked(candidate_ids):
        last_out = (
            select(Event.candidate_id, func.max(Event.occurred_at).label("at"))
            .where(
                Event.org_id == org_id,
                Event.candidate_id.in_(chunk),
                Event.direction == "outbound",
                Event.occurred_at <= as_of,
            )
            .group_by(Event.candidate_id)
            .subquery()
        )
        stmt = (
            select(Event.candidate_id, func.min(Event.occurred_at))
            .outerjoin(last_out, last_out.c.candidate_id == Event.candidate_id)
            .where(
                Event.org_id == org_id,
                Event.candidate_id.in_(chunk),
                Event.direction == "inbound",
                Event.needs_reply.is_(True),
                Event.occurred_at <= as_of,
                or_(last_out.c.at.is_(None), Event.occurred_at > last_out.c.at),
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
