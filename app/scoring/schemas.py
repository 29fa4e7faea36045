from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.candidates.schemas import CandidateSummary

Band = Literal["engaged", "cooling", "not_that_into_you", "unknown", "declined"]
FlagStatus = Literal["open", "acknowledged", "dismissed"]


class FlagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    candidate_id: str
    code: str
    severity: Literal["low", "medium", "high"]
    summary: str
    clears_when: str
    evidence: list[str] = Field(description="Event ids")
    evidence_external_ids: list[str] = Field(default_factory=list)
    raised_at: datetime
    status: FlagStatus
    active: bool = Field(description="False once the behaviour behind it no longer holds")
    cleared_at: datetime | None = None
    status_reason: str | None = None
    status_changed_at: datetime | None = None


class BreakdownItemRead(BaseModel):
    code: str
    points: int
    detail: str


class MetricsRead(BaseModel):
    exchanges: int = 0
    response_rate: float | None = None
    median_reply_business_hours: float | None = None
    p90_reply_business_hours: float | None = None
    open_attempts: int = 0
    no_shows: int = 0
    candidate_initiated: int = 0
    waiting_on_us_business_hours: float = 0


class NextActionRead(BaseModel):
    action: str
    due_at: datetime | None
    reason: str


class FlagDismiss(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class ScoreChangeRead(BaseModel):
    at: datetime
    score: int | None
    band: Band
    previous_score: int | None
    previous_band: Band | None
    settings_version: int
    reason: str
    signals_added: list[str]
    signals_removed: list[str]


class CandidateRead(CandidateSummary):
    """A candidate with their derived state: score, band, open flags, metrics, next action."""

    score: int | None = None
    band: Band = "unknown"
    flags: list[FlagRead] = Field(default_factory=list, description="Open flags")
    score_breakdown: list[BreakdownItemRead] = Field(default_factory=list)
    metrics: MetricsRead = Field(default_factory=MetricsRead)
    next_action: NextActionRead | None = None
    settings_version: int | None = None
    as_of: datetime
