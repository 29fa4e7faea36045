"""The weekly report as JSON (`GET /api/v1/reports/weekly`); CSV and HTML render the same data."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.scoring.schemas import Band

FlaggedCategory = Literal["newly_flagged", "still_flagged"]


class ReportFlagRead(BaseModel):
    """One open (or, for new ones, raised-this-week) flag with its evidence dates."""

    id: str
    code: str
    severity: Literal["low", "medium", "high"]
    summary: str
    clears_when: str
    raised_at: datetime
    status: Literal["open", "acknowledged", "dismissed"]
    active: bool = Field(description="Still true at the end of the week (or as_of)")
    raised_this_week: bool
    evidence_dates: list[datetime] = Field(
        description="When the events the flag rests on happened, oldest first"
    )


class ReportCandidateRead(BaseModel):
    """Who the row is about."""

    candidate_id: str
    external_id: str
    name: str | None
    recruiter_external_id: str | None
    job: str | None
    stage: str | None


class FlaggedCandidateRead(ReportCandidateRead):
    """A candidate with flags, this week's first, then by severity: the first is the top reason."""

    category: FlaggedCategory
    score: int | None
    band: Band
    flags: list[ReportFlagRead]
    next_action: str | None = None
    next_action_due_at: datetime | None = None


class RecoveredCandidateRead(ReportCandidateRead):
    """A candidate who left `not_that_into_you` or had every flag cleared this week."""

    reason: Literal["left_not_that_into_you", "flags_cleared"]
    at: datetime
    score: int | None
    band: Band
    previous_band: str | None = None
    cleared_flags: list[str] = Field(default_factory=list)


class WaitingCandidateRead(ReportCandidateRead):
    """Mirror view: the candidate waits for us (an unanswered message) or a promise is overdue."""

    waiting_since: datetime | None = Field(description="Their unanswered message, if any")
    waiting_business_hours: float | None
    overdue_promises: list[datetime] = Field(
        description="`promised_by` dates that passed with no later outbound event"
    )


class DeclinedCandidateRead(ReportCandidateRead):
    """A candidate who said no (band `declined`): close the loop kindly."""

    declined_at: datetime | None = Field(description="When they declined")
    this_week: bool = Field(description="Declined during the report's week")


class NoShowRead(ReportCandidateRead):
    occurred_at: datetime
    event_external_id: str


class NextActionDueRead(ReportCandidateRead):
    action: str
    due_at: datetime
    overdue: bool = Field(description="Fell due before as_of and is still to do")
    reason: str | None = None
    band: Band


class WeekStatsRead(BaseModel):
    """Exchanges opened in one week, and how many were answered by that week's end (or as_of)."""

    week: str
    exchanges_opened: int
    responded: int
    response_rate: float | None = Field(description="responded / exchanges_opened, 3 decimals")
    median_reply_business_hours: float | None


class ResponsivenessRead(BaseModel):
    this_week: WeekStatsRead
    previous_week: WeekStatsRead
    response_rate_change: float | None = Field(description="this week minus previous week")
    median_reply_change_business_hours: float | None


class LatencyBucketRead(BaseModel):
    """One bar of the reply-latency distribution (business hours, lower bound inclusive)."""

    label: str
    lower_business_hours: float | None
    upper_business_hours: float | None
    count: int
    share: float = Field(description="count / all exchanges in the chart, 3 decimals")


class ReportTotalsRead(BaseModel):
    newly_flagged: int
    still_flagged: int
    recovered: int
    waiting_on_us: int
    no_shows: int
    next_actions_due: int
    declined: int = 0


class WeeklyReportRead(BaseModel):
    """The weekly flagged-candidate report for one organisation or one recruiter."""

    week: str = Field(examples=["2026-W47"])
    timezone: str = Field(description="The organisation's time zone; the week is local to it")
    starts_at: datetime = Field(description="Monday 00:00 local time")
    ends_at: datetime = Field(description="The next Monday 00:00 local time (exclusive)")
    as_of: datetime = Field(description="State evaluated at this instant (week end, or now)")
    generated_at: datetime
    recruiter_external_id: str | None
    recruiter_name: str | None
    totals: ReportTotalsRead
    newly_flagged: list[FlaggedCandidateRead]
    still_flagged: list[FlaggedCandidateRead]
    recovered: list[RecoveredCandidateRead]
    waiting_on_us: list[WaitingCandidateRead]
    no_shows: list[NoShowRead]
    declined: list[DeclinedCandidateRead] = Field(
        default_factory=list,
        description="Active candidates who declined (their own group, never flagged), most "
        "recent first",
    )
    responsiveness: ResponsivenessRead
    latency_distribution: list[LatencyBucketRead] = Field(
        description="Replies to exchanges opened this week, plus those still unanswered"
    )
    next_actions_until: datetime = Field(description="The end of the coming week (exclusive)")
    next_actions_due: list[NextActionDueRead] = Field(
        description="Next actions due from the start of the week (overdue ones included) "
        "to the end of the coming week"
    )


ReportSection = Literal[
    "newly_flagged",
    "still_flagged",
    "recovered",
    "waiting_on_us",
    "no_shows",
    "declined",
    "next_actions_due",
]


class WeeklyReportSummaryRead(BaseModel):
    """The weekly report without its lists: the first line of the JSON-lines export.

    Every field means what it means in the whole report (`WeeklyReportRead`).
    """

    section: Literal["summary"] = "summary"
    week: str = Field(examples=["2026-W47"])
    timezone: str
    starts_at: datetime
    ends_at: datetime
    as_of: datetime
    generated_at: datetime
    recruiter_external_id: str | None
    recruiter_name: str | None
    totals: ReportTotalsRead = Field(description="How many rows each section has")
    responsiveness: ResponsivenessRead
    latency_distribution: list[LatencyBucketRead]
    next_actions_until: datetime


class FlaggedRowRead(FlaggedCandidateRead):
    section: Literal["newly_flagged", "still_flagged"]


class RecoveredRowRead(RecoveredCandidateRead):
    section: Literal["recovered"] = "recovered"


class WaitingRowRead(WaitingCandidateRead):
    section: Literal["waiting_on_us"] = "waiting_on_us"


class NoShowRowRead(NoShowRead):
    section: Literal["no_shows"] = "no_shows"


class DeclinedRowRead(DeclinedCandidateRead):
    section: Literal["declined"] = "declined"


class NextActionRowRead(NextActionDueRead):
    section: Literal["next_actions_due"] = "next_actions_due"


WeeklyReportRowRead = Annotated[
    FlaggedRowRead
    | RecoveredRowRead
    | WaitingRowRead
    | NoShowRowRead
    | DeclinedRowRead
    | NextActionRowRead,
    Field(discriminator="section"),
]
"""One item of one section of the weekly report, named by `section`."""


class WeeklyReportPageRead(BaseModel):
    """One page of the weekly report's items, section after section, each by key.

    The first page (no cursor) carries the summary; later pages have `summary: null`. The
    cursor pins the week, the scope and the report's `as_of`.
    """

    summary: WeeklyReportSummaryRead | None
    items: list[WeeklyReportRowRead]
    next_cursor: str | None


class DismissalReasonRead(BaseModel):
    reason: str = Field(description="Lower-cased, trimmed")
    count: int


class FlagQualityItemRead(BaseModel):
    code: str = Field(description="The signal code")
    label: str
    raised: int = Field(description="Flags raised (by evidence time) in the window")
    acknowledged: int = Field(description="Flags acknowledged in the window")
    dismissed: int = Field(description="Flags dismissed in the window")
    dismissal_rate: float | None = Field(description="dismissed / raised (3 decimals)")
    top_dismissal_reasons: list[DismissalReasonRead]


class FlagQualityRead(BaseModel):
    """Recruiter feedback on each negative signal, to tune thresholds from evidence."""

    as_of: datetime
    since: datetime
    days: int
    items: list[FlagQualityItemRead]
