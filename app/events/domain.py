"""Plain data for the pure derivations: events in, exchanges and the mirror view out.

Nothing here touches the database. `compute_history` is a pure function of a candidate's set
of events (sorted here, so arrival order never matters), a working calendar and an instant.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Literal

from app.core.business_time import WorkingCalendar, merge_intervals
from app.language import INTENTS as INTENTS  # re-exported for older callers
from app.language import IntentMatch as IntentMatch
from app.language import auto_reply_subject

Direction = Literal["inbound", "outbound"]
DUPLICATE_WINDOW = timedelta(minutes=10)
"""Two copies of one message synced by two sources (an ATS and a mailbox) arrive this close."""

NOTICE_INTENTS = frozenset({"out_of_office", "excuse", "thanks"})
"""What an automatic absence notice says ("thank you for your message, I am away with limited
access to email"); a message with any other intent was written by a person."""

REPLY_INTENTS = frozenset({"decline", "scheduling"})
"""Intents that ask the recruiting side for an answer (a no, a scheduling proposal)."""

# A question mark (also the Spanish opening one) outside quoted lines and links.
_QUESTION = re.compile("[?\u00bf\uff1f]")
_LINK = re.compile(r"\bhttps?://\S+", re.IGNORECASE)
# Polite requests that carry no question mark, in the supported languages.
_REQUEST = re.compile(
    r"\b(?:please|pls|kindly|let me know|could you|can you|would you|"
    r"por favor|podr[ií]a[ns]?|puede[ns]? (?:enviar|mandar|decir)|av[ií]s[ae]me|"
    r"bitte|k[öo]nnten sie|k[öo]nnen sie|lassen sie mich wissen|"
    r"s'il vous pla[iî]t|s'il te pla[iî]t|merci de|pourriez-vous|pouvez-vous|"
    r"poderia|pode me|me avise)\b",
    re.IGNORECASE,
)
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|wg|fw|fwd|rv|tr|res|enc|sv)\s*:", re.IGNORECASE)
# A scheduling phrase that confirms an agreed time rather than proposing one ("see you then").
_SEE_YOU = re.compile(
    r"^(?:see you|talk (?:to you )?(?:then|soon|on|tomorrow)|speak (?:to you )?(?:then|soon)|"
    r"nos vemos|hasta (?:entonces|luego|el|ma[ñn]ana)|"
    r"bis (?:dann|bald|morgen|montag|dienstag|mittwoch|donnerstag|freitag)|"
    r"à (?:bientôt|tout à l'heure|demain|lundi|mardi|mercredi|jeudi|vendredi)|"
    r"até (?:lá|logo|breve|amanhã|segunda|terça|quarta|quinta|sexta))",
    re.IGNORECASE,
)


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
    needs_reply: bool | None = None
    """Stored at ingest from the text (`detect_needs_reply`); None: judge from the intents."""
    body_key: str | None = None
    """Digest of the normalised body (`body_key_of`), to recognise a message synced twice."""

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.occurred_at, self.external_id)

    def has_intent(self, name: str) -> bool:
        return any(i.intent == name for i in self.intents)

    @cached_property
    def is_out_of_office(self) -> bool:
        """An absence notice and nothing else: automatic, so not a response.

        A person's reply that also announces leave ("Thursday works. I'm away 16-27 Nov")
        is a response; the absence it announces is in `absence`.
        """
        if self.direction != "inbound":
            return False
        if self.auto_reply:
            return True
        said = {i.intent for i in self.intents}
        if "out_of_office" not in said:
            return False
        # A notice marked automatic by its subject asks nothing (`needs_reply` false at ingest)
        # even when a phrase of its boilerplate reads like scheduling.
        return said <= NOTICE_INTENTS or (
            self.needs_reply is False and said <= NOTICE_INTENTS | {"scheduling"}
        )

    @cached_property
    def absence(self) -> tuple[datetime, datetime] | None:
        """The absence this inbound event announces, from now to the stated return date."""
        if self.direction != "inbound":
            return None
        until = max(
            (i.until for i in self.intents if i.intent == "out_of_office" and i.until is not None),
            default=None,
        )
        if until is None or until <= self.occurred_at:
            return None
        return (self.occurred_at, until)

    @property
    def wants_reply(self) -> bool:
        """Whether this inbound event needs an answer from the recruiting side."""
        if self.direction != "inbound" or self.is_out_of_office:
            return False
        if self.needs_reply is not None:
            return self.needs_reply
        return bool(
            detect_needs_reply(
                direction=self.direction,
                type_=self.type,
                outcome=self.outcome,
                auto_reply=self.auto_reply,
                text=None,
                intents=[(i.intent, i.evidence) for i in self.intents],
            )
        )

    @property
    def is_invitation(self) -> bool:
        """An outbound meeting invitation (scheduled or rescheduled) naming its time."""
        return (
            self.direction == "outbound"
            and self.type == "meeting"
            and self.outcome in ("scheduled", "rescheduled")
            and self.scheduled_for is not None
        )

    @cached_property
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

    @cached_property
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
    meeting_wait: tuple[datetime, datetime] | None = None
    """Opened by an invitation and not answered before the meeting: the wait for it."""
    closed_by_meeting: bool = False
    """Opened by an invitation and closed only by attending the meeting."""
    reused: bool = False
    """Business time taken from an exchange derived before (`compute_history(settled=…)`)."""

    @property
    def attempts(self) -> int:
        return len(self.attempt_event_ids)

    @property
    def is_open(self) -> bool:
        return self.responded_at is None

    @property
    def counts_for_latency(self) -> bool:
        """Whether the exchange enters reply-time statistics (median, p90, slow, cooling)."""
        return not self.is_open and not self.closed_by_meeting


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
    duplicates: dict[str, str] = field(default_factory=dict)
    """Event id of each second copy of a message -> external_id of the first copy."""
    absences: list[tuple[datetime, datetime]] = field(default_factory=list)
    """Absences the candidate announced (merged), left out of their clocks."""
    reused_clocks: int = 0
    """How many exchanges took their business time from `settled` (compute_history)."""

    @property
    def latency_exchanges(self) -> list[Exchange]:
        """Closed exchanges that enter reply-time statistics, in time order."""
        return [x for x in self.exchanges if x.counts_for_latency]

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
    events: Iterable[EventFacts],
    calendar: WorkingCalendar,
    as_of: datetime,
    *,
    settled: Sequence[Exchange] = (),
) -> History:
    """Derive exchanges, candidate-initiated events and the mirror view as of `as_of`.

    Second copies of a message (`find_duplicates`) are left out of everything derived.
    `settled` are closed exchanges derived before with the same calendar (by index): an
    exchange that comes out the same (events, span, pauses within it) keeps their business
    time instead of counting it again. Anything else is computed, so the result never
    depends on what `settled` holds.
    """
    everything = [e for e in sort_events(events) if e.occurred_at <= as_of]
    duplicates = find_duplicates(everything)
    ordered = [e for e in everything if e.id not in duplicates]
    absences = merge_intervals([a for e in ordered if (a := e.absence) is not None])
    exchanges = _compute_exchanges(ordered, calendar, as_of, absences, settled)
    initiated = _candidate_initiated(ordered)
    return History(
        as_of=as_of,
        events=ordered,
        exchanges=exchanges,
        candidate_initiated=initiated,
        waiting=_compute_waiting(ordered, calendar, as_of),
        promises=_compute_promises(ordered, as_of),
        duplicates=duplicates,
        absences=absences,
        reused_clocks=sum(1 for x in exchanges if x.reused),
    )


def find_duplicates(ordered: Sequence[EventFacts]) -> dict[str, str]:
    """Find second copies of one message: event id -> external_id of the first copy.

    Same candidate (the caller's events), same direction and channel, same normalised body,
    within `DUPLICATE_WINDOW` of the first copy. Events without a body are never copies.
    """
    first: dict[tuple[str, str, str], EventFacts] = {}
    copies: dict[str, str] = {}
    for event in ordered:
        if event.body_key is None:
            continue
        key = (event.direction, event.channel, event.body_key)
        original = first.get(key)
        if original is not None and event.occurred_at - original.occurred_at <= DUPLICATE_WINDOW:
            copies[event.id] = original.external_id
        else:
            first[key] = event
    return copies


def _compute_exchanges(
    ordered: Sequence[EventFacts],
    calendar: WorkingCalendar,
    as_of: datetime,
    absences: Sequence[tuple[datetime, datetime]] = (),
    settled: Sequence[Exchange] = (),
) -> list[Exchange]:
    exchanges: list[Exchange] = []
    current: Exchange | None = None
    by_id = {e.id: e for e in ordered}
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
        elif event.is_response and current is not None:
            current.responded_at = event.occurred_at
            current.response_event_id = event.id
            current = None
    for exchange in exchanges:
        end = exchange.responded_at or as_of
        _apply_meeting_wait(exchange, by_id)
        paused = [
            (max(lo, exchange.opened_at), hi) for lo, hi in absences if hi > exchange.opened_at
        ]
        if exchange.meeting_wait is not None:
            paused.append(exchange.meeting_wait)
        exchange.paused = merge_intervals(paused)
        exchange.latency_seconds = int((end - exchange.opened_at).total_seconds())
        known = settled[exchange.index] if exchange.index < len(settled) else None
        if known is not None and _same_clock(known, exchange):
            exchange.business_seconds, exchange.reused = known.business_seconds, True
        else:
            exchange.business_seconds = calendar.business_seconds(
                exchange.opened_at, end, excluding=exchange.paused
            )
    return exchanges


def _same_clock(known: Exchange, exchange: Exchange) -> bool:
    """Whether two closed exchanges count the same business time (on one calendar)."""
    if known.responded_at is None or exchange.responded_at is None:
        return False
    span = (exchange.opened_at, exchange.responded_at)
    return (
        known.opened_at == exchange.opened_at
        and known.responded_at == exchange.responded_at
        and known.opening_event_id == exchange.opening_event_id
        and known.response_event_id == exchange.response_event_id
        and known.attempt_event_ids == exchange.attempt_event_ids
        and _within(known.paused, span) == _within(exchange.paused, span)
    )


def _within(
    intervals: Sequence[tuple[datetime, datetime]], span: tuple[datetime, datetime]
) -> list[tuple[datetime, datetime]]:
    """The parts of merged intervals inside `span` (what a clock over `span` leaves out)."""
    lo, hi = span
    return [(max(a, lo), min(b, hi)) for a, b in intervals if a < hi and b > lo]


def _apply_meeting_wait(exchange: Exchange, by_id: dict[str, EventFacts]) -> None:
    """Leave the wait for a meeting out of an exchange an invitation opened.

    The meeting is the one the invitation names, moved by later invitations sent before it.
    An answer before the meeting counts as usual; otherwise business time starts at the
    meeting, and an exchange that only attending it closes is no reply time at all.
    """
    attempts = [by_id[i] for i in exchange.attempt_event_ids]
    opening = attempts[0]
    if not opening.is_invitation or opening.scheduled_for is None:
        return
    meeting_at = opening.scheduled_for
    for attempt in attempts[1:]:
        if attempt.is_invitation and attempt.scheduled_for and attempt.occurred_at < meeting_at:
            meeting_at = attempt.scheduled_for
    response = by_id.get(exchange.response_event_id or "")
    if response is not None and response.type == "meeting" and response.outcome == "attended":
        exchange.closed_by_meeting = True
    answered_before = exchange.responded_at is not None and exchange.responded_at < meeting_at
    if meeting_at > exchange.opened_at and (not answered_before or exchange.closed_by_meeting):
        exchange.meeting_wait = (exchange.opened_at, meeting_at)


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
            if opened is None and event.wants_reply:
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


def normalise_body(text: str) -> str:
    """Fold case, compatibility forms and whitespace, so two syncs of one text compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def body_key_of(body: str | None) -> str | None:
    """Return the digest two copies of one message share (None without a body)."""
    if body is None:
        return None
    normal = normalise_body(body)
    if not normal:
        return None
    return hashlib.sha256(normal.encode()).hexdigest()


def detect_needs_reply(
    *,
    direction: str,
    type_: str,
    outcome: str | None,
    auto_reply: bool,
    text: str | None,
    intents: Iterable[str | tuple[str, str]],
    subject: str | None = None,
) -> bool | None:
    """Tell whether an inbound event needs an answer from the recruiting side (None: outbound).

    A question, a request, a scheduling proposal or a decline does; a bare "thanks, see you
    then" or an absence notice does not. A call the recruiter missed needs a call back, a
    meeting the candidate moved or cancelled needs a new time, an inbound request an answer.
    `intents` are names or (name, evidence) pairs; with evidence, a scheduling phrase that
    only confirms ("see you Thursday") is not a proposal. A subject that marks an automatic
    reply ("Abwesenheitsnotiz", "Automatic reply: …", not "Re: …") makes it a notice.
    """
    if direction != "inbound":
        return None
    pairs = [(i, "") if isinstance(i, str) else i for i in intents]
    said = {name for name, _ in pairs}
    proposals = [
        name
        for name, evidence in pairs
        if name in REPLY_INTENTS and not (name == "scheduling" and _SEE_YOU.match(evidence.strip()))
    ]
    marked_automatic = bool(
        subject
        and not _REPLY_SUBJECT.match(subject)
        and auto_reply_subject(subject) is not None
        and "decline" not in said
    )
    if auto_reply or marked_automatic or ("out_of_office" in said and said <= NOTICE_INTENTS):
        return False
    if type_ == "request":
        return True
    if type_ == "call":
        return outcome != "connected"
    if type_ == "meeting":
        return outcome in ("rescheduled", "cancelled")
    if proposals:
        return True
    if not text:
        return False
    own = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith((">", "|")))
    own = _LINK.sub(" ", own)
    return bool(_QUESTION.search(own) or _REQUEST.search(own))
