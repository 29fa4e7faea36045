"""ISO weeks (`2026-W47`) and their boundaries in an organisation's time zone.

A week runs from Monday 00:00 to the next Monday 00:00 *local* time, so a week that contains
a daylight-saving change is 167 or 169 hours long; both ends are returned in UTC.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.core.errors import UnprocessableContent, field_error
from app.core.ids import utcnow
from app.core.schemas import AS_OF_HORIZON, EARLIEST

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class IsoWeek:
    """One ISO week in one time zone."""

    year: int
    week: int
    timezone: str

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def starts_at(self) -> datetime:
        """Monday 00:00 local time, in UTC."""
        return _local_midnight(self.monday, self.timezone)

    @property
    def ends_at(self) -> datetime:
        """The next Monday 00:00 local time, in UTC (exclusive)."""
        return _local_midnight(self.monday + timedelta(days=7), self.timezone)

    def shifted(self, weeks: int) -> "IsoWeek":
        """The ISO week `weeks` weeks later (earlier when negative)."""
        year, week, _ = (self.monday + timedelta(weeks=weeks)).isocalendar()
        return IsoWeek(year=year, week=week, timezone=self.timezone)

    def contains(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at


def _local_midnight(day: date, timezone: str) -> datetime:
    # Midnight exists in every IANA zone we support on Mondays; fold=0 picks the first one.
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def parse_week(value: str, *, timezone: str, field: str = "query.week") -> IsoWeek:
    """Parse `YYYY-Www` (e.g. `2026-W47`, years 2000 … now + 5); else a 422 naming `field`."""
    match = _WEEK.match(value.strip())
    if match is None:
        raise UnprocessableContent(
            f"Invalid week {value!r}: use an ISO week such as 2026-W47.",
            errors=[field_error(field, "expected an ISO week like 2026-W47")],
        )
    year, week = int(match.group(1)), int(match.group(2))
    latest = (utcnow() + AS_OF_HORIZON).year
    if not EARLIEST.year <= year <= latest:
        raise UnprocessableContent(
            f"Invalid week {value!r}: the year must lie between {EARLIEST.year} and {latest}.",
            errors=[field_error(field, f"the year must lie between {EARLIEST.year} and {latest}")],
        )
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UnprocessableContent(
            f"Invalid week {value!r}: {year} has no ISO week {week}.",
            errors=[field_error(field, f"{year} has no ISO week {week}")],
        ) from None
    return IsoWeek(year=year, week=week, timezone=timezone)


def week_of(instant: datetime, *, timezone: str) -> IsoWeek:
    """The ISO week that contains `instant` in `timezone`."""
    year, week, _ = instant.astimezone(ZoneInfo(timezone)).isocalendar()
    return IsoWeek(year=year, week=week, timezone=timezone)


def last_completed_week(now: datetime, *, timezone: str) -> IsoWeek:
    """The most recent week that has ended by `now` (last week, seen from any day of this one)."""
    return week_of(now, timezone=timezone).shifted(-1)
