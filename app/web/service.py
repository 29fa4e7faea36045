"""What each page needs, gathered from the domain services in one call per page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.candidates import service as candidates_service
from app.candidates.models import Candidate
from app.core.errors import BadRequest
from app.derivation import flows
from app.events import repository as events_repository
from app.events import service as events_service
from app.orgs import service as orgs_service
from app.scoring import service as scoring_service
from app.scoring.models import CandidateScore, Flag
from app.scoring.service import CandidateEvaluation
from app.web import charts, views
from app.web import repository as web_repository

PAGE_SIZE = 25


@dataclass(frozen=True)
class PipelineFilters:
    """The pipeline's filters; `recruiter` None means every recruiter."""

    recruiter: str | None = None
    band: str | None = None
    flag: str | None = None
    stage: str | None = None
    status: str = "active"
    q: str | None = None


@dataclass(frozen=True)
class PipelineEntry:
    candidate: Candidate
    score: CandidateScore
    flags: list[str]
    next_action: dict[str, Any] | None
    next_due: datetime | None
    overdue: bool
    waiting_hours: float


@dataclass(frozen=True)
class PipelinePage:
    rows: list[PipelineEntry]
    next_cursor: str | None
    waiting_on_us: int
    recruiters: list[tuple[str, str | None]]
    stages: list[str]
    tz: ZoneInfo
    as_of: datetime


def pipeline_page(
    session: Session,
    *,
    org_id: str,
    filters: PipelineFilters,
    cursor: str | None,
    as_of: datetime,
    limit: int = PAGE_SIZE,
) -> PipelinePage:
    """Rank the pipeline page and gather the filter choices and the waiting-on-us count."""
    flows.catch_up(session, org_id=org_id)

    def rank(after: str | None) -> tuple[list[scoring_service.PipelineRow], str | None]:
        return scoring_service.pipeline(
            session,
            org_id=org_id,
            as_of=as_of,
            limit=limit,
            cursor=after,
            recruiter_external_id=filters.recruiter,
            band=filters.band,
            flag=filters.flag,
            stage=filters.stage,
            status=filters.status,
            search=filters.q,
        )

    try:
        ranked, next_cursor = rank(cursor)
    except BadRequest:  # a stale or edited cursor: start from the first page
        ranked, next_cursor = rank(None)
    rows: list[PipelineEntry] = []
    for ranked_row in ranked:
        candidate, score = ranked_row.candidate, ranked_row.score
        due = views.parse_due(score.next_action)
        rows.append(
            PipelineEntry(
                candidate=candidate,
                score=score,
                flags=score.flag_codes.split(),
                next_action=score.next_action,
                next_due=due,
                overdue=due is not None and due <= as_of,
                waiting_hours=float(ranked_row.metrics.get("waiting_on_us_business_hours") or 0),
            )
        )
    settings = orgs_service.get_current_settings(session, org_id=org_id)
    return PipelinePage(
        rows=rows,
        next_cursor=next_cursor,
        waiting_on_us=web_repository.count_waiting_on_us(
            session, org_id, as_of=as_of, recruiter_external_id=filters.recruiter
        ),
        recruiters=web_repository.recruiter_choices(session, org_id),
        stages=web_repository.stage_choices(session, org_id),
        tz=ZoneInfo(settings.document.timezone),
        as_of=as_of,
    )


@dataclass(frozen=True)
class CandidatePage:
    candidate: Candidate
    evaluation: CandidateEvaluation
    open_flags: list[views.FlagView]
    closed_flags: list[views.FlagView]
    timeline: list[views.TimelineEntry]
    exchanges: list[views.ExchangeRow]
    breakdown: list[charts.BreakdownBar]
    breakdown_chart: Any
    sparkline: Any
    next_due: datetime | None
    tz: ZoneInfo
    slow_at: float
    waiting_hours: float
    overdue_promises: int
    as_of: datetime


def candidate_page(
    session: Session, *, org_id: str, candidate_id: str, as_of: datetime
) -> CandidatePage:
    """Everything the candidate page shows (NotFound for another organisation's candidate)."""
    candidate = candidates_service.get_candidate(session, org_id=org_id, candidate_id=candidate_id)
    evaluation = flows.evaluation_for(session, candidate=candidate, as_of=as_of)
    settings = orgs_service.get_current_settings(session, org_id=org_id)
    tz = ZoneInfo(settings.document.timezone)
    events, history = events_service.history_for(
        session, candidate=candidate, settings=settings, as_of=as_of
    )
    labels = views.event_labels(events, tz)
    all_flags = scoring_service.list_flags(session, candidate=candidate)
    open_ids = {f.id for f in evaluation.open_flags}
    slow_at = settings.document.thresholds.slow_reply_business_hours
    bars = views.breakdown_bars(evaluation.score.breakdown)
    points = views.latency_points(history)
    return CandidatePage(
        candidate=candidate,
        evaluation=evaluation,
        open_flags=[views.flag_view(f, labels, tz) for f in evaluation.open_flags],
        closed_flags=[
            views.flag_view(f, labels, tz)
            for f in reversed(all_flags)
            if f.id not in open_ids and f.status == "dismissed"
        ],
        timeline=views.timeline_entries(events, history, evaluation.open_flags, tz),
        exchanges=views.exchange_rows(history, slow_at=slow_at, tz=tz),
        breakdown=bars,
        breakdown_chart=charts.breakdown_chart(bars),
        sparkline=charts.sparkline(points, slow_at=slow_at) if len(points) > 1 else "",
        next_due=views.parse_due(evaluation.score.next_action),
        tz=tz,
        slow_at=slow_at,
        waiting_hours=float(evaluation.metrics.get("waiting_on_us_business_hours") or 0),
        overdue_promises=sum(1 for p in history.promises if p.overdue),
        as_of=as_of,
    )


@dataclass(frozen=True)
class FlagChange:
    flag: views.FlagView
    evaluation: CandidateEvaluation
    tz: ZoneInfo
    next_due: datetime | None
    now: datetime


def change_flag(
    session: Session, *, org_id: str, flag_id: str, status: str, reason: str | None, now: datetime
) -> FlagChange:
    """Acknowledge or dismiss a flag and return it with the candidate's new evaluation."""
    flag = scoring_service.get_flag(session, org_id=org_id, flag_id=flag_id)
    scoring_service.set_flag_status(session, flag=flag, status=status, reason=reason)
    return _flag_change(session, org_id=org_id, flag=flag, now=now)


def flag_state(session: Session, *, org_id: str, flag_id: str, now: datetime) -> FlagChange:
    """A flag as it stands, with the candidate's evaluation (to redisplay it unchanged)."""
    flag = scoring_service.get_flag(session, org_id=org_id, flag_id=flag_id)
    return _flag_change(session, org_id=org_id, flag=flag, now=now)


def _flag_change(session: Session, *, org_id: str, flag: Flag, now: datetime) -> FlagChange:
    candidate = candidates_service.get_candidate(
        session, org_id=org_id, candidate_id=flag.candidate_id
    )
    evaluation = flows.evaluation_for(session, candidate=candidate, as_of=now)
    settings = orgs_service.get_current_settings(session, org_id=org_id)
    tz = ZoneInfo(settings.document.timezone)
    events = events_repository.list_for_candidate(session, org_id, candidate.id)
    return FlagChange(
        flag=views.flag_view(flag, views.event_labels(events, tz), tz),
        evaluation=evaluation,
        tz=tz,
        next_due=views.parse_due(evaluation.score.next_action),
        now=now,
    )
