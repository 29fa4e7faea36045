"""Plain data for the pure derivations: events in, exchanges and the mirror view out.

Nothing here touches the database. `compute_history` is a pure function of a candidate's set
of events (sorted here, so arrival order never matters), a working calendar and an instant.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from app.core.business_time import WorkingCalendar, merge_intervals
from app.language import INTENTS as INTENTS  # re-exported for older callers
from app.language import IntentMatch as IntentMatch

Direction = Literal["inbound", "outbound"]
CALL_OUTCOMES = ("connected", "no_answer", "voicemail", "busy", "failed")
MEETING_OUTCOMES = ("scheduled", "attended", "no_show", "rescheduled", "cancelled")
CHANNELS = ("email", "phone", "sms", "chat", "video", "in_person", "ats", "other")
EVENT_TYPES = ("message", "call", "meeting", "request")


@dataclass(frozen=True)
class EventFacts:
    """The facts of one stored event that the derivations use."""

    id: str
    external_id: str
    direction: Direction
    channel: str
    type: str
    occurred_at: datetime
    outcome: str | None = None
    scheduled_for: datetime | None = None
    due_at: datetime | None = None
    promised_by: datetime | None = None
    in_reply_to: str | None = None
    fulfills: str | None = None
    auto_reply: bool = False
    expects_reply: bool = True
    intents: tuple[IntentMatch, ...] = ()

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.occurred_at, self.external_id)

    def has_intent(self, name: str) -> bool:
        return any(i.intent == name for i in self.intents)

    @property
    def is_out_of_office(self) -> bool:
        return self.direction == "inbound" and (self.auto_reply or self.has_intent("out_of_office"))

    @property
    def is_attempt(self) -> bool:
        if self.direction != "outbound" or not self.expects_reply:
            return False
        if self.type in ("message", "request"):
            return True
        if self.type == "call":
            return self.outcome in ("no_answer", "voicemail", "busy", "failed")
        if self.type == "meeting":
            return self.outcome in ("scheduled", "rescheduled")
        return False

    @property
    def is_response(self) -> bool:
        if self.direction == "inbound":
            return not self.is_out_of_office
        if self.type == "call":
            return self.outcome == "connected"
        return self.type == "meeting" and self.outcome == "attended"


@dataclass
class Exchange:
    """From the first attempt after the candidate's last response to the next response."""

    index: int
    opened_at: datetime
    opening_event_id: str
    attempt_event_ids: list[str] = field(default_factory=list)
    responded_at: datetime | None = None
    response_event_id: str | None = None
    paused: list[tuple[datetime, datetime]] = field(default_factory=list)
    latency_seconds: int = 0
    business_seconds: int = 0

    @property
    def attempts(self) -> int:
        return len(self.attempt_event_ids)

    @property
    def is_open(self) -> bool:
        return self.responded_at is None


@dataclass(frozen=True)
class WaitingClock:
    """Mirror view: the candidate wrote and waits for the recruiting side."""

    opened_at: datetime
    opening_event_id: str
    closed_at: datetime | None
    closing_event_id: str | None
    business_seconds: int


@dataclass(frozen=True)
class Promise:
    """Mirror view: an outbound `promised_by` date and whether it was kept."""

    event_id: str
    made_at: datetime
    promised_by: datetime
    kept_at: datetime | None
    overdue: bool


@dataclass
class History:
    """Everything derived from a candidate's events as of one instant."""

    as_of: datetime
    events: list[EventFacts]
    exchanges: list[Exchange]
    candidate_initiated: list[str]
    waiting: list[WaitingClock]
    promises: list[Promise]

    @property
    def open_exchange(self) -> Exchange | None:
        if self.exchanges and self.exchanges[-1].is_open:
            return self.exchanges[-1]
        return None

    @property
    def waiting_on_us(self) -> WaitingClock | None:
        if self.waiting and self.waiting[-1].closed_at is None:
            return self.waiting[-1]
        return None


def sort_events(events: Iterable[EventFacts]) -> list[EventFacts]:
    """Order events as the contract does: by occurred_at, ties by external_id."""
    return sorted(events, key=lambda e: e.sort_key)


def compute_history(
    events: Iterable[EventFacts], calendar: WorkingCalendar, as_of: datetime
) -> History:
    """Derive exchanges, candidate-initiated events and the mirror view as of `as_of`."""
    ordered = [e for e in sort_events(events) if e.occurred_at <= as_of]
    exchanges = _compute_exchanges(ordered, calendar, as_of)
    initiated = _candidate_initiated(ordered)
    return History(
        as_of=as_of,
        events=ordered,
        exchanges=exchanges,
        candidate_initiated=initiated,
        waiting=_compute_waiting(ordered, calendar, as_of),
        promises=_compute_promises(ordered, as_of),
    )


def _compute_exchanges(
    ordered: Sequence[EventFacts], calendar: WorkingCalendar, as_of: datetime
) -> list[Exchange]:
    exchanges: list[Exchange] = []
    current: Exchange | None = None
    for event in ordered:
        if event.is_attempt:
            if current is None:
                current = Exchange(
                    index=len(exchanges),
                    opened_at=event.occurred_at,
                    opening_event_id=event.id,
                )
                exchanges.append(current)
            current.attempt_event_ids.append(event.id)
        elif event.is_out_of_office:
            if current is not None and event.has_intent("out_of_office"):
                until = max((i.until for i in event.intents if i.until is not None), default=None)
                if until is not None and until > event.occurred_at:
                    current.paused.append((event.occurred_at, until))
        elif event.is_response and current is not None:
            current.responded_at = event.occurred_at
            current.response_event_id = event.id
            current = None
    for exchange in exchanges:
        end = exchange.responded_at or as_of
        exchange.paused = merge_intervals(exchange.paused)
        exchange.latency_seconds = int((end - exchange.opened_at).total_seconds())
        exchange.business_seconds = calendar.business_seconds(
            exchange.opened_at, end, excluding=exchange.paused
        )
    return exchanges


def _candidate_initiated(ordered: Sequence[EventFacts]) -> list[str]:
    initiated: list[str] = []
    open_exchange = False
    for event in ordered:
        if event.is_attempt:
            open_exchange = True
        elif event.is_response:
            if event.direction == "inbound" and not open_exchange:
                initiated.append(event.id)
            open_exchange = False
    return initiated


def _compute_waiting(
    ordered: Sequence[EventFacts], calendar: WorkingCalendar, as_of: datetime
) -> list[WaitingClock]:
    clocks: list[WaitingClock] = []
    opened: EventFacts | None = None
    for event in ordered:
        if event.direction == "inbound":
            if opened is None and event.type == "message" and not event.is_out_of_office:
                opened = event
        elif opened is not None:
            clocks.append(
                WaitingClock(
                    opened_at=opened.occurred_at,
                    opening_event_id=opened.id,
                    closed_at=event.occurred_at,
                    closing_event_id=event.id,
                    business_seconds=calendar.business_seconds(
                        opened.occurred_at, event.occurred_at
                    ),
                )
            )
            opened = None
    if opened is not None:
        clocks.append(
            WaitingClock(
                opened_at=opened.occurred_at,
                opening_event_id=opened.id,
                closed_at=None,
                closing_event_id=None,
                business_seconds=calendar.business_seconds(opened.occurred_at, as_of),
            )
        )
    return clocks


def _compute_promises(ordered: Sequence[EventFacts], as_of: datetime) -> list[Promise]:
    promises: list[Promise] = []
    outbound = [e for e in ordered if e.direction == "outbound"]
    for position, event in enumerate(outbound):
        if event.promised_by is None:
            continue
        later = next((e for e in outbound[position + 1 :]), None)
        kept_at = later.occurred_at if later is not None else None
        promises.append(
            Promise(
                event_id=event.id,
                made_at=event.occurred_at,
                promised_by=event.promised_by,
                kept_at=kept_at,
                overdue=kept_at is None and event.promised_by < as_of,
            )
        )
    return promises
