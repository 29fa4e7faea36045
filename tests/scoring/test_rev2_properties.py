"""Properties of contract revision 2 over generated histories (hypothesis).

- No history with a single lapse (one no-show, one slow exchange or one unfulfilled request,
  plus any number of prompt replies) is ever `not_that_into_you`.
- A history whose only change is a decline at its end ends `declined`, with no negative signal.
- Syncing messages twice (same channel and body within 10 minutes) never changes the score,
  the band or the flags.
Each is checked on the events in order and shuffled.
"""

import dataclasses
import random
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.business_time import WorkingCalendar
from app.events.domain import EventFacts, IntentMatch, body_key_of, compute_history
from app.orgs.scoring_settings import ScoringSettingsDocument
from app.scoring.score import Evaluation, evaluate
from app.scoring.signals import NEGATIVE_CODES
from tests.scoring.helpers import DEFAULTS, at

CALENDAR = WorkingCalendar()
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAYS = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27]
PROMPT_INTENTS = ["", "thanks", "scheduling", "assurance"]


def _facts(n: int, direction: str, type_: str, when: datetime, **fields: Any) -> EventFacts:
    ext = f"p{n:03d}{direction[0]}"
    return EventFacts(
        id=f"id-{ext}",
        external_id=ext,
        direction=direction,  # type: ignore[arg-type]
        channel="email" if type_ == "message" else "video",
        type=type_,
        occurred_at=when,
        body_key=body_key_of(f"{ext} text") if type_ == "message" else None,
        **fields,
    )


@st.composite
def single_lapse(draw: Any) -> tuple[list[EventFacts], datetime, str]:
    """Prompt exchanges, one per business day, with exactly one lapse among them."""
    count = draw(st.integers(0, 8))
    slot = draw(st.integers(0, count))
    kind = draw(st.sampled_from(["no_show", "slow", "unfulfilled"]))
    events: list[EventFacts] = []
    day = iter(DAYS)
    for n in range(count + 1):
        start = at(next(day), draw(st.sampled_from([9, 10, 13])))
        if n == slot:
            if kind == "no_show":
                invite = draw(st.booleans())
                if invite:
                    events.append(
                        _facts(
                            n,
                            "outbound",
                            "meeting",
                            start,
                            outcome="scheduled",
                            scheduled_for=start + timedelta(hours=2),
                        )
                    )
                no_show = _facts(n + 100, "outbound", "meeting", start + timedelta(hours=2))
                events.append(dataclasses.replace(no_show, outcome="no_show"))
                if draw(st.booleans()):  # an apology a little later
                    apology = (IntentMatch("apology", "sorry"),)
                    late = start + timedelta(hours=draw(st.sampled_from([3, 26, 50])))
                    events.append(_facts(n, "inbound", "message", late, intents=apology))
                next(day)
                next(day)
                continue
            if kind == "slow":
                hours = draw(st.sampled_from([5, 17, 30, 60]))
                events.append(_facts(n, "outbound", "message", start))
                reply = CALENDAR.add_business_seconds(start, hours * 3600)
                events.append(_facts(n, "inbound", "message", reply))
                for _ in range(hours // 8 + 1):
                    next(day)
                continue
            due = start + timedelta(hours=draw(st.sampled_from([4, 30])))
            events.append(_facts(n, "outbound", "request", start, due_at=due))
            events.append(_facts(n, "inbound", "message", start + timedelta(minutes=30)))
            next(day)
            continue
        said = draw(st.sampled_from(PROMPT_INTENTS))
        intents = (IntentMatch(said, said),) if said else ()
        events.append(_facts(n, "outbound", "message", start))
        reply = start + timedelta(minutes=draw(st.sampled_from([5, 30, 90])))
        events.append(_facts(n, "inbound", "message", reply, intents=intents))
    last = max(e.occurred_at for e in events)
    as_of = last + timedelta(hours=draw(st.sampled_from([1, 30, 24 * 7, 24 * 40])))
    return events, as_of, kind


HEAVY = DEFAULTS.model_copy(
    update={"weights": DEFAULTS.weights.model_copy(update=dict.fromkeys(NEGATIVE_CODES, 100))}
)
"""Every negative signal at full weight: one lapse alone would reach 0 but for the rule."""
DOCUMENTS = st.sampled_from([DEFAULTS, HEAVY])


def _evaluate(
    events: list[EventFacts], as_of: datetime, document: ScoringSettingsDocument = DEFAULTS
) -> Evaluation:
    history = compute_history(events, CALENDAR, as_of)
    return evaluate(history, settings=document, calendar=CALENDAR)


def _same_shuffled(
    events: list[EventFacts],
    as_of: datetime,
    seed: int,
    document: ScoringSettingsDocument = DEFAULTS,
) -> Evaluation:
    result = _evaluate(events, as_of, document)
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    assert _evaluate(shuffled, as_of, document) == result
    return result


def _view(result: Evaluation) -> tuple[Any, ...]:
    flags = sorted(s.code for s in result.signals if s.polarity == "negative")
    return result.score, result.band, flags, result.breakdown


@PROPERTY
@given(single_lapse(), st.integers(0, 1000), DOCUMENTS)
def test_a_single_lapse_is_never_not_that_into_you(
    case: tuple[list[EventFacts], datetime, str], seed: int, document: ScoringSettingsDocument
) -> None:
    events, as_of, _ = case
    result = _same_shuffled(events, as_of, seed, document)
    assert result.band != "not_that_into_you", result
    assert result.lapses <= 1


@PROPERTY
@given(single_lapse(), st.integers(0, 1000), st.sampled_from([5, 60, 60 * 30]))
def test_a_decline_at_the_end_is_declined(
    case: tuple[list[EventFacts], datetime, str], seed: int, minutes: int
) -> None:
    events, as_of, _ = case
    when = max(e.occurred_at for e in events) + timedelta(minutes=minutes)
    decline = _facts(999, "inbound", "message", when, intents=(IntentMatch("decline", "no"),))
    result = _same_shuffled([*events, decline], max(as_of, when), seed)
    assert result.band == "declined"
    assert not [s for s in result.signals if s.polarity == "negative"]
    assert result.next_action.action == "close_the_loop"
    assert result.next_action.due_at == when


@PROPERTY
@given(single_lapse(), st.data())
def test_duplicated_syncs_never_change_score_or_flags(
    case: tuple[list[EventFacts], datetime, str], data: Any
) -> None:
    events, as_of, _ = case
    messages = [e for e in events if e.body_key is not None]
    chosen = (
        data.draw(st.lists(st.sampled_from(messages), unique_by=lambda e: e.id)) if messages else []
    )
    copies = [
        dataclasses.replace(
            e,
            id=f"{e.id}-copy",
            external_id=f"{e.external_id}-copy",
            occurred_at=e.occurred_at + timedelta(seconds=data.draw(st.integers(0, 600))),
        )
        for e in chosen
    ]
    seed = data.draw(st.integers(0, 1000))
    assert _view(_same_shuffled([*events, *copies], as_of, seed)) == _view(_evaluate(events, as_of))


@PROPERTY
@given(single_lapse(), st.data(), DOCUMENTS)
def test_saying_im_really_excited_never_lowers_the_score(
    case: tuple[list[EventFacts], datetime, str], data: Any, document: ScoringSettingsDocument
) -> None:
    events, as_of, _ = case
    inbound = [e for e in events if e.direction == "inbound" and e.type == "message"]
    chosen = (
        data.draw(st.lists(st.sampled_from(inbound), unique_by=lambda e: e.id)) if inbound else []
    )
    excited = IntentMatch("assurance", "I'm really excited")
    ids = {e.id for e in chosen}
    said = [
        dataclasses.replace(e, intents=(*e.intents, excited)) if e.id in ids else e for e in events
    ]
    plain, keen = _evaluate(events, as_of, document), _evaluate(said, as_of, document)
    assert plain.score is None or (keen.score is not None and keen.score >= plain.score)
    assert keen.lapses == plain.lapses
