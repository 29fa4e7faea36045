"""Business-time arithmetic: working hours in a time zone, minus public holidays.

Pure functions over aware datetimes; no database. A `WorkingCalendar` answers how many working
seconds lie between two instants and which instant lies N working seconds after another.
Working windows are laid out on local wall-clock dates, so DST changes are handled by the
time-zone database rather than by arithmetic on offsets.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

_MAX_DAYS_SCANNED = 366 * 30


@lru_cache(maxsize=256)
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_supported_country(country: str) -> bool:
    """Tell whether the `holidays` package knows this ISO 3166 country code."""
    return country in holidays.list_supported_countries()


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours in one time zone, with an optional public-holiday country."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start: time = time(9, 0)
    end: time = time(17, 0)
    holiday_country: str | None = None

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.days:
            return False
        return not (self.holiday_country and day in _holiday_dates(self.holiday_country, day.year))

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Return the working window of a local date as UTC instants."""
        return _window(self, day)

    def windows(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield the working windows overlapping [start, end), clipped to it."""
        if end <= start:
            return
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        last = end.astimezone(self.tz).date() + timedelta(days=1)
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self.window(day)
                lo, hi = max(opens, start), min(closes, end)
                if lo < hi:
                    yield lo, hi
            day += timedelta(days=1)

    def business_seconds(
        self,
        start: datetime,
        end: datetime,
        *,
        excluding: Iterable[tuple[datetime, datetime]] = (),
    ) -> int:
        """Count working seconds in [start, end), leaving out the `excluding` intervals.

        Instants count to the whole second, so the result is exactly additive over a split
        point. The count is a difference of running totals (per-year prefix sums, cached),
        so it costs the same for an hour as for a year.
        """
        if end <= start:
            return 0
        total = self._running_total(end) - self._running_total(start)
        for lo, hi in merge_intervals(excluding):
            lo, hi = max(lo, start), min(hi, end)
            if lo < hi:
                total -= self._running_total(hi) - self._running_total(lo)
        return total

    def _running_total(self, instant: datetime) -> int:
        """Working seconds from the start of the instant's local year up to the instant."""
        instant = instant.replace(microsecond=0)
        day = instant.astimezone(self.tz).date()
        total = _year_prefix(self, day.year)[day.toordinal() - date(day.year, 1, 1).toordinal()]
        if self.is_working_day(day):
            opens, closes = self.window(day)
            if instant > opens:
                total += int((min(instant, closes) - opens).total_seconds())
        return total + _years_before(self, day.year)

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """Return the instant `seconds` working seconds after `start` (start if seconds <= 0)."""
        if seconds <= 0:
            return start
        remaining = timedelta(seconds=seconds)
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_working_day(day):
                opens, closes = self.window(day)
                lo = max(opens, start)
                if lo < closes:
                    available = closes - lo
                    if remaining <= available:
                        return lo + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time found within 30 years; check the working days")

    def next_working_start(self, instant: datetime) -> datetime:
        """Return the first working instant at or after `instant`."""
        day = instant.astimezone(self.tz).date()
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_working_day(day):
                opens, closes = self.window(day)
                if instant < closes:
                    return max(opens, instant)
            day += timedelta(days=1)
        raise ValueError("no working time found within 30 years; check the working days")

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """Return the working instant `days` whole working days after `start`.

        A result that falls on the close of a working day is given as the next working
        morning, the same point in business time but the one a person would write down.
        """
        end = self.add_business_seconds(self.next_working_start(start), self.seconds_per_day * days)
        return self.next_working_start(end)

    @property
    def seconds_per_day(self) -> int:
        return int(
            (
                datetime.combine(date(2000, 1, 3), self.end)
                - datetime.combine(date(2000, 1, 3), self.start)
            ).total_seconds()
        )


@lru_cache(maxsize=65536)
def _window(calendar: WorkingCalendar, day: date) -> tuple[datetime, datetime]:
    opens = datetime.combine(day, calendar.start, tzinfo=calendar.tz).astimezone(UTC)
    closes = datetime.combine(day, calendar.end, tzinfo=calendar.tz).astimezone(UTC)
    return opens, closes


@lru_cache(maxsize=4096)
def _year_prefix(calendar: WorkingCalendar, year: int) -> tuple[int, ...]:
    """prefix[i] = working seconds in the local days of `year` before its day i (from 0)."""
    prefix = [0]
    day = date(year, 1, 1)
    while day.year == year:
        seconds = 0
        if calendar.is_working_day(day):
            opens, closes = calendar.window(day)
            seconds = int((closes - opens).total_seconds())
        prefix.append(prefix[-1] + seconds)
        day += timedelta(days=1)
    return tuple(prefix)


_EPOCH_YEAR = 2020


@lru_cache(maxsize=4096)
def _years_before(calendar: WorkingCalendar, year: int) -> int:
    """Working seconds from 1 January of _EPOCH_YEAR (local) to 1 January of `year`."""
    if year <= _EPOCH_YEAR:
        return -sum(_year_prefix(calendar, y)[-1] for y in range(year, _EPOCH_YEAR))
    return _years_before(calendar, year - 1) + _year_prefix(calendar, year - 1)[-1]


def merge_intervals(
    intervals: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Merge overlapping [lo, hi) intervals, dropping empty ones."""
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(i for i in intervals if i[0] < i[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
