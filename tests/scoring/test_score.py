"""Score, bands, fairness, valid_until, and properties over random histories."""

import dataclasses
import inspect
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.core.business_time import WorkingCalendar
from app.events.domain import EventFacts, compute_history
from app.language import IntentMatch
from app.orgs.scoring_settings import ScoringSettingsDocument, Weights
from app.scoring.metrics import METRIC_KEYS
from app.scoring.score import Evaluation, band_for, evaluate
from app.scoring.signals import NEGATIVE_CODES, TICK
from tests.scoring.helpers import (
    DEFAULTS,
    at,
    call,
    codes,
    in_msg,
    intent,
    meeting,
    of_code,
    out_msg,
    points,
    request,
    run,
    with_weights,
)

# ---- basics -------------------------------------------------------------------------------


def test_no_score_before_the_first_attempt() -> None:
    result = run([in_msg(at(2, 10))], at(3))
    assert result.score is None
    assert result.band == "unknown"
    assert result.breakdown == []
    assert [s.code for s in result.signals] == ["proactive_follow_up"]
    assert run([], at(3)).score is None


def test_base_score_is_75_after_an_attempt() -> None:
    result = run([out_msg(at(2, 9)), in_msg(at(2, 10))], at(3))
    assert (result.score, result.band, result.breakdown) == (75, "engaged", [])


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (None, "unknown"),
        (100, "engaged"),
        (70, "engaged"),
        (69, "cooling"),
        (40, "cooling"),
        (39, "not_that_into_you"),
        (0, "not_that_into_you"),
    ],
)
def test_bands(score: int | None, band: str) -> None:
    assert band_for(score) == band


def test_metrics_have_exactly_the_contract_keys() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(2, 11)), out_msg(at(3, 9)), in_msg(at(3, 10))]
    events += [out_msg(at(4, 9)), meeting(at(4, 10), "no_show")]
    metrics = run(events, at(4, 12)).metrics
    assert tuple(metrics) == METRIC_KEYS
    assert metrics == {
        "exchanges": 3,
        "response_rate": 0.667,
        "median_reply_business_hours": 1.5,
        "p90_reply_business_hours": 2.0,
        "open_attempts": 1,
        "no_shows": 1,
        "candidate_initiated": 0,
        "waiting_on_us_business_hours": 0.0,
    }
    assert run([], at(2)).metrics["response_rate"] is None


def test_breakdown_explains_the_score() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(2, 10)), meeting(at(3, 10), "no_show")]
    events += [call(at(4, 9)), in_msg(at(6, 9), "apology")]
    result = run(events, at(6, 12))
    assert result.score == 75 + sum(points(result).values())
    assert [i.code for i in result.breakdown] == ["missed_meeting", "no_callback"]


def test_one_code_never_exceeds_twice_its_weight() -> None:
    no_shows = [meeting(at(2, 10) + timedelta(minutes=i), "no_show") for i in range(12)]
    result = run(
        [out_msg(at(2, 9)), *no_shows], at(2, 12), settings=with_weights(missed_meeting=30)
    )
    assert -60 <= points(result)["missed_meeting"] <= -59  # 30 x (2 - 2**-11), rounded


# ---- fairness -----------------------------------------------------------------------------


def only(code: str) -> tuple[list[EventFacts], datetime]:
    """A history in which exactly one negative signal code is raised."""
    hello = [out_msg(at(2, 9)), in_msg(at(2, 9, 30))]
    if code == "missed_meeting":
        return [*hello, meeting(at(4, 10), "no_show")], at(4, 12)
    if code == "no_callback":
        return [call(at(2, 9), "voicemail")], at(3, 10)
    if code == "slow_reply":
        return [out_msg(at(2, 9)), in_msg(at(4, 10))], at(4, 12)
    if code == "unfulfilled_request":
        return [request(at(2, 9), at(2, 17)), in_msg(at(2, 9, 30))], at(3)
    if code == "repeated_apologies":
        events = [*hello, out_msg(at(3, 9)), in_msg(at(3, 9, 30), "apology")]
        return [*events, out_msg(at(4, 9)), in_msg(at(4, 9, 30), "excuse")], at(5)
    if code == "words_not_actions":
        said = intent("commitment", "by Wednesday", due_at=at(4, 17))
        return [out_msg(at(2, 9)), in_msg(at(2, 10), said)], at(5)
    if code == "reschedules":
        moves = [meeting(at(3, h), "rescheduled", direction="inbound") for h in (10, 11, 12)]
        return [*hello, *moves], at(3, 13)
    if code == "cooling":
        days, minutes = [2, 3, 4, 5, 6, 9], [120, 120, 120, 300, 300, 300]
        events = [
            e
            for d, m in zip(days, minutes, strict=True)
            for e in (out_msg(at(d, 9)), in_msg(at(d, 9) + timedelta(minutes=m)))
        ]
        return events, at(10)
    raise AssertionError(code)


ISOLATED = [c for c in NEGATIVE_CODES if c != "ghosting"]
NEGATIVES_AT_100 = DEFAULTS.weights.model_copy(update=dict.fromkeys(NEGATIVE_CODES, 100))


@pytest.mark.parametrize("code", ISOLATED)
@pytest.mark.parametrize("all_weights", [False, True])
def test_one_isolated_lapse_never_makes_not_that_into_you(code: str, all_weights: bool) -> None:
    events, as_of = only(code)
    weights = NEGATIVES_AT_100 if all_weights else {code: 100}
    settings = (
        DEFAULTS.model_copy(update={"weights": weights})
        if all_weights
        else with_weights(**{code: 100})
    )
    result = run(events, as_of, settings=settings)
    assert codes(result) == {code}
    assert points(result)[code] == -100  # fresh evidence, full weight
    assert result.band != "not_that_into_you"
    assert result.score is not None and result.score >= 40
    if 75 + sum(points(result).values()) < 40:
        assert result.score == 40 and result.fairness_floor_applied


def test_ghosting_alone_can_make_not_that_into_you() -> None:
    events = [out_msg(at(2, 9)), out_msg(at(4, 9)), out_msg(at(11, 9))]
    result = run(events, at(12))
    assert codes(result) == {"ghosting"}
    assert result.band == "not_that_into_you"


def test_two_different_lapses_are_a_pattern() -> None:
    events = [*only("missed_meeting")[0], call(at(5, 9), "no_answer")]
    result = run(events, at(6, 12), settings=with_weights(missed_meeting=100))
    assert codes(result) == {"missed_meeting", "no_callback"}
    assert result.band == "not_that_into_you"
    assert not result.fairness_floor_applied


def test_a_dismissed_flag_does_not_count_toward_a_pattern() -> None:
    events = [*only("missed_meeting")[0], call(at(5, 9), "no_answer")]
    settings = with_weights(missed_meeting=100)
    callback = next(s for s in run(events, at(6, 12)).signals if s.code == "no_callback")
    result = run(events, at(6, 12), settings=settings, dismissed=frozenset({callback.key}))
    assert result.score == 40
    assert result.fairness_floor_applied


def test_nothing_about_the_person_can_enter() -> None:
    parameters = inspect.signature(evaluate).parameters
    assert list(parameters) == ["history", "settings", "calendar", "dismissed_keys"]
    fields = {f.name for f in dataclasses.fields(EventFacts)}
    assert not fields & {"name", "email", "phone", "age", "location", "candidate", "gender"}


# ---- valid_until --------------------------------------------------------------------------


def comparable(result: Evaluation) -> Evaluation:
    """The evaluation without the waiting-on-us clock, which ticks continuously by design."""
    metrics = {k: v for k, v in result.metrics.items() if k != "waiting_on_us_business_hours"}
    return dataclasses.replace(result, metrics=metrics)


def test_valid_until_with_an_open_exchange_at_two_attempts() -> None:
    events = [out_msg(at(2, 9)), out_msg(at(4, 9))]
    as_of = at(4, 12)
    now = run(events, as_of)
    assert now.valid_until is not None and now.valid_until > as_of
    assert comparable(run(events, now.valid_until - TICK)) == comparable(now)
    assert comparable(run(events, now.valid_until - timedelta(hours=1))) == comparable(now)


def test_valid_until_steps_reach_the_ghosting_crossing_exactly() -> None:
    events = [out_msg(at(2, 9)), out_msg(at(3, 9)), out_msg(at(4, 9))]
    now = run(events, at(4, 12))
    steps = []
    while now.valid_until is not None and "ghosting" not in codes(now):
        assert comparable(run(events, now.valid_until - TICK)) == comparable(now)
        steps.append(now.valid_until)
        now = run(events, now.valid_until)
    # The phone call falls due first (Thu 17:00), then the clock crosses 5 business days.
    assert steps == [at(6, 9), at(9, 9) + TICK]
    assert "ghosting" not in codes(run(events, at(9, 9)))


def test_valid_until_is_none_when_nothing_can_change() -> None:
    assert (
        run([in_msg(at(2, 9)), out_msg(at(2, 10), expects_reply=False)], at(3)).valid_until is None
    )


# ---- properties over random histories -----------------------------------------------------

T0 = at(2, 8)
KINDS = (
    "out_msg",
    "out_call",
    "out_call_connected",
    "out_meeting_scheduled",
    "out_meeting_attended",
    "out_meeting_no_show",
    "out_request",
    "out_note",
    "in_msg",
    "in_msg",
    "in_ooo",
    "in_meeting_moved",
    "exchange",
    "exchange",
    "exchange",
)
INTENT_NAMES = ("apology", "excuse", "assurance", "thanks", "commitment", "decline")


@st.composite
def histories(draw: Any) -> tuple[list[EventFacts], datetime]:  # noqa: C901, PLR0912 (one branch per kind of event)
    """Random events (ties included) and an as_of at or after the last one."""
    count = draw(st.integers(0, 20))
    when = T0
    events: list[EventFacts] = []
    requests: list[str] = []
    for n in range(count):
        when += timedelta(minutes=draw(st.sampled_from([0, 5, 30, 90, 240, 600, 1440, 4000])))
        kind = draw(st.sampled_from(KINDS))
        ext = f"h{n:02d}"
        if kind == "exchange":  # a whole question and answer, so trends (cooling) show up
            events.append(EventFacts(f"id-{ext}q", f"{ext}q", "outbound", "email", "message", when))
            when += timedelta(minutes=draw(st.sampled_from([5, 60, 150, 330, 1200])))
            events.append(EventFacts(f"id-{ext}a", f"{ext}a", "inbound", "email", "message", when))
            continue
        base: dict[str, Any] = {
            "id": f"id-{ext}",
            "external_id": ext,
            "occurred_at": when,
            "channel": "email",
        }
        hours = timedelta(hours=draw(st.integers(1, 120)))
        if kind.startswith("out_"):
            base["direction"] = "outbound"
        else:
            base["direction"] = "inbound"
        if kind in ("out_msg", "out_note", "in_msg", "in_ooo"):
            base["type"] = "message"
        if kind == "out_note":
            base["expects_reply"] = False
        elif kind.startswith("out_call"):
            base |= {"type": "call", "outcome": "connected" if "connected" in kind else "voicemail"}
        elif kind.startswith("out_meeting"):
            base |= {"type": "meeting", "outcome": kind.removeprefix("out_meeting_")}
        elif kind == "out_request":
            base |= {"type": "request", "due_at": when + hours}
            requests.append(ext)
        elif kind == "in_meeting_moved":
            base |= {
                "type": "meeting",
                "outcome": draw(st.sampled_from(["rescheduled", "cancelled"])),
            }
        elif kind == "in_ooo":
            until = when + hours if draw(st.booleans()) else None
            base |= {
                "auto_reply": True,
                "intents": (IntentMatch("out_of_office", "ooo", until=until),),
            }
        elif kind == "in_msg":
            names = draw(st.lists(st.sampled_from(INTENT_NAMES), max_size=2, unique=True))
            base["intents"] = tuple(
                IntentMatch(name, name, due_at=when + hours if name == "commitment" else None)
                for name in names
            )
            if requests and draw(st.booleans()):
                base["fulfills"] = draw(st.sampled_from(requests))
        events.append(EventFacts(**base))
    as_of = when + timedelta(minutes=draw(st.integers(0, 20 * 24 * 60)))
    return events, as_of


CALENDARS = st.sampled_from(
    [WorkingCalendar(), DEFAULTS.calendar("America/New_York"), DEFAULTS.calendar("Asia/Kolkata")]
)
WEIGHTS = st.builds(Weights, **{name: st.integers(0, 100) for name in Weights.model_fields})
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _evaluate(
    events: list[EventFacts],
    as_of: datetime,
    calendar: WorkingCalendar,
    document: ScoringSettingsDocument = DEFAULTS,
) -> Evaluation:
    return evaluate(compute_history(events, calendar, as_of), settings=document, calendar=calendar)


@FAST
@given(histories(), CALENDARS, WEIGHTS)
def test_score_is_bounded_and_deterministic(
    case: tuple[list[EventFacts], datetime], calendar: WorkingCalendar, weights: Weights
) -> None:
    events, as_of = case
    document = DEFAULTS.model_copy(update={"weights": weights})
    result = _evaluate(events, as_of, calendar, document)
    assert result.score is None or 0 <= result.score <= 100
    # A "no" in words is `declined` even before the first attempt (with no score then).
    assert (result.score is None) == (result.band == "unknown") or result.band == "declined"
    assert result == _evaluate(events, as_of, calendar, document)
    assert tuple(result.metrics) == METRIC_KEYS
    if result.band == "not_that_into_you":
        assert "ghosting" in codes(result) or result.lapses >= 2


@FAST
@given(histories(), CALENDARS, st.randoms(use_true_random=False))
def test_order_of_events_does_not_matter(
    case: tuple[list[EventFacts], datetime], calendar: WorkingCalendar, rnd: random.Random
) -> None:
    events, as_of = case
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert _evaluate(shuffled, as_of, calendar) == _evaluate(events, as_of, calendar)


@FAST
@given(histories(), CALENDARS, st.integers(1, 30), st.integers(0, 5 * 24 * 60))
def test_a_prompt_reply_never_lowers_the_score(
    case: tuple[list[EventFacts], datetime], calendar: WorkingCalendar, minutes: int, later: int
) -> None:
    events, _ = case
    start = (events[-1].occurred_at if events else T0) + timedelta(minutes=1)
    if compute_history(events, calendar, start).open_exchange is not None:
        events = [*events, EventFacts("id-close", "close", "inbound", "email", "message", start)]
    attempt = EventFacts(
        "id-ask", "ask", "outbound", "email", "message", start + timedelta(minutes=1)
    )
    reply_at = attempt.occurred_at + timedelta(minutes=minutes)
    reply = EventFacts("id-reply", "reply", "inbound", "email", "message", reply_at)
    as_of = reply_at + timedelta(minutes=later)
    without = _evaluate([*events, attempt], as_of, calendar)
    with_reply = _evaluate([*events, attempt, reply], as_of, calendar)
    # The contract's own-median rule (rev. 2: the median of all closed exchanges as of as_of)
    # lets a new quick reply lower the median and so show an older reply as slow by contrast;
    # that is by design, so those cases are left out here to test everything else.
    slow_before = {s.key for s in of_code(without, "slow_reply")}
    assume(not {s.key for s in of_code(with_reply, "slow_reply")} - slow_before)
    assert without.score is not None and with_reply.score is not None
    assert with_reply.score >= without.score


@FAST
@given(histories(), CALENDARS)
def test_nothing_changes_before_valid_until(
    case: tuple[list[EventFacts], datetime], calendar: WorkingCalendar
) -> None:
    events, as_of = case
    now = _evaluate(events, as_of, calendar)
    if now.valid_until is None:
        later = _evaluate(events, as_of + timedelta(days=400), calendar)
        assert comparable(later) == comparable(now)
        return
    assert now.valid_until > as_of
    assert comparable(_evaluate(events, now.valid_until - TICK, calendar)) == comparable(now)
