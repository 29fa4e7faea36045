"""The next follow-up step for the recruiter (contract section 5): pure, no database.

Order of precedence:
0. The candidate declined (`signals.find_decline`) → `close_the_loop`, due at once; once the
   recruiter has written or called after the decline, the loop is closed → `none`.
1. The candidate is waiting on us (an inbound event that needs a reply) →
   `reply_to_candidate`, due one business day after they wrote.
2. An exchange is open → the cadence: `check_in` 2 business days after the first attempt, then
   `second_check_in` 5 business days (a week) after the check-in, then one `phone_call` 2
   business days later (skipped when a call was already tried in this exchange), then
   `close_the_loop` 5 business days after the last attempt.
3. The candidate let a promised date pass (an overdue request, a broken commitment) and nobody
   has followed up since → `check_in` 2 business days after that date.
4. Otherwise `none`.

The cadence waits for the candidate: business days of an absence they announced do not count
(no check-in falls due before they are back), and it counts from a requested item's `due_at`
when that is later than the last attempt (no check-in before what was asked is due).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from app.core.business_time import WorkingCalendar
from app.events.domain import EventFacts, History
from app.scoring.signals import MissedDate, clock_deadline

Action = Literal[
    "check_in", "second_check_in", "phone_call", "close_the_loop", "reply_to_candidate", "none"
]

CHECK_IN_DAYS = 2
SECOND_CHECK_IN_DAYS = 5
PHONE_CALL_DAYS = 2
CLOSE_THE_LOOP_DAYS = 5
REPLY_DAYS = 1


@dataclass(frozen=True)
class NextAction:
    """What the recruiter should do next, and from when."""

    action: Action
    due_at: datetime | None
    reason: str


NO_ACTION = NextAction(action="none", due_at=None, reason="Nothing is waiting on anyone.")


def _day(calendar: WorkingCalendar, instant: datetime) -> str:
    local = instant.astimezone(calendar.tz)
    return f"{local:%a} {local.day} {local:%b}"


def close_the_loop(
    decline: EventFacts, *, calendar: WorkingCalendar, history: History | None = None
) -> NextAction:
    """The next action for a candidate who said no: close the loop kindly, at once.

    A message or call from us after the decline closed it: nothing is left to do.
    """
    if history is not None:
        answer = next(
            (
                e
                for e in history.events
                if e.direction == "outbound"
                and e.type in ("message", "call")
                and e.sort_key > decline.sort_key
            ),
            None,
        )
        if answer is not None:
            return NextAction(
                action="none",
                due_at=None,
                reason=(
                    f"The candidate declined on {_day(calendar, decline.occurred_at)}; "
                    f"the loop was closed on {_day(calendar, answer.occurred_at)}."
                ),
            )
    return NextAction(
        action="close_the_loop",
        due_at=decline.occurred_at.astimezone(UTC),
        reason=(
            f"The candidate declined on {_day(calendar, decline.occurred_at)}; "
            "close the loop kindly."
        ),
    )


def add_days_around(
    calendar: WorkingCalendar,
    start: datetime,
    days: int,
    absences: Sequence[tuple[datetime, datetime]] = (),
) -> datetime:
    """`calendar.add_business_days`, with the candidate's announced absences not counting."""
    if not absences:
        return calendar.add_business_days(start, days)
    begin = calendar.next_working_start(start)
    for lo, hi in absences:
        if lo <= begin < hi:
            begin = calendar.next_working_start(hi)
    return clock_deadline(calendar, begin, calendar.seconds_per_day * days, absences)


def compute_next_action(
    history: History, *, calendar: WorkingCalendar, missed_dates: Sequence[MissedDate] = ()
) -> NextAction:
    """Return the next step of the follow-up cadence as of `history.as_of` (due in UTC)."""
    action = _decide(history, calendar, missed_dates)
    if action.due_at is None:
        return action
    return replace(action, due_at=action.due_at.astimezone(UTC))


def _decide(
    history: History, calendar: WorkingCalendar, missed_dates: Sequence[MissedDate]
) -> NextAction:

    def day(instant: datetime) -> str:
        return _day(calendar, instant)

    def after(start: datetime, days: int) -> datetime:
        return add_days_around(calendar, start, days, history.absences)

    waiting = history.waiting_on_us
    if waiting is not None:
        return NextAction(
            action="reply_to_candidate",
            due_at=calendar.add_business_days(waiting.opened_at, REPLY_DAYS),
            reason=(
                f"The candidate wrote on {day(waiting.opened_at)} and is waiting for an answer."
            ),
        )

    exchange = history.open_exchange
    if exchange is not None:
        by_id = {e.id: e for e in history.events}
        attempts = [by_id[i] for i in exchange.attempt_event_ids]
        last = attempts[-1].occurred_at
        fulfilled = {e.fulfills for e in history.events if e.fulfills}
        asked = [
            a.due_at
            for a in attempts
            if a.type == "request" and a.due_at is not None and a.external_id not in fulfilled
        ]
        anchor = max([last, *asked])
        count = len(attempts)
        since = f"since {day(exchange.opened_at)}"
        if count == 1:
            what = (
                f"No reply to the {attempts[0].type} of {day(last)}"
                if anchor == last
                else f"Nothing yet on the {attempts[0].type} due {day(anchor)}"
            )
            return NextAction(
                action="check_in",
                due_at=after(anchor, CHECK_IN_DAYS),
                reason=f"{what}; send a polite check-in.",
            )
        if count == 2:
            return NextAction(
                action="second_check_in",
                due_at=after(anchor, SECOND_CHECK_IN_DAYS),
                reason=(
                    f"No reply to 2 attempts {since}; "
                    "send a second check-in a week after the first."
                ),
            )
        if not any(a.type == "call" for a in attempts):
            return NextAction(
                action="phone_call",
                due_at=after(anchor, PHONE_CALL_DAYS),
                reason=f"No reply to {count} written attempts {since}; try one phone call.",
            )
        return NextAction(
            action="close_the_loop",
            due_at=after(anchor, CLOSE_THE_LOOP_DAYS),
            reason=(
                f"No reply to {count} attempts, a call included, {since}; "
                "close the loop kindly if another week passes."
            ),
        )

    outbound_attempts = [e.occurred_at for e in history.events if e.is_attempt]
    unfollowed = [m for m in missed_dates if not any(at > m.due_at for at in outbound_attempts)]
    if unfollowed:
        missed = min(unfollowed, key=lambda m: (m.due_at, m.event_id))
        what = "requested item" if missed.kind == "request" else "promised follow-up"
        return NextAction(
            action="check_in",
            due_at=after(missed.due_at, CHECK_IN_DAYS),
            reason=(
                f"The {what} due {day(missed.due_at)} has not arrived; send a polite check-in."
            ),
        )
    return NO_ACTION
