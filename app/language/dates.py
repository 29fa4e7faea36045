"""Due times and return dates in every supported language.

Only short extracted phrases are ever parsed: the per-language tables in `lexicons` find a
date expression (at most a few dozen characters) and this module turns it into an instant in
the candidate's time zone, relative to the message's own local time. Dates written with a
month name ("3 December", "4 de diciembre", "7 décembre", "3. Dezember") and numeric dates
("12/11", "03.12.") are read by `dateparser`, with the day/month order of the language and
the writer's time zone (month/day only for English in the Americas). Relative words
("tomorrow", "end of the week", "in 3 days") come from the tables, because their business
meaning (17:00, the Friday) is ours, not a calendar's. A weekday names the next such day, and
the same day when written on it ("by Friday" on a Friday is today).

A due time with no time of day is 17:00 local; a return date is the start of that local day.
Anything outside a day before to two years after the message is ignored.
"""

import re
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import dateparser

from app.language.lexicons import DateTables

DEADLINE_TIME = time(17, 0)
TONIGHT_TIME = time(23, 59)
MAX_HORIZON = timedelta(days=731)
_PHRASE_MAX = 40
_MAX_COUNT = 1_000_000
_RANGE_AHEAD = timedelta(days=300)
_YEAR = re.compile(r"\d{4}")
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")


def _month_first(language: str, tz: ZoneInfo) -> bool:
    """Numeric dates are month/day only in US-style English (time zones of the Americas)."""
    return language == "en" and tz.key.startswith(("America/", "US/", "Pacific/Honolulu"))


@lru_cache(maxsize=4096)
def _parse_phrase(phrase: str, language: str, order: str, base: date) -> date | None:
    """Parse one short date phrase with dateparser (cached: phrases repeat a lot)."""
    found = dateparser.parse(
        phrase[:_PHRASE_MAX],
        languages=[language],
        settings={
            "RELATIVE_BASE": datetime.combine(base, time(12, 0)),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": order,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    return None if found is None else found.date()


def _next_occurrence(found: date, base: date, explicit_year: bool) -> date:
    if explicit_year or found >= base:
        return found
    try:
        return found.replace(year=found.year + 1)
    except ValueError:
        return found


def _month_phrase_day(match: re.Match[str], tables: DateTables, base: date) -> date | None:
    text = match.group().strip(" ,.")
    found = _parse_phrase(text, tables.language, "DMY", base)
    if found is None:
        return None
    return _next_occurrence(found, base, re.search(r"\d{4}", text) is not None)


def _numeric_day(match: re.Match[str], tables: DateTables, base: date, tz: ZoneInfo) -> date | None:
    a, b, year = match.group("a"), match.group("b"), match.group("y")
    order = "MDY" if _month_first(tables.language, tz) else "DMY"
    full_year = year if year is None or len(year) == 4 else f"20{year}"
    year_text = full_year or str(base.year)
    # A full year keeps dateparser from reading "03.12." as a time of day.
    found = _parse_phrase(f"{a}/{b}/{year_text}", tables.language, order, base)
    if found is None:
        return None
    return _next_occurrence(found, base, year is not None)


def _ordinal_day(match: re.Match[str], base: date) -> date | None:
    day = int(match.group("d"))
    year, month = base.year, base.month
    for _ in range(3):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= base:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _weekday(match: re.Match[str], tables: DateTables) -> int | None:
    return tables.weekdays.get(match.group("wd").lower().rstrip("."))


def _same_or_next(base: date, weekday: int) -> date:
    return base + timedelta(days=(weekday - base.weekday()) % 7)


def _monday_next_week(base: date) -> date:
    return base - timedelta(days=base.weekday()) + timedelta(days=7)


def _count(match: re.Match[str], tables: DateTables) -> int:
    raw = match.group("n").lower()
    if raw.isdigit():
        # "in 99999999999999999999 days" is no date: beyond the horizon, never an overflow.
        return int(raw) if len(raw) <= 5 else _MAX_COUNT
    return tables.numbers.get(raw, 1)


def _end_of_month(base: date) -> date:
    first_next = date(base.year + base.month // 12, base.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _plausible(instant: datetime, occurred_at: datetime) -> bool:
    return occurred_at - timedelta(days=1) <= instant <= occurred_at + MAX_HORIZON


def _resolve(
    kind: object, match: re.Match[str], tables: DateTables, base: date, tz: ZoneInfo
) -> date | None:
    """Turn one matched day expression of the given kind into a calendar day."""
    if isinstance(kind, date):
        return kind
    if kind == "iso":
        return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    if kind == "month":
        return _month_phrase_day(match, tables, base)
    if kind == "numeric":
        return _numeric_day(match, tables, base, tz)
    if kind == "ordinal":
        return _ordinal_day(match, base)
    weekday = _weekday(match, tables)
    if weekday is None:
        return None
    if kind == "next_weekday":
        return _monday_next_week(base) + timedelta(days=weekday)
    return _same_or_next(base, weekday)


def find_day(
    text: str, tables: DateTables, base: date, tz: ZoneInfo, *, anchored: bool = False
) -> tuple[date, int, int, bool] | None:
    """Find the first calendar-day expression in `text`: (day, start, end, explicit).

    `explicit` is True for a date with a day number (not a weekday or a relative word).

    With `anchored`, only an expression within the first few characters counts (a return
    date right after its cue).
    """
    found: list[tuple[int, int, date, bool]] = []
    friday = base + timedelta(days=4 - base.weekday())
    if base.weekday() > 4:
        friday += timedelta(days=7)
    candidates: list[tuple[re.Pattern[str], object]] = [
        (_ISO_DATE, "iso"),
        (tables.date_with_month, "month"),
        (tables.numeric_date, "numeric"),
        (tables.next_weekday, "next_weekday"),
        (tables.bare_weekday, "weekday"),
        (tables.ordinal_day, "ordinal"),
        (tables.day_after_tomorrow, base + timedelta(days=2)),
        (tables.tomorrow, base + timedelta(days=1)),
        (tables.end_of_week, friday),
        (tables.next_week, _monday_next_week(base) + timedelta(days=4)),
        (tables.end_of_month, _end_of_month(base)),
    ]
    for regex, kind in candidates:
        match = regex.search(text)
        if match is None or (anchored and match.start() > 12):
            continue
        try:
            day = _resolve(kind, match, tables, base, tz)
        except (OverflowError, ValueError):
            day = None
        if day is not None:
            explicit = kind in ("iso", "month", "numeric", "ordinal")
            found.append((match.start(), match.end(), day, explicit))
    if not found:
        return None
    # Leftmost wins, but a date with a day number overlapping it wins over a bare weekday
    # ("na segunda-feira, 16 de novembro", "lunes 23").
    start, end, day, explicit = min(found, key=lambda f: (f[0], not f[3]))
    if not explicit:
        overlapping = [f for f in found if f[3] and f[0] <= end + 2]
        if overlapping:
            start, end, day, explicit = min(overlapping, key=lambda f: f[0])
    return day, start, end, explicit


def _time_of_day(text: str, tables: DateTables) -> time | None:
    match = tables.time_of_day.search(text)
    if match is None:
        return None
    if match.groupdict().get("noon"):
        return time(12, 0)
    hour = int(match.group("h"))
    minute = int(match.group("m") or 0)
    ampm = (match.groupdict().get("ap") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    elif not ampm and tables.language == "en" and 1 <= hour <= 7:
        hour += 12  # "by 5" in English means the afternoon
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def find_deadline(
    text: str, tables: DateTables, occurred_at: datetime, tz: ZoneInfo
) -> tuple[datetime, int] | None:
    """Find the first deadline in `text` (a clause): (UTC instant, end offset in text)."""
    local = occurred_at.astimezone(tz)
    base = local.date()
    at = _time_of_day(text, tables)
    day_found = find_day(text, tables, base, tz)
    relative: list[tuple[int, int, datetime]] = []
    tonight = tables.tonight.search(text)
    if tonight is not None:
        relative.append((tonight.start(), tonight.end(), _at(base, TONIGHT_TIME, tz)))
    today = tables.today.search(text)
    if today is not None:
        relative.append((today.start(), today.end(), _at(base, at or DEADLINE_TIME, tz)))
    for regex, unit in ((tables.in_days, "days"), (tables.in_hours, "hours")):
        match = regex.search(text)
        if match is None:
            continue
        try:
            if unit == "days":
                due = _at(base + timedelta(days=_count(match, tables)), DEADLINE_TIME, tz)
            else:
                due = occurred_at.astimezone(UTC) + timedelta(hours=_count(match, tables))
        except OverflowError:
            continue
        relative.append((match.start(), match.end(), due))
    # A calendar day ("end of day tomorrow", "by Friday") wins over today/tonight/in N days.
    options = []
    if day_found is not None:
        day, start, end, _ = day_found
        with suppress(OverflowError, ValueError):
            options.append((start, end, _at(day, at or DEADLINE_TIME, tz)))
    options = [o for o in options if _plausible(o[2], occurred_at)] or relative
    if not options and at is not None:
        # "by noon", "bis 12 Uhr": today (tomorrow if that hour has passed)
        due = _at(base, at, tz)
        if due <= occurred_at:
            due = _at(base + timedelta(days=1), at, tz)
        match = tables.time_of_day.search(text)
        assert match is not None
        options.append((match.start(), match.end(), due))
    options = [o for o in options if _plausible(o[2], occurred_at)]
    if not options:
        return None
    _, end, due = min(options, key=lambda o: o[0])
    return due, end


def next_working_day(day: date) -> date:
    """The next Monday-to-Friday after `day`."""
    day += timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def find_return(
    text: str, tables: DateTables, occurred_at: datetime, tz: ZoneInfo
) -> datetime | None:
    """Find the stated end of an absence in an out-of-office text (local midnight, in UTC).

    "Back on X" names the first day back; "until X" is read as back on X, and "through X" /
    "until X inclusive" as back on the next working day. A cue followed by a real date (with
    a day number) wins over one followed by a weekday ("until 11 December … from Monday").
    A bare range ("away 16-27 Nov", "du 16 au 27 novembre") ends on its last day: back on
    the next working day, unless a cue names the day back ("…, back on the 30th").
    """
    base = occurred_at.astimezone(tz).date()
    head = text[:4000]
    found_range = _range_end(head, tables, base, tz)
    last_day, in_range = found_range if found_range is not None else (None, (0, 0))
    # A day named after a range is read from the range's end ("Dec 14-18, back on the 21st").
    after = base if last_day is None else max(base, last_day - timedelta(days=1))
    ranked: list[tuple[int, int, date]] = []
    for rank, (regex, kind) in enumerate(
        ((tables.ooo_return, "return"), (tables.ooo_until, "until"))
    ):
        for cue in list(regex.finditer(head))[:20]:
            if in_range[0] <= cue.start() < in_range[1]:
                continue  # the "bis" of "vom 16. bis 27.11.": the range's own word
            window = head[cue.end() : cue.end() + 60]
            found = find_day(window, tables, after, tz, anchored=True)
            if found is None:
                continue
            day, _, end, explicit = found
            if not base <= day <= base + MAX_HORIZON:
                continue
            if kind == "until" and (
                tables.ooo_inclusive.search(cue.group())
                or tables.ooo_inclusive.search(window[end : end + 25])
            ):
                day = next_working_day(day)
            ranked.append((0 if explicit else 2, rank, day))
    if last_day is not None:
        ranked.append((1, 2, next_working_day(last_day)))
    if not ranked:
        return None
    return _at(min(ranked, key=lambda r: (r[0], r[1]))[2], time(0, 0), tz)


def _range_end(
    text: str, tables: DateTables, base: date, tz: ZoneInfo
) -> tuple[date, tuple[int, int]] | None:
    """The last day and the span of the first date range in `text` that ends ahead.

    A range is "16-27 Nov", "from 3 to 12 December", "vom 16. bis 27.11.", "del 16 al 27
    de noviembre"; one already over ends no absence.
    """
    for match in list(tables.ooo_range.finditer(text))[:20]:
        groups = match.groupdict()
        phrase = groups.get("end") or groups.get("end2")
        if phrase is None and groups.get("month") and groups.get("endday"):
            phrase = f"{groups['month']} {groups['endday']}"  # "Dec 14-18": 18 December
        found = find_day(phrase, tables, base, tz, anchored=True) if phrase else None
        if found is None or not base <= found[0] <= base + MAX_HORIZON:
            continue
        # "16-27 Nov" written on 30 Nov is a past range, not next year's.
        if found[0] > base + _RANGE_AHEAD and _YEAR.search(match.group()) is None:
            continue
        return found[0], match.span()
    return None
