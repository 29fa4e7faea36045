"""ISO week boundaries in the organisation's time zone, across daylight-saving changes."""

from datetime import UTC, datetime, timedelta

import pytest

from app.core.errors import UnprocessableContent
from app.reports.week import last_completed_week, parse_week, week_of


def test_week_is_monday_to_monday_local_time() -> None:
    week = parse_week("2026-W47", timezone="America/New_York")
    assert week.starts_at == datetime(2026, 11, 16, 5, tzinfo=UTC)
    assert week.ends_at == datetime(2026, 11, 23, 5, tzinfo=UTC)
    assert week.shifted(-1).label == "2026-W46"
    assert week.shifted(1).starts_at == week.ends_at


def test_berlin_week_with_the_october_change_lasts_169_hours() -> None:
    # DST ends in the EU on Sunday 25 October 2026, the last day of W43.
    week = parse_week("2026-W43", timezone="Europe/Berlin")
    assert week.starts_at == datetime(2026, 10, 18, 22, tzinfo=UTC)  # Mon 00:00 CEST
    assert week.ends_at == datetime(2026, 10, 25, 23, tzinfo=UTC)  # Mon 00:00 CET
    assert week.ends_at - week.starts_at == timedelta(hours=169)
    following = week.shifted(1)
    assert following.ends_at - following.starts_at == timedelta(hours=168)


def test_new_york_week_with_the_november_change_lasts_169_hours() -> None:
    # DST ends in the US on Sunday 1 November 2026, the last day of W44.
    week = parse_week("2026-W44", timezone="America/New_York")
    assert week.starts_at == datetime(2026, 10, 26, 4, tzinfo=UTC)  # Mon 00:00 EDT
    assert week.ends_at == datetime(2026, 11, 2, 5, tzinfo=UTC)  # Mon 00:00 EST
    assert week.ends_at - week.starts_at == timedelta(hours=169)


def test_spring_forward_week_lasts_167_hours() -> None:
    week = parse_week("2027-W12", timezone="Europe/Berlin")  # 28 March 2027
    assert week.ends_at - week.starts_at == timedelta(hours=167)


def test_week_of_uses_the_local_date() -> None:
    sunday_night_utc = datetime(2026, 11, 23, 3, tzinfo=UTC)  # Sun 22:00 in New York
    assert week_of(sunday_night_utc, timezone="America/New_York").label == "2026-W47"
    assert week_of(sunday_night_utc, timezone="Europe/Berlin").label == "2026-W48"


def test_last_completed_week() -> None:
    monday_morning = datetime(2026, 11, 23, 8, tzinfo=UTC)
    assert last_completed_week(monday_morning, timezone="Europe/Berlin").label == "2026-W47"
    new_year = datetime(2027, 1, 4, 9, tzinfo=UTC)  # Monday of 2027-W01
    assert last_completed_week(new_year, timezone="UTC").label == "2026-W53"


@pytest.mark.parametrize("value", ["2026-47", "2026-W7", "W47", "2026-W00", "2027-W53", "x"])
def test_invalid_weeks_are_422(value: str) -> None:
    with pytest.raises(UnprocessableContent) as info:
        parse_week(value, timezone="UTC")
    assert info.value.errors and info.value.errors[0]["field"] == "query.week"


def test_53rd_week_exists_in_2026() -> None:
    assert parse_week("2026-W53", timezone="UTC").monday.isoformat() == "2026-12-28"
