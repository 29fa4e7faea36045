"""Business time: worked examples and properties (hypothesis)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.business_time import WorkingCalendar, merge_intervals

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    ZoneInfo(z)
    for z in (
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Sydney",
        "America/Los_Angeles",
    )
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_friday_afternoon_to_monday_morning_is_two_hours() -> None:
    calendar = WorkingCalendar(tz=BERLIN)
    assert (
        calendar.business_seconds(at("2026-11-06T16:00:00+01:00"), at("2026-11-09T10:00:00+01:00"))
        == 7200
    )


def test_same_day_inside_hours_equals_wall_time() -> None:
    calendar = WorkingCalendar(tz=NEW_YORK)
    assert (
        calendar.business_seconds(at("2026-11-02T10:00:00-05:00"), at("2026-11-02T11:30:00-05:00"))
        == 5400
    )


def test_outside_hours_count_nothing() -> None:
    calendar = WorkingCalendar(tz=NEW_YORK)
    assert (
        calendar.business_seconds(at("2026-11-02T17:30:00-05:00"), at("2026-11-03T08:59:00-05:00"))
        == 0
    )


def test_weekend_counts_nothing() -> None:
    calendar = WorkingCalendar(tz=BERLIN)
    assert (
        calendar.business_seconds(at("2026-11-07T00:00:00+01:00"), at("2026-11-09T00:00:00+01:00"))
        == 0
    )


def test_holiday_counts_nothing_only_with_a_holiday_country() -> None:
    thanksgiving = (at("2026-11-26T00:00:00-05:00"), at("2026-11-27T00:00:00-05:00"))
    assert WorkingCalendar(tz=NEW_YORK, holiday_country="US").business_seconds(*thanksgiving) == 0
    assert WorkingCalendar(tz=NEW_YORK).business_seconds(*thanksgiving) == 8 * 3600


def test_time_zone_of_the_candidate_decides_the_hours() -> None:
    start, end = at("2026-11-02T14:00:00Z"), at("2026-11-02T18:00:00Z")
    # 14:00-18:00 UTC is 15:00-19:00 in Berlin (2h inside) and 09:00-13:00 in New York (4h).
    assert WorkingCalendar(tz=BERLIN).business_seconds(start, end) == 2 * 3600
    assert WorkingCalendar(tz=NEW_YORK).business_seconds(start, end) == 4 * 3600


def test_dst_change_keeps_local_working_hours() -> None:
    calendar = WorkingCalendar(tz=NEW_YORK)
    # DST ends on Sunday 2026-11-01: Friday 09:00 EDT to Monday 17:00 EST is two full days.
    start, end = at("2026-10-30T09:00:00-04:00"), at("2026-11-02T17:00:00-05:00")
    assert calendar.business_seconds(start, end) == 16 * 3600
    assert calendar.window(at("2026-11-02T12:00:00Z").date())[0] == at("2026-11-02T14:00:00Z")
    assert calendar.window(at("2026-10-30T12:00:00Z").date())[0] == at("2026-10-30T13:00:00Z")


def test_announced_absence_is_excluded() -> None:
    calendar = WorkingCalendar(tz=BERLIN)
    start, end = at("2026-11-02T09:00:00+01:00"), at("2026-11-06T17:00:00+01:00")
    away = (at("2026-11-03T00:00:00+01:00"), at("2026-11-05T00:00:00+01:00"))
    assert calendar.business_seconds(start, end, excluding=[away]) == 3 * 8 * 3600


def test_add_business_seconds_skips_the_weekend() -> None:
    calendar = WorkingCalendar(tz=BERLIN)
    assert calendar.add_business_seconds(at("2026-11-06T16:00:00+01:00"), 7200) == at(
        "2026-11-09T10:00:00+01:00"
    )


def test_custom_working_days_and_hours() -> None:
    calendar = WorkingCalendar(tz=BERLIN, days=frozenset({6}), start=time(10), end=time(12))
    week = (at("2026-11-02T00:00:00+01:00"), at("2026-11-09T00:00:00+01:00"))
    assert calendar.business_seconds(*week) == 2 * 3600


def test_merge_intervals() -> None:
    a, b, c = at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z"), at("2026-01-03T00:00:00Z")
    assert merge_intervals([(b, c), (a, b), (c, c)]) == [(a, c)]


instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
calendars = st.builds(
    WorkingCalendar,
    tz=st.sampled_from(ZONES),
    holiday_country=st.sampled_from([None, "US", "DE", "GB"]),
)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, instants, instants)
def test_additive_over_a_split_point(
    calendar: WorkingCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    lo, mid, hi = sorted([a, b, c])
    assert calendar.business_seconds(lo, hi) == calendar.business_seconds(
        lo, mid
    ) + calendar.business_seconds(mid, hi)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, st.integers(min_value=0, max_value=60 * 24 * 3600))
def test_never_above_wall_time(calendar: WorkingCalendar, start: datetime, span: int) -> None:
    end = start + timedelta(seconds=span)
    assert 0 <= calendar.business_seconds(start, end) <= span


@settings(max_examples=100, deadline=None)
@given(calendars, instants)
def test_zero_across_any_weekend(calendar: WorkingCalendar, instant: datetime) -> None:
    local = instant.astimezone(calendar.tz)
    saturday = local.date() + timedelta(days=(5 - local.weekday()) % 7)
    start = datetime.combine(saturday, time(0), tzinfo=calendar.tz)
    end = datetime.combine(saturday + timedelta(days=2), time(0), tzinfo=calendar.tz)
    assert calendar.business_seconds(start, end) == 0


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["US", "DE", "GB", "FR"]), st.integers(min_value=2024, max_value=2028))
def test_zero_on_every_public_holiday(country: str, year: int) -> None:
    import holidays

    calendar = WorkingCalendar(tz=ZoneInfo("UTC"), holiday_country=country)
    for day in holidays.country_holidays(country, years=year):
        start = datetime.combine(day, time(0), tzinfo=UTC)
        assert calendar.business_seconds(start, start + timedelta(days=1)) == 0


@settings(max_examples=150, deadline=None)
@given(calendars, instants, st.integers(min_value=1, max_value=200 * 3600))
def test_add_then_measure_round_trips(
    calendar: WorkingCalendar, start: datetime, seconds: int
) -> None:
    end = calendar.add_business_seconds(start, seconds)
    assert calendar.business_seconds(start, end) == seconds


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([NEW_YORK, BERLIN, ZoneInfo("Australia/Sydney")]),
    st.integers(min_value=2024, max_value=2028),
)
def test_every_working_day_is_eight_hours_even_on_dst_days(tz: ZoneInfo, year: int) -> None:
    calendar = WorkingCalendar(tz=tz)
    day = datetime(year, 1, 1).date()
    while day.year == year:
        if calendar.is_working_day(day):
            opens, closes = calendar.window(day)
            assert (closes - opens) == timedelta(hours=8)
        day += timedelta(days=1)


def _walk_days(calendar: WorkingCalendar, start: datetime, end: datetime) -> int:
    """The plain definition: sum the overlaps with each day's working window."""
    start, end = start.replace(microsecond=0), end.replace(microsecond=0)
    return int(sum((hi - lo).total_seconds() for lo, hi in calendar.windows(start, end)))


@settings(max_examples=300, deadline=None)
@given(calendars, instants, instants)
def test_running_totals_agree_with_walking_the_days(
    calendar: WorkingCalendar, a: datetime, b: datetime
) -> None:
    lo, hi = sorted([a, b])
    assert calendar.business_seconds(lo, hi) == _walk_days(calendar, lo, hi)
