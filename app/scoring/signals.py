"""Find the contract's signals (section 5) in a candidate's history: pure, no database.

`detect_signals` reads a `History` (exchanges and events as of one instant) and returns every
signal instance it finds, the instants at which the passing of time alone would change what it
finds (a running clock crossing a threshold, a due date passing), and the promised dates the
candidate missed (for the next action).

Granularity, one instance per:
- `missed_meeting`: no-show event.
- `no_callback`: exchange (the first uncalled-back call is the evidence; more calls into the same
  silence are the same lapse, and `ghosting` covers persistence).
- `slow_reply`: closed exchange.
- `ghosting`: the open exchange.
- `unfulfilled_request`: overdue request.
- `repeated_apologies`: cluster of apologies/excuses chained within the window.
- `words_not_actions`: assurance or commitment, with the first broken commitment after it.
- `reschedules`, `cooling`, `prompt_replies`: at most one each.
- `thank_you_note`: attended meeting that got a thank-you.
- `proactive_follow_up`: candidate-initiated event.

Running clocks are compared as instants: a clock is *over* its threshold at every instant after
`clock_deadline(...)`, the last instant at which it is still within it. OOO pauses recorded on
the exchange are left out of every clock, as they are of `Exchange.business_seconds`.
"""

import hashlib
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from app.core.business_time import WorkingCalendar
from app.events.domain import EventFacts, Exchange, History
from app.orgs.scoring_settings import Thresholds

Polarity = Literal["negative", "positive"]
Severity = Literal["low", "medium", "high"]
LapseRole = Literal["event", "exchange", "soft", "none"]
"""How a negative signal stands to the lapses it describes (see `count_lapses`)."""

NEGATIVE_CODES = (
    "missed_meeting",
    "no_callback",
    "slow_reply",
    "ghosting",
    "unfulfilled_request",
    "repeated_apologies",
    "words_not_actions",
    "reschedules",
    "cooling",
)
POSITIVE_CODES = ("prompt_replies", "thank_you_note", "proactive_follow_up")

HOUR = 3600
TICK = timedelta(microseconds=1)
"""The smallest step of a `datetime`: a clock over its deadline is over from deadline + TICK."""

MIN_SLOW_SECONDS = 4 * HOUR
"""Relative rules (own median, cooling) never call anything under 4 business hours slow."""

MIN_MEDIAN_EXCHANGES = 4
"""The relative `slow_reply` rule needs the median of at least this many closed exchanges."""

LAPSE_FOLLOW_UP = timedelta(days=7)
"""An apology or excuse this soon after a lapse (a no-show, a missed date) is about it."""

_PAUSE_GUARD = 64


@dataclass(frozen=True)
class Signal:
    """One signal instance raised on evidence (event ids)."""

    code: str
    polarity: Polarity
    severity: Severity
    summary: str
    clears_when: str
    evidence: tuple[str, ...]
    observed_at: datetime
    key: str
    dismissed: bool = False
    lapse: tuple[str, ...] = ()
    """The lapses behind it: `e:<event id>` (a no-show, a request, a promise) and
    `x:<exchange index>` (an exchange); the first names the lapse it stands for."""
    role: LapseRole = "none"
    """`event`/`exchange`: one lapse, named by `lapse[0]`; `soft`: a trend (cooling, apologies,
    reschedules), one lapse unless it touches another's; `none`: it explains a lapse that
    other signals carry (words before a lapse) and weighs nothing of its own."""


@dataclass(frozen=True)
class MissedDate:
    """A date the candidate let pass: an overdue request or a broken commitment."""

    event_id: str
    kind: Literal["request", "commitment"]
    due_at: datetime


@dataclass
class SignalScan:
    """What `detect_signals` found, plus what time alone would change."""

    signals: list[Signal] = field(default_factory=list)
    pending: list[datetime] = field(default_factory=list)
    missed_dates: list[MissedDate] = field(default_factory=list)


@dataclass(frozen=True)
class _Break:
    """A broken commitment for `words_not_actions`: when it broke and on what evidence."""

    at: datetime
    evidence: tuple[str, ...]
    what: str
    lapse: tuple[str, ...] = ()
    own: str | None = None
    """Set for a broken `commitment`: the event whose promise broke (the words are the lapse)."""


def count_lapses(signals: Iterable[Signal]) -> int:
    """Count the different lapses behind active negative signals (contract section 5).

    Each no-show, overdue request or broken promise is one lapse, with the exchanges about it
    (the one it happened in, the follow-up after it); each other slow, uncalled-back or
    ghosted exchange is one more. A trend (cooling, repeated apologies, reschedules) is one
    lapse unless it touches one already counted. Words before a lapse add none.
    """
    active = [s for s in signals if s.polarity == "negative" and not s.dismissed and s.lapse]
    claimed: set[str] = set()
    count = 0
    events = {s.lapse[0] for s in active if s.role == "event"}
    count += len(events)
    for signal in active:
        if signal.role == "event":
            claimed.update(signal.lapse)
    exchanges = {s.lapse[0] for s in active if s.role == "exchange"} - claimed
    count += len(exchanges)
    claimed.update(exchanges)
    groups: list[set[str]] = []
    for signal in (s for s in active if s.role == "soft"):
        atoms = set(signal.lapse)
        touching = [g for g in groups if g & atoms]
        for group in touching:
            atoms |= group
            groups.remove(group)
        groups.append(atoms)
    count += sum(1 for group in groups if not group & claimed)
    return count


def signal_key(code: str, evidence: Iterable[str]) -> str:
    """Return the stable identity of a signal: its code and a hash of its sorted evidence."""
    digest = hashlib.sha1("\n".join(sorted(evidence)).encode(), usedforsecurity=False)
    return f"{code}:{digest.hexdigest()}"


def make_signal(
    code: str,
    *,
    severity: Severity,
    summary: str,
    clears_when: str,
    evidence: Iterable[str],
    observed_at: datetime,
    lapse: Iterable[str] = (),
    role: LapseRole = "none",
) -> Signal:
    """Build a signal; polarity follows from the code, evidence is sorted and deduplicated."""
    ids = tuple(sorted(set(evidence)))
    return Signal(
        lapse=tuple(dict.fromkeys(lapse)),
        role=role,
        code=code,
        polarity="positive" if code in POSITIVE_CODES else "negative",
        severity=severity,
        summary=summary,
        clears_when=clears_when,
        evidence=ids,
        observed_at=observed_at.astimezone(UTC),
        key=signal_key(code, ids),
    )


RE_ENGAGING_INTENTS = frozenset({"scheduling", "commitment", "assurance"})


def find_decline(history: History) -> EventFacts | None:
    """Return the candidate's standing "no": their last `decline` with no re-engagement since.

    Re-engaging is the candidate turning back to the process after it: a later message that
    asks for an answer or proposes, promises or assures something (without declining again),
    a call or meeting of theirs, or attending a meeting. A bare thank-you is not.
    """
    declines = [
        e
        for e in history.events
        if e.direction == "inbound" and not e.is_out_of_office and e.has_intent("decline")
    ]
    if not declines:
        return None
    last = max(declines, key=lambda e: e.sort_key)
    for event in history.events:
        if event.sort_key <= last.sort_key:
            continue
        if event.type == "meeting" and event.outcome == "attended":
            return None
        if event.direction != "inbound" or not event.is_response or event.has_intent("decline"):
            continue
        if event.type == "meeting" and event.outcome in ("no_show", "cancelled"):
            continue
        if event.type != "message" or event.wants_reply:
            return None
        if any(i.intent in RE_ENGAGING_INTENTS for i in event.intents):
            return None
    return last


def clock_deadline(
    calendar: WorkingCalendar,
    start: datetime,
    seconds: float,
    paused: Sequence[tuple[datetime, datetime]] = (),
) -> datetime:
    """Return the last instant at which a business clock started at `start` is within `seconds`.

    Every later instant is over it. Paused intervals (OOO) do not count.
    """
    instant = calendar.add_business_seconds(start, seconds)
    for _ in range(_PAUSE_GUARD):
        missing = seconds - calendar.business_seconds(start, instant, excluding=paused)
        if missing <= 0:
            break
        instant = calendar.add_business_seconds(instant, missing)
    # The clock stays at `seconds` until counting time resumes; that is the last instant within.
    for _ in range(_PAUSE_GUARD):
        resumed = calendar.next_working_start(instant)
        pause = next((p for p in paused if p[0] <= resumed < p[1]), None)
        if pause is None:
            return resumed
        instant = pause[1]
    return instant


def detect_signals(
    history: History, *, thresholds: Thresholds, calendar: WorkingCalendar
) -> SignalScan:
    """Find every signal instance in `history`, with pending clock crossings and missed dates."""
    return _Detector(history, thresholds, calendar).run()


class _Detector:
    def __init__(self, history: History, thresholds: Thresholds, calendar: WorkingCalendar) -> None:
        self.history = history
        self.th = thresholds
        self.cal = calendar
        self.as_of = history.as_of
        self.events = sorted(history.events, key=lambda e: e.sort_key)
        self.by_id = {e.id: e for e in self.events}
        self.scan = SignalScan()
        self.breaks: list[_Break] = []
        self.lapse_events: list[tuple[datetime, str]] = []
        """(when it lapsed, `e:<id>`) of no-shows, overdue requests and broken promises."""

    # ---- helpers -------------------------------------------------------------------------

    def _add(self, signal: Signal) -> None:
        self.scan.signals.append(signal)

    def _pending(self, deadline: datetime) -> None:
        """Record that the result changes right after `deadline` (if that is still ahead)."""
        if deadline + TICK > self.as_of:
            self.scan.pending.append(deadline + TICK)

    def _day(self, instant: datetime) -> str:
        local = instant.astimezone(self.cal.tz)
        return f"{local:%a} {local.day} {local:%b}"

    def _when(self, instant: datetime) -> str:
        local = instant.astimezone(self.cal.tz)
        return f"{self._day(instant)} {local:%H:%M}"

    def _attempts(self, exchange: Exchange) -> list[EventFacts]:
        return [self.by_id[i] for i in exchange.attempt_event_ids]

    def _closed(self) -> list[Exchange]:
        """Closed exchanges that count for reply time (not those only a meeting closed)."""
        return self.history.latency_exchanges

    def _exchanges_about(self, instant: datetime, *, also: Iterable[Exchange] = ()) -> list[str]:
        """The exchanges a lapse at `instant` belongs to: the one open then (and `also`)."""
        found = [f"x:{x.index}" for x in also]
        found.extend(
            f"x:{x.index}"
            for x in self.history.exchanges
            if x.opened_at <= instant and (x.responded_at is None or x.responded_at > instant)
        )
        return found

    def _exchange_of(self, event_id: str) -> list[Exchange]:
        return [x for x in self.history.exchanges if event_id in x.attempt_event_ids]

    # ---- the run -------------------------------------------------------------------------

    def run(self) -> SignalScan:
        self._missed_meetings()
        self._no_callbacks()
        self._slow_replies()
        self._ghosting()
        self._unfulfilled_requests()
        self._broken_commitments()
        self._repeated_apologies()
        self._reschedules()
        self._cooling()
        self._words_not_actions()
        self._prompt_replies()
        self._thank_you_notes()
        self._proactive_follow_ups()
        self.scan.signals.sort(key=lambda s: (s.observed_at, s.code, s.key))
        self.scan.pending = sorted(set(self.scan.pending))
        self.scan.missed_dates.sort(key=lambda m: (m.due_at, m.event_id))
        return self.scan

    # ---- negative signals ----------------------------------------------------------------

    def _missed_meetings(self) -> None:
        for event in self.events:
            if event.type != "meeting" or event.outcome != "no_show":
                continue
            lapse = (f"e:{event.id}", *self._exchanges_about(event.occurred_at))
            self._add(
                make_signal(
                    "missed_meeting",
                    severity="high",
                    summary=f"Did not show up for the meeting on {self._when(event.occurred_at)}.",
                    clears_when=(
                        "it weighs less as it ages; attended meetings show it was a one-off"
                    ),
                    evidence=[event.id],
                    observed_at=event.occurred_at,
                    lapse=lapse,
                    role="event",
                )
            )
            self.lapse_events.append((event.occurred_at, f"e:{event.id}"))
            self.breaks.append(
                _Break(
                    event.occurred_at,
                    (event.id,),
                    f"missed the meeting on {self._day(event.occurred_at)}",
                    lapse=lapse,
                )
            )

    def _no_callbacks(self) -> None:
        limit = self.th.no_callback_business_hours * HOUR
        for exchange in self.history.exchanges:
            calls = [e for e in self._attempts(exchange) if e.type == "call"]
            if not calls:
                continue
            call = calls[0]
            deadline = clock_deadline(self.cal, call.occurred_at, limit, exchange.paused)
            end = exchange.responded_at or self.as_of
            if end <= deadline:
                if exchange.is_open:
                    self._pending(deadline)
                continue
            outcome = (call.outcome or "unanswered").replace("_", " ")
            limit_text = _number(self.th.no_callback_business_hours)
            if exchange.is_open:
                summary = (
                    f"No call back within {limit_text} business hours of the {outcome} call "
                    f"on {self._when(call.occurred_at)}."
                )
            else:
                waited = self.cal.business_seconds(call.occurred_at, end, excluding=exchange.paused)
                summary = (
                    f"Called back only after {_number(waited / HOUR)} business hours "
                    f"(the {outcome} call on {self._when(call.occurred_at)})."
                )
            self._add(
                make_signal(
                    "no_callback",
                    severity="medium",
                    summary=summary,
                    clears_when=(
                        f"a call back within {limit_text} business hours of the next missed call"
                    ),
                    evidence=[call.id],
                    observed_at=deadline,
                    lapse=[f"x:{exchange.index}"],
                    role="exchange",
                )
            )

    def _request_grace(self, exchange: Exchange) -> bool:
        """Tell whether the reply came by the due date of a request in the exchange."""
        responded = exchange.responded_at
        return responded is not None and any(
            e.type == "request" and e.due_at is not None and responded <= e.due_at
            for e in self._attempts(exchange)
        )

    def _slow_replies(self) -> None:
        limit = self.th.slow_reply_business_hours * HOUR
        multiple = self.th.slow_reply_median_multiple
        closed = self._closed()
        # The candidate's own median: all their closed exchanges as of as_of, once there are 4.
        median = (
            statistics.median(x.business_seconds for x in closed)
            if len(closed) >= MIN_MEDIAN_EXCHANGES
            else None
        )
        for exchange in closed:
            seconds = exchange.business_seconds
            over_limit = seconds > limit
            over_median = (
                median is not None and seconds > MIN_SLOW_SECONDS and seconds > multiple * median
            )
            if self._request_grace(exchange) or not (over_limit or over_median):
                continue
            responded = exchange.responded_at
            assert responded is not None
            hours = _number(seconds / HOUR)
            if over_limit:
                summary = (
                    f"Replied after {hours} business hours "
                    f"(over {_number(self.th.slow_reply_business_hours)}) "
                    f"to the message of {self._day(exchange.opened_at)}."
                )
                crossed = min(
                    clock_deadline(self.cal, exchange.opened_at, limit, exchange.paused),
                    responded,
                )
            else:
                assert median is not None
                summary = (
                    f"Replied after {hours} business hours, "
                    f"{_number(seconds / max(median, 1))} times their usual "
                    f"{_number(median / HOUR)} business hours."
                )
                crossed = responded
            self._add(
                make_signal(
                    "slow_reply",
                    severity="high" if seconds > 2 * limit else "medium",
                    summary=summary,
                    clears_when=(
                        f"replies within {_number(self.th.slow_reply_business_hours)} business "
                        "hours; it weighs less as it ages"
                    ),
                    evidence=[*exchange.attempt_event_ids, *_present(exchange.response_event_id)],
                    observed_at=responded,
                    lapse=[f"x:{exchange.index}"],
                    role="exchange",
                )
            )
            self.breaks.append(
                _Break(
                    crossed,
                    (exchange.opening_event_id,),
                    f"took {hours} business hours to reply",
                    lapse=(f"x:{exchange.index}",),
                )
            )
        opened = self.history.open_exchange
        if opened is not None:
            deadline = clock_deadline(self.cal, opened.opened_at, limit, opened.paused)
            if self.as_of > deadline:
                self.breaks.append(
                    _Break(
                        deadline,
                        (opened.opening_event_id,),
                        f"left a message unanswered for over "
                        f"{_number(self.th.slow_reply_business_hours)} business hours",
                        lapse=(f"x:{opened.index}",),
                    )
                )
            else:
                self._pending(deadline)

    def _ghosting(self) -> None:
        exchange = self.history.open_exchange
        needed = self.th.ghosting_attempts
        if exchange is None or exchange.attempts < needed:
            return
        span = self.th.ghosting_business_days * self.cal.seconds_per_day
        deadline = clock_deadline(self.cal, exchange.opened_at, span, exchange.paused)
        if self.as_of <= deadline:
            self._pending(deadline)
            return
        nth = self.by_id[exchange.attempt_event_ids[needed - 1]].occurred_at
        observed = max(deadline, nth)
        days = _number(self.th.ghosting_business_days)
        self._add(
            make_signal(
                "ghosting",
                severity="high",
                summary=(
                    f"{exchange.attempts} attempts since {self._day(exchange.opened_at)} "
                    f"and no reply for over {days} business days."
                ),
                clears_when="any reply from the candidate",
                evidence=exchange.attempt_event_ids,
                observed_at=observed,
                lapse=[f"x:{exchange.index}"],
                role="exchange",
            )
        )
        self.breaks.append(
            _Break(
                observed,
                (exchange.opening_event_id,),
                f"stopped replying after {days} days",
                lapse=(f"x:{exchange.index}",),
            )
        )

    def _unfulfilled_requests(self) -> None:
        fulfilled = {e.fulfills for e in self.events if e.fulfills}
        for event in self.events:
            if event.direction != "outbound" or event.type != "request" or event.due_at is None:
                continue
            if event.external_id in fulfilled:
                continue
            due = event.due_at
            if self.as_of <= due:
                self._pending(due)
                continue
            lapse = (
                f"e:{event.id}",
                *self._exchanges_about(due, also=self._exchange_of(event.id)),
            )
            self.lapse_events.append((due, f"e:{event.id}"))
            self._add(
                make_signal(
                    "unfulfilled_request",
                    severity="medium",
                    summary=(
                        f"The request of {self._day(event.occurred_at)} was due "
                        f"{self._when(due)} and has not been delivered."
                    ),
                    clears_when="the candidate delivers what was requested",
                    evidence=[event.id],
                    observed_at=due,
                    lapse=lapse,
                    role="event",
                )
            )
            self.scan.missed_dates.append(MissedDate(event.id, "request", due))
            self.breaks.append(
                _Break(due, (event.id,), f"let the request due {self._day(due)} pass", lapse=lapse)
            )

    def _broken_commitments(self) -> None:
        inbound = [e for e in self.events if e.direction == "inbound" and not e.is_out_of_office]
        for event in inbound:
            dues = sorted(
                {i.due_at for i in event.intents if i.intent == "commitment" and i.due_at}
            )
            for due in dues:
                if due <= event.occurred_at:
                    continue
                kept = any(
                    later.sort_key > event.sort_key and later.occurred_at <= due
                    for later in inbound
                )
                if kept:
                    continue
                if self.as_of <= due:
                    self._pending(due)
                    continue
                self.scan.missed_dates.append(MissedDate(event.id, "commitment", due))
                lapse = (f"e:{event.id}", *self._exchanges_about(due))
                self.lapse_events.append((due, f"e:{event.id}"))
                self.breaks.append(
                    _Break(
                        due,
                        (event.id,),
                        f"did not follow up by the promised {self._day(due)}",
                        lapse=lapse,
                        own=event.id,
                    )
                )

    def _repeated_apologies(self) -> None:
        window = timedelta(days=self.th.repeated_apologies_window_days)
        needed = self.th.repeated_apologies_count
        sorry = [
            e
            for e in self.events
            if e.direction == "inbound"
            and not e.is_out_of_office
            and (e.has_intent("apology") or e.has_intent("excuse"))
        ]
        clusters: list[list[EventFacts]] = []
        for event in sorry:
            if clusters and event.occurred_at - clusters[-1][-1].occurred_at <= window:
                clusters[-1].append(event)
            else:
                clusters.append([event])
        for cluster in clusters:
            reached = next(
                (
                    e
                    for e in cluster
                    if sum(
                        1
                        for x in cluster
                        if e.occurred_at - window <= x.occurred_at <= e.occurred_at
                    )
                    >= needed
                ),
                None,
            )
            if reached is None:
                continue
            self._add(
                make_signal(
                    "repeated_apologies",
                    severity="low",
                    summary=(
                        f"{len(cluster)} apologies or excuses between "
                        f"{self._day(cluster[0].occurred_at)} and "
                        f"{self._day(cluster[-1].occurred_at)}."
                    ),
                    clears_when=(
                        f"no further apology within "
                        f"{_number(self.th.repeated_apologies_window_days)} days"
                    ),
                    evidence=[e.id for e in cluster],
                    observed_at=reached.occurred_at,
                    lapse=[atom for e in cluster for atom in self._apology_about(e)],
                    role="soft",
                )
            )

    def _apology_about(self, apology: EventFacts) -> list[str]:
        """What an apology is about: itself, the exchange it answers, a lapse just before it."""
        atoms = [f"e:{apology.id}"]
        atoms.extend(
            f"x:{x.index}" for x in self.history.exchanges if x.response_event_id == apology.id
        )
        atoms.extend(
            atom
            for when, atom in self.lapse_events
            if apology.occurred_at - LAPSE_FOLLOW_UP <= when <= apology.occurred_at
        )
        return atoms

    def _reschedules(self) -> None:
        moved = [
            e
            for e in self.events
            if e.direction == "inbound"
            and e.type == "meeting"
            and e.outcome in ("rescheduled", "cancelled")
        ]
        needed = self.th.reschedules_count
        if len(moved) < needed:
            return
        self._add(
            make_signal(
                "reschedules",
                severity="medium",
                summary=(
                    f"The candidate rescheduled or cancelled {len(moved)} meetings "
                    f"(last on {self._day(moved[-1].occurred_at)})."
                ),
                clears_when="it weighs less as it ages; keeping the next meeting helps",
                evidence=[e.id for e in moved],
                observed_at=moved[needed - 1].occurred_at,
                lapse=[f"e:{e.id}" for e in moved],
                role="soft",
            )
        )

    def _cooling(self) -> None:
        closed = self._closed()
        size = self.th.cooling_window_exchanges
        if len(closed) < 2 * size:
            return
        first = statistics.median(x.business_seconds for x in closed[:size])
        last = statistics.median(x.business_seconds for x in closed[-size:])
        latest = closed[-1]
        multiple = self.th.cooling_multiple
        # The latest reply must itself be slow: a reply at the old pace clears the trend.
        if not (
            last > multiple * first
            and last >= MIN_SLOW_SECONDS
            and latest.business_seconds > multiple * first
            and latest.business_seconds >= MIN_SLOW_SECONDS
        ):
            return
        assert latest.responded_at is not None
        self._add(
            make_signal(
                "cooling",
                severity="low",
                summary=(
                    f"Replies slowed down: the last {size} took a median of "
                    f"{_number(last / HOUR)} business hours, against "
                    f"{_number(first / HOUR)} for the first {size}."
                ),
                clears_when=(
                    f"a reply at the earlier pace (about {_number(first / HOUR)} business hours)"
                ),
                evidence=[i for x in closed[-size:] for i in _present(x.response_event_id)],
                observed_at=latest.responded_at,
                lapse=[
                    f"x:{x.index}"
                    for x in closed[-size:]
                    if x.business_seconds > multiple * first
                    and x.business_seconds >= MIN_SLOW_SECONDS
                ],
                role="soft",
            )
        )

    def _words_not_actions(self) -> None:
        window = timedelta(days=self.th.words_not_actions_window_days)
        breaks = sorted(self.breaks, key=lambda b: (b.at, b.evidence))
        for event in self.events:
            if event.direction != "inbound" or event.is_out_of_office:
                continue
            words = [i for i in event.intents if i.intent in ("assurance", "commitment")]
            if not words:
                continue
            start, end = event.occurred_at, event.occurred_at + window
            broken = next((b for b in breaks if start < b.at <= end), None)
            if broken is None:
                continue
            said = sorted({w.evidence for w in words if w.evidence})
            quoted = f" (“{said[0]}”)" if said else ""
            self._add(
                make_signal(
                    "words_not_actions",
                    severity="high",
                    summary=(
                        f"Gave assurances on {self._day(start)}{quoted}, then "
                        f"{broken.what} {_number((broken.at - start) / timedelta(days=1))} "
                        "days later."
                    ),
                    clears_when="the candidate does what they said; it weighs less as it ages",
                    evidence=[event.id, *broken.evidence],
                    observed_at=broken.at,
                    lapse=broken.lapse,
                    # Only a promise the candidate broke is a lapse of its own; words before
                    # another lapse explain it and weigh nothing (saying "I'm really excited"
                    # never lowers a score by itself).
                    role="event" if broken.own == event.id else "none",
                )
            )

    # ---- positive signals ----------------------------------------------------------------

    def _prompt_replies(self) -> None:
        closed = self._closed()
        if len(closed) < 2:
            return
        median = statistics.median(x.business_seconds for x in closed)
        if median > self.th.prompt_reply_business_hours * HOUR:
            return
        latest = closed[-1].responded_at
        assert latest is not None
        self._add(
            make_signal(
                "prompt_replies",
                severity="low",
                summary=(
                    f"Replies in a median of {_number(median / HOUR)} business hours "
                    f"over {len(closed)} exchanges."
                ),
                clears_when="positive: keeps counting while replies stay prompt",
                evidence=[i for x in closed for i in _present(x.response_event_id)],
                observed_at=latest,
            )
        )

    def _thank_you_notes(self) -> None:
        window = timedelta(hours=self.th.thank_you_window_hours)
        thanks = [
            e
            for e in self.events
            if e.direction == "inbound" and not e.is_out_of_office and e.has_intent("thanks")
        ]
        for meeting in self.events:
            if meeting.type != "meeting" or meeting.outcome != "attended":
                continue
            note = next(
                (
                    t
                    for t in thanks
                    if meeting.occurred_at <= t.occurred_at <= meeting.occurred_at + window
                ),
                None,
            )
            if note is None:
                continue
            hours = _number((note.occurred_at - meeting.occurred_at) / timedelta(hours=1))
            self._add(
                make_signal(
                    "thank_you_note",
                    severity="low",
                    summary=(
                        f"Sent a thank-you note {hours} hours after the meeting on "
                        f"{self._day(meeting.occurred_at)}."
                    ),
                    clears_when="positive: it weighs less as it ages",
                    evidence=[meeting.id, note.id],
                    observed_at=note.occurred_at,
                )
            )

    def _proactive_follow_ups(self) -> None:
        for event_id in sorted(
            self.history.candidate_initiated, key=lambda i: self.by_id[i].sort_key
        ):
            event = self.by_id[event_id]
            if event.has_intent("decline") or event.is_out_of_office:
                continue
            if event.type == "meeting" and event.outcome in ("rescheduled", "cancelled"):
                continue
            self._add(
                make_signal(
                    "proactive_follow_up",
                    severity="low",
                    summary=(
                        f"Reached out unprompted on {self._when(event.occurred_at)} "
                        f"({event.channel})."
                    ),
                    clears_when="positive: it weighs less as it ages",
                    evidence=[event.id],
                    observed_at=event.occurred_at,
                )
            )


def _number(value: float) -> str:
    """Format a quantity for a sentence: one decimal, none when whole."""
    rounded = round(value, 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def _present(value: str | None) -> tuple[str, ...]:
    return () if value is None else (value,)
