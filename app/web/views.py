"""What the pages show, built from domain objects: plain data, no database, no HTML strings.

Candidate-supplied text stays text: highlighting splits a message into segments that the
templates escape one by one, so a phrase is marked without ever building markup from it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from app.events.domain import History
from app.events.models import Event
from app.scoring.labels import signal_label
from app.scoring.models import Flag
from app.web import charts

HOUR = 3600.0

ACTION_LABELS = {
    "check_in": "Send a polite check-in",
    "second_check_in": "Send a second check-in",
    "phone_call": "Try one phone call",
    "close_the_loop": "Close the loop",
    "reply_to_candidate": "Reply to the candidate",
    "none": "Nothing to do",
}
INTENT_LABELS = {
    "apology": "Apology",
    "excuse": "Excuse",
    "assurance": "Assurance",
    "thanks": "Thanks",
    "decline": "Decline",
    "scheduling": "Scheduling",
    "commitment": "Commitment",
    "out_of_office": "Out of office",
}
STATUSES = ("active", "on_hold", "hired", "rejected", "withdrawn")


flag_label = signal_label


def local_time(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def short_date(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}"


def relative(value: datetime | None, now: datetime) -> str:
    """'3 days ago', 'in 2 hours'."""
    if value is None:
        return "never"
    seconds = (now - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            text = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"  # pragma: no cover


def wall_clock(seconds: float) -> str:
    """A wall-clock duration, compact: '2d 3h', '5h 20m', '12m'."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m"


def hours_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} h"


@dataclass(frozen=True)
class Segment:
    text: str
    intent: str | None = None


def highlight(text: str, phrases: Iterable[tuple[str, str]]) -> list[Segment]:
    """Split `text` so each (intent, phrase) found in it becomes its own marked segment."""
    lowered = text.lower()
    spans: list[tuple[int, int, str]] = []
    for intent, phrase in phrases:
        needle = phrase.strip().lower()
        if not needle:
            continue
        start = lowered.find(needle)
        while start != -1:
            end = start + len(needle)
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, intent))
                break
            start = lowered.find(needle, start + 1)
    spans.sort()
    segments: list[Segment] = []
    cursor = 0
    for start, end, intent in spans:
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], intent))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments


def describe_event(event: Event) -> str:
    """'Outbound call (voicemail)', 'Inbound message'."""
    what = event.type
    text = f"{event.direction.capitalize()} {what}"
    if event.outcome:
        text += f" ({event.outcome.replace('_', ' ')})"
    return text


@dataclass
class TimelineEntry:
    event: Event
    anchor: str
    when: str
    description: str
    subject: list[Segment]
    body: list[Segment]
    intents: list[dict[str, str | None]]
    flag_codes: list[str] = field(default_factory=list)
    reply_note: str | None = None
    attempt_note: str | None = None


@dataclass(frozen=True)
class ExchangeRow:
    index: int
    opened: str
    responded: str | None
    running: bool
    attempts: int
    business_hours: float
    wall: str
    slow: bool
    bar: Markup
    opening_anchor: str
    response_anchor: str | None
    paused: bool


@dataclass(frozen=True)
class FlagView:
    flag: Flag
    label: str
    evidence: list[tuple[str, str]]  # (anchor, label)
    raised: str


def event_anchor(event_id: str) -> str:
    return f"event-{event_id}"


def event_labels(events: Sequence[Event], tz: ZoneInfo) -> dict[str, str]:
    return {e.id: f"{describe_event(e)}, {short_date(e.occurred_at, tz)}" for e in events}


def flag_view(flag: Flag, labels: dict[str, str], tz: ZoneInfo) -> FlagView:
    evidence = [
        (event_anchor(event_id), labels.get(event_id, "an event no longer on record"))
        for event_id in flag.evidence
    ]
    return FlagView(
        flag=flag,
        label=flag_label(flag.code),
        evidence=evidence,
        raised=short_date(flag.raised_at, tz),
    )


def timeline_entries(
    events: Sequence[Event], history: History, flags: Sequence[Flag], tz: ZoneInfo
) -> list[TimelineEntry]:
    """One entry per event, newest last, with intents marked and reply times noted."""
    flagged: dict[str, list[str]] = {}
    for flag in flags:
        for event_id in flag.evidence:
            flagged.setdefault(event_id, []).append(flag.code)
    replies = {x.response_event_id: x for x in history.exchanges if x.response_event_id is not None}
    openings = {x.opening_event_id: x for x in history.exchanges}
    entries: list[TimelineEntry] = []
    for event in events:
        intents = [
            {
                "intent": str(i.get("intent")),
                "evidence": str(i.get("evidence") or ""),
                "due": local_time(datetime.fromisoformat(i["due_at"]), tz)
                if i.get("due_at")
                else None,
            }
            for i in event.intents or []
        ]
        phrases = [(str(i["intent"]), str(i["evidence"])) for i in intents if i["evidence"]]
        entry = TimelineEntry(
            event=event,
            anchor=event_anchor(event.id),
            when=local_time(event.occurred_at, tz),
            description=describe_event(event),
            subject=highlight(event.subject or "", phrases),
            body=highlight(event.body or "", phrases),
            intents=intents,
            flag_codes=sorted(set(flagged.get(event.id, []))),
        )
        exchange = replies.get(event.id)
        copy_of = history.duplicates.get(event.id)
        if copy_of is not None:
            entry.attempt_note = f"The same message as {copy_of}, synced twice: counts for nothing"
        elif exchange is not None and exchange.closed_by_meeting:
            entry.reply_note = "Attended the meeting (waiting for it is not reply time)"
        elif exchange is not None:
            entry.reply_note = (
                f"Replied after {exchange.business_seconds / HOUR:.1f} business hours "
                f"({wall_clock(exchange.latency_seconds)} wall-clock, "
                f"{exchange.attempts} attempt{'s' if exchange.attempts != 1 else ''})"
            )
        opened = openings.get(event.id)
        if opened is not None and opened.is_open:
            entry.attempt_note = "No reply yet"
        entries.append(entry)
    return entries


def exchange_rows(history: History, *, slow_at: float, tz: ZoneInfo) -> list[ExchangeRow]:
    hours = [x.business_seconds / HOUR for x in history.exchanges]
    scale = max([*hours, slow_at * 1.25, 1.0])
    rows = []
    for exchange, value in zip(history.exchanges, hours, strict=True):
        rows.append(
            ExchangeRow(
                index=exchange.index + 1,
                opened=local_time(exchange.opened_at, tz),
                responded=local_time(exchange.responded_at, tz) if exchange.responded_at else None,
                running=exchange.is_open,
                attempts=exchange.attempts,
                business_hours=value,
                wall=wall_clock(exchange.latency_seconds),
                slow=value > slow_at,
                bar=charts.latency_bar(
                    value, scale_max=scale, slow_at=slow_at, running=exchange.is_open
                ),
                opening_anchor=event_anchor(exchange.opening_event_id),
                response_anchor=(
                    event_anchor(exchange.response_event_id) if exchange.response_event_id else None
                ),
                paused=bool(exchange.paused),
            )
        )
    return rows


def latency_points(history: History) -> list[tuple[datetime, float]]:
    return [
        (x.responded_at, x.business_seconds / HOUR)
        for x in history.latency_exchanges
        if x.responded_at is not None
    ]


def breakdown_bars(breakdown: Sequence[dict[str, Any]]) -> list[charts.BreakdownBar]:
    return [
        charts.BreakdownBar(
            code=str(item["code"]),
            label=flag_label(str(item["code"])),
            points=int(item["points"]),
            detail=str(item.get("detail") or ""),
        )
        for item in breakdown
    ]


def parse_due(next_action: dict[str, Any] | None) -> datetime | None:
    if not next_action or not next_action.get("due_at"):
        return None
    return datetime.fromisoformat(str(next_action["due_at"]))
