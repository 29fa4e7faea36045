"""The weekly report: resolve the week and scope, bring stored evaluations up to the week's end,
then assemble the content (`build.py`) from the queries (`repository.py`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.core.errors import NotFound, UnprocessableContent, field_error
from app.core.ids import utcnow
from app.derivation import flows
from app.orgs import service as orgs_service
from app.orgs.service import CurrentSettings
from app.reports import build, repository
from app.reports.schemas import (
    DismissalReasonRead,
    FlagQualityItemRead,
    FlagQualityRead,
    ReportTotalsRead,
    ResponsivenessRead,
    WeeklyReportRead,
)
from app.reports.week import IsoWeek, last_completed_week, parse_week
from app.scoring import repository as scoring_repository
from app.scoring import service as scoring_service
from app.scoring.labels import signal_label
from app.scoring.signals import NEGATIVE_CODES

FLAG_QUALITY_DAYS = 90


def resolve_week(
    session: Session, *, org_id: str, week: str | None, now: datetime
) -> tuple[IsoWeek, CurrentSettings]:
    """Parse `week` in the org's time zone (default: the last completed week); 422 if invalid."""
    settings = orgs_service.get_current_settings(session, org_id=org_id)
    timezone = settings.document.timezone
    iso = (
        parse_week(week, timezone=timezone)
        if week is not None
        else last_completed_week(now, timezone=timezone)
    )
    if iso.starts_at > now:
        raise UnprocessableContent(
            f"Week {iso.label} has not started yet.",
            errors=[field_error("query.week", "the week has not started yet")],
        )
    return iso, settings


def org_timezone(session: Session, *, org_id: str) -> str:
    return orgs_service.get_current_settings(session, org_id=org_id).document.timezone


def report_as_of(week: IsoWeek, now: datetime) -> datetime:
    """The instant a week's report describes: its end, or now while it is under way."""
    return min(week.ends_at, now)


@dataclass(frozen=True)
class ReportScope:
    """One report: the organisation (or one recruiter), the week and the instant it describes."""

    org_id: str
    week: IsoWeek
    as_of: datetime
    settings: CurrentSettings
    recruiter_external_id: str | None = None
    recruiter_name: str | None = None


def prepare_report(
    session: Session,
    *,
    org_id: str,
    week: str | None,
    recruiter_external_id: str | None = None,
    now: datetime | None = None,
) -> ReportScope:
    """Resolve a report's week and scope (422 / 404) and bring stored state up to its `as_of`."""
    now = now or utcnow()
    iso, settings = resolve_week(session, org_id=org_id, week=week, now=now)
    recruiter_name = None
    if recruiter_external_id is not None:
        if not repository.recruiter_known(session, org_id, recruiter_external_id):
            raise NotFound("No such recruiter.")
        recruiter = repository.get_recruiter(session, org_id, recruiter_external_id)
        recruiter_name = recruiter.name if recruiter else None
    as_of = report_as_of(iso, now)
    refresh(
        session,
        org_id=org_id,
        as_of=as_of,
        settings=settings,
        candidate_ids=(
            repository.active_candidate_ids(session, org_id, recruiter_external_id)
            if recruiter_external_id is not None
            else None
        ),
    )
    return ReportScope(
        org_id=org_id,
        week=iso,
        as_of=as_of,
        settings=settings,
        recruiter_external_id=recruiter_external_id,
        recruiter_name=recruiter_name,
    )


def weekly_report(
    session: Session,
    *,
    org_id: str,
    week: str | None,
    recruiter_external_id: str | None = None,
    now: datetime | None = None,
) -> WeeklyReportRead:
    """Build the weekly report for an organisation, or for one of its recruiters (404 if absent)."""
    scope = prepare_report(
        session, org_id=org_id, week=week, recruiter_external_id=recruiter_external_id, now=now
    )
    return build_report(
        session,
        org_id=org_id,
        week=scope.week,
        settings=scope.settings,
        as_of=scope.as_of,
        recruiter_external_id=recruiter_external_id,
        recruiter_name=scope.recruiter_name,
    )


def refresh(
    session: Session,
    *,
    org_id: str,
    as_of: datetime,
    settings: CurrentSettings,
    candidate_ids: list[str] | None = None,
) -> int:
    """Re-evaluate stored scores and flags that do not hold at `as_of` (the report reads them)."""
    flows.catch_up(session, org_id=org_id)
    return scoring_service.ensure_fresh(
        session, org_id=org_id, as_of=as_of, settings=settings, candidate_ids=candidate_ids
    )


def build_report(
    session: Session,
    *,
    org_id: str,
    week: IsoWeek,
    settings: CurrentSettings,
    as_of: datetime,
    recruiter_external_id: str | None,
    recruiter_name: str | None,
) -> WeeklyReportRead:
    """Assemble the report from stored state, which must already hold at `as_of`."""
    repository.plan_for_reports(session)
    scope = (session, org_id, recruiter_external_id)
    start, end = week.starts_at, week.ends_at

    flag_rows = repository.flagged(*scope, start=start, end=end)
    evidence = repository.event_times(
        session, org_id, [e for flag, _, _ in flag_rows for e in flag.evidence]
    )
    newly, still = build.flagged_candidates(flag_rows, start=start, evidence=evidence)

    recovered = build.recoveries(
        repository.band_recoveries(*scope, start=start, end=as_of),
        repository.cleared_flags(*scope, start=start, end=as_of),
    )

    waiting_candidates = repository.waiting_on_us(*scope, as_of=as_of)
    waiting = build.waiting_on_us(
        waiting_candidates, mirror_views(session, org_id, waiting_candidates, settings, as_of)
    )

    no_shows = build.no_show_items(repository.no_shows(*scope, start=start, end=end))
    declined = build.declined_items(repository.declined(*scope), start=start, end=end)

    this_stats, responsiveness = week_responsiveness(
        session, org_id, recruiter_external_id, week=week, as_of=as_of
    )

    coming_end = week.shifted(1).ends_at
    next_actions = build.next_action_items(
        repository.next_actions_due(*scope, start=start, end=coming_end), as_of=as_of
    )

    return WeeklyReportRead(
        week=week.label,
        timezone=week.timezone,
        starts_at=start,
        ends_at=end,
        as_of=as_of,
        generated_at=utcnow(),
        recruiter_external_id=recruiter_external_id,
        recruiter_name=recruiter_name,
        totals=ReportTotalsRead(
            newly_flagged=len(newly),
            still_flagged=len(still),
            recovered=len(recovered),
            waiting_on_us=len(waiting),
            no_shows=len(no_shows),
            next_actions_due=len(next_actions),
            declined=len(declined),
        ),
        newly_flagged=newly,
        still_flagged=still,
        recovered=recovered,
        waiting_on_us=waiting,
        no_shows=no_shows,
        declined=declined,
        responsiveness=responsiveness,
        latency_distribution=build.latency_distribution(this_stats),
        next_actions_until=coming_end,
        next_actions_due=next_actions,
    )


def week_responsiveness(
    session: Session,
    org_id: str,
    recruiter_external_id: str | None,
    *,
    week: IsoWeek,
    as_of: datetime,
) -> tuple[repository.ExchangeStats, ResponsivenessRead]:
    """This week's exchange figures (for the reply-time chart) against the previous week's."""
    scope = (session, org_id, recruiter_external_id)
    this_stats = repository.exchange_stats(
        *scope, start=week.starts_at, end=week.ends_at, answered_by=as_of
    )
    previous = week.shifted(-1)
    previous_stats = repository.exchange_stats(
        *scope, start=previous.starts_at, end=previous.ends_at, answered_by=week.starts_at
    )
    return this_stats, build.responsiveness(
        build.week_stats(week.label, this_stats), build.week_stats(previous.label, previous_stats)
    )


def mirror_views(
    session: Session,
    org_id: str,
    candidates: list[Candidate],
    settings: CurrentSettings,
    as_of: datetime,
) -> dict[str, build.MirrorView]:
    """Each candidate's waiting clock and overdue promises as of `as_of`.

    Where the stored summary covers `as_of` (no event after it) the open clock is the stored
    `waiting_since`; for candidates with later events it is found in SQL.
    Overdue promises come from SQL with the same rule as the mirror view in events/domain.
    """
    overdue = repository.overdue_promises(session, org_id, [c.id for c in candidates], as_of)
    covered = [c for c in candidates if c.last_event_at is None or c.last_event_at <= as_of]
    behind = [c for c in candidates if c.last_event_at is not None and c.last_event_at > as_of]
    views: dict[str, build.MirrorView] = {}
    for candidate in covered:
        since = candidate.waiting_since
        seconds = (
            settings.document.calendar(candidate.timezone).business_seconds(since, as_of)
            if since is not None
            else None
        )
        views[candidate.id] = build.MirrorView(since, seconds, overdue.get(candidate.id, []))
    since_at = repository.open_waiting_since(session, org_id, [c.id for c in behind], as_of)
    for candidate in behind:
        since = since_at.get(candidate.id)
        calendar = settings.document.calendar(candidate.timezone)
        views[candidate.id] = build.MirrorView(
            since,
            calendar.business_seconds(since, as_of) if since is not None else None,
            overdue.get(candidate.id, []),
        )
    return views


def flag_quality(session: Session, *, org_id: str, as_of: datetime) -> FlagQualityRead:
    """Per signal code: raised, acknowledged and dismissed in the 90 days up to `as_of`."""
    since = as_of - timedelta(days=FLAG_QUALITY_DAYS)
    counts, reasons = scoring_repository.flag_quality(session, org_id, since=since, until=as_of)
    by_code = {c.code: c for c in counts}
    codes = [*NEGATIVE_CODES, *sorted(set(by_code) - set(NEGATIVE_CODES))]
    items = []
    for code in codes:
        found = by_code.get(code)
        raised = found.raised if found else 0
        dismissed = found.dismissed if found else 0
        items.append(
            FlagQualityItemRead(
                code=code,
                label=signal_label(code),
                raised=raised,
                acknowledged=found.acknowledged if found else 0,
                dismissed=dismissed,
                dismissal_rate=round(dismissed / raised, 3) if raised else None,
                top_dismissal_reasons=[
                    DismissalReasonRead(reason=text, count=n) for text, n in reasons.get(code, [])
                ],
            )
        )
    return FlagQualityRead(as_of=as_of, since=since, days=FLAG_QUALITY_DAYS, items=items)
