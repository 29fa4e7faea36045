"""The scoring settings document (`GET/PUT /api/v1/settings/scoring`) and its defaults.

One document per organisation version. Working hours, holiday country and time zone decide
business time; `thresholds` and `weights` tune the signals in `scoring/signals.py`.
"""

import re
from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.business_time import WorkingCalendar, is_supported_country
from app.core.timestamps import validate_timezone

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class WorkingHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], min_length=1, max_length=7)
    start: str = "09:00"
    end: str = "17:00"

    @field_validator("days")
    @classmethod
    def _valid_days(cls, days: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in days):
            raise ValueError("days are 0 (Monday) to 6 (Sunday)")
        if len(set(days)) != len(days):
            raise ValueError("days must not repeat")
        return sorted(days)

    @field_validator("start", "end")
    @classmethod
    def _valid_time(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("times are HH:MM, 24-hour")
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> "WorkingHours":
        if self.start >= self.end:
            raise ValueError("start must be before end (overnight shifts are not supported)")
        return self


class Thresholds(BaseModel):
    """Signal thresholds; the defaults are the contract's."""

    model_config = ConfigDict(extra="forbid")

    no_callback_business_hours: float = Field(default=8, gt=0, le=400)
    slow_reply_business_hours: float = Field(default=16, gt=0, le=2000)
    slow_reply_median_multiple: float = Field(default=3, gt=1, le=100)
    ghosting_attempts: int = Field(default=3, ge=1, le=50)
    ghosting_business_days: float = Field(default=5, gt=0, le=200)
    repeated_apologies_count: int = Field(default=2, ge=2, le=50)
    repeated_apologies_window_days: float = Field(default=30, gt=0, le=365)
    words_not_actions_window_days: float = Field(default=14, gt=0, le=365)
    reschedules_count: int = Field(default=2, ge=1, le=50)
    cooling_multiple: float = Field(default=2, gt=1, le=100)
    cooling_window_exchanges: int = Field(default=3, ge=1, le=20)
    prompt_reply_business_hours: float = Field(default=4, gt=0, le=200)
    thank_you_window_hours: float = Field(default=24, gt=0, le=336)
    decay_half_life_days: float = Field(default=30, gt=0, le=3650)


class Weights(BaseModel):
    """Points each signal moves the score by (negative signals subtract, positive add)."""

    model_config = ConfigDict(extra="forbid")

    missed_meeting: float = Field(default=20, ge=0, le=100)
    no_callback: float = Field(default=10, ge=0, le=100)
    slow_reply: float = Field(default=10, ge=0, le=100)
    ghosting: float = Field(default=45, ge=0, le=100)
    unfulfilled_request: float = Field(default=15, ge=0, le=100)
    repeated_apologies: float = Field(default=10, ge=0, le=100)
    words_not_actions: float = Field(default=15, ge=0, le=100)
    reschedules: float = Field(default=10, ge=0, le=100)
    cooling: float = Field(default=10, ge=0, le=100)
    prompt_replies: float = Field(default=10, ge=0, le=100)
    thank_you_note: float = Field(default=5, ge=0, le=100)
    proactive_follow_up: float = Field(default=5, ge=0, le=100)


class ScoringSettingsDocument(BaseModel):
    """The whole settings document; `PUT` replaces it (every field has a default)."""

    model_config = ConfigDict(extra="forbid")

    working_hours: WorkingHours = Field(default_factory=WorkingHours)
    holiday_country: str | None = None
    timezone: str = "UTC"
    body_retention: Literal["keep", "redact"] = "keep"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    weights: Weights = Field(default_factory=Weights)

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if not is_supported_country(value):
            raise ValueError(f"unknown or unsupported holiday country {value!r} (ISO 3166)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return validate_timezone(value)

    def calendar(self, timezone: str | None = None) -> WorkingCalendar:
        """Build the working calendar in `timezone` (a candidate's) or the org's."""
        return WorkingCalendar(
            tz=ZoneInfo(timezone or self.timezone),
            days=frozenset(self.working_hours.days),
            start=time.fromisoformat(self.working_hours.start),
            end=time.fromisoformat(self.working_hours.end),
            holiday_country=self.holiday_country,
        )
