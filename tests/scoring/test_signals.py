"""Each signal on both sides of its threshold, in business time (UTC calendar, Mon-Fri 9-17).

November 2026: Mon 2, Fri 6, Sat 7, Sun 8, Mon 9, Mon 16, Mon 23, Mon 30; Tue 1 Dec.
"""

from datetime import UTC, datetime, timedelta

import pytest

from app.core.business_time import WorkingCalendar
from app.scoring.signals import clock_deadline, signal_key
from tests.scoring.helpers import (
    at,
    call,
    codes,
    in_msg,
    intent,
    meeting,
    of_code,
    ooo,
    out_msg,
    points,
    request,
    run,
    with_thresholds,
)


def exchanges(*minutes: int) -> list:
    """One exchange per business day from Mon 2 Nov, answered after `minutes` (same day)."""
    days = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17]
    events = []
    for day, reply in zip(days, minutes, strict=False):
        events.append(out_msg(at(day, 9)))
        events.append(in_msg(at(day, 9) + timedelta(minutes=reply)))
    return events


# ---- clock_deadline -----------------------------------------------------------------------


def test_clock_deadline_skips_the_weekend_and_waits_for_working_time() -> None:
    calendar = WorkingCalendar()
    assert clock_deadline(calendar, at(6, 10), 8 * 3600) == at(9, 10)
    # Exactly at Friday's close the clock is at its limit until Monday morning.
    assert clock_deadline(calendar, at(6, 9), 8 * 3600) == at(9, 9)


def test_clock_deadline_leaves_out_pauses() -> None:
    calendar = WorkingCalendar()
    paused = [(at(2, 9), at(9, 0))]
    assert clock_deadline(calendar, at(2, 9), 8 * 3600, paused) == at(10, 9)


# ---- missed_meeting -----------------------------------------------------------------------


def test_missed_meeting_is_one_signal_per_no_show_with_diminishing_points() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10)),
        meeting(at(2, 11), "no_show"),
        meeting(at(2, 12), "no_show"),
        meeting(at(2, 13), "attended"),
    ]
    result = run(events, at(2, 14))  # same day: no decay
    assert len(of_code(result, "missed_meeting")) == 2
    assert points(result)["missed_meeting"] == -30  # 20 + 20/2
    assert result.metrics["no_shows"] == 2


def test_attended_meeting_is_no_missed_meeting() -> None:
    result = run([out_msg(at(2, 9)), in_msg(at(2, 10)), meeting(at(3, 10), "attended")], at(4))
    assert "missed_meeting" not in codes(result)


# ---- no_callback --------------------------------------------------------------------------


@pytest.mark.parametrize(("reply_minute", "flagged"), [(59, False), (61, True)])
def test_no_callback_counts_business_hours_across_a_weekend(
    reply_minute: int, flagged: bool
) -> None:
    # Friday 10:00 → 7 business hours to Friday's close; Monday 9:59 is 7h59, 10:01 is 8h01.
    reply = at(9, 9) + timedelta(minutes=reply_minute)
    result = run([call(at(6, 10), "voicemail"), in_msg(reply)], at(9, 12))
    assert ("no_callback" in codes(result)) is flagged
    assert reply - at(6, 10) > timedelta(hours=71)  # wall clock says days, not hours


@pytest.mark.parametrize(("as_of", "flagged"), [(at(9, 9, 59), False), (at(9, 10, 1), True)])
def test_no_callback_runs_on_an_open_exchange(as_of: datetime, flagged: bool) -> None:
    result = run([call(at(6, 10), "no_answer")], as_of)
    assert ("no_callback" in codes(result)) is flagged


def test_no_callback_is_one_per_exchange_on_the_first_missed_call() -> None:
    first = call(at(2, 9), "no_answer")
    events = [first, call(at(3, 9), "busy"), call(at(4, 9), "voicemail"), in_msg(at(5, 9))]
    [signal] = of_code(run(events, at(5, 12)), "no_callback")
    assert signal.evidence == (first.id,)
    # 8 business hours end at Monday's close; the clock is over once Tuesday starts.
    assert signal.observed_at == at(3, 9)


def test_connected_call_is_no_attempt_and_no_callback() -> None:
    result = run([call(at(6, 10), "connected")], at(20))
    assert "no_callback" not in codes(result)
    assert result.score is None


# ---- slow_reply ---------------------------------------------------------------------------


@pytest.mark.parametrize(("reply_minute", "flagged"), [(59, False), (61, True)])
def test_slow_reply_over_16_business_hours(reply_minute: int, flagged: bool) -> None:
    # Thursday 10:00: 7h Thursday + 8h Friday + 1h Monday = 16h at Monday 10:00.
    reply = at(9, 9) + timedelta(minutes=reply_minute)
    result = run([out_msg(at(5, 10)), in_msg(reply)], at(9, 12))
    assert ("slow_reply" in codes(result)) is flagged


def test_an_open_exchange_is_not_a_slow_reply() -> None:
    assert "slow_reply" not in codes(run([out_msg(at(2, 9))], at(5, 9)))


@pytest.mark.parametrize(("minutes", "flagged"), [(239, False), (241, True)])
def test_slow_reply_relative_to_own_median_never_under_four_hours(
    minutes: int, flagged: bool
) -> None:
    # Three replies in 1h: the median rule (3 x 1h) would flag 3h59, the 4h floor does not.
    result = run(exchanges(60, 60, 60, minutes), at(9))
    assert ("slow_reply" in codes(result)) is flagged


@pytest.mark.parametrize(("minutes", "flagged"), [(360, False), (361, True)])
def test_slow_reply_relative_to_own_median_at_three_times(minutes: int, flagged: bool) -> None:
    result = run(exchanges(120, 120, 120, minutes), at(9))
    assert ("slow_reply" in codes(result)) is flagged


def test_median_rule_needs_three_earlier_exchanges() -> None:
    result = run(exchanges(30, 30, 450), at(9))
    assert "slow_reply" not in codes(result)


def test_median_rule_uses_all_closed_exchanges_as_of_now() -> None:
    # Contract rev. 2: the median of all closed exchanges as of as_of (30 min here), so 7h
    # among quick replies is slow however the quick ones are placed around it.
    for order in ((30, 30, 420, 30, 30, 30), (420, 30, 30, 30), (30, 30, 30, 420)):
        assert "slow_reply" in codes(run(exchanges(*order), at(13))), order


def test_median_rule_needs_four_closed_exchanges() -> None:
    assert "slow_reply" not in codes(run(exchanges(30, 30, 420), at(13)))
    assert "slow_reply" in codes(run(exchanges(30, 30, 420, 30), at(13)))


def test_median_rule_needs_over_four_business_hours_and_over_three_times() -> None:
    # Median 30 min: 240 min is over 3x but not over 4 business hours.
    assert "slow_reply" not in codes(run(exchanges(30, 30, 240, 30), at(13)))
    assert "slow_reply" in codes(run(exchanges(30, 30, 241, 30), at(13)))
    # Median 2h: 6h is not over 3x the median, 6h01 is.
    assert "slow_reply" not in codes(run(exchanges(120, 120, 360, 120), at(13)))
    assert "slow_reply" in codes(run(exchanges(120, 120, 361, 120), at(13)))


def test_reply_by_a_requests_due_date_is_not_slow() -> None:
    events = [request(at(2, 9), at(13, 17)), in_msg(at(6, 16))]
    assert "slow_reply" not in codes(run(events, at(9)))


def test_out_of_office_pause_is_not_slowness() -> None:
    events = [out_msg(at(2, 9)), ooo(at(2, 9, 1), until=at(16, 0)), in_msg(at(16, 10))]
    result = run(events, at(17))
    assert "slow_reply" not in codes(result)


# ---- ghosting -----------------------------------------------------------------------------


def three_attempts() -> list:
    return [out_msg(at(2, 9)), out_msg(at(3, 9)), call(at(4, 9), "voicemail")]


@pytest.mark.parametrize(
    ("as_of", "flagged"),
    [
        (at(6, 16, 59), False),  # 4 business days 7h59
        (at(8, 23), False),  # Sunday: wall clock says 6.5 days, business time says 5 exactly
        (at(9, 9), False),
        (at(9, 9, 1), True),
    ],
)
def test_ghosting_after_five_business_days(as_of: datetime, flagged: bool) -> None:
    assert ("ghosting" in codes(run(three_attempts(), as_of))) is flagged


def test_ghosting_needs_three_attempts() -> None:
    events = [out_msg(at(2, 9)), out_msg(at(3, 9))]
    assert "ghosting" not in codes(run(events, at(30)))


def test_ghosting_is_observed_when_both_conditions_hold() -> None:
    events = [out_msg(at(2, 9)), out_msg(at(3, 9)), out_msg(at(12, 9))]
    [signal] = of_code(run(events, at(13)), "ghosting")
    assert signal.observed_at == at(12, 9)


def test_out_of_office_is_not_ghosting() -> None:
    events = [*three_attempts(), ooo(at(2, 9, 1), until=at(9, 0))]
    assert "ghosting" not in codes(run(events, at(9, 9, 1)))
    assert "ghosting" in codes(run(events, at(16, 9, 1)))


def test_a_reply_ends_ghosting() -> None:
    events = [*three_attempts(), in_msg(at(12, 9))]
    assert "ghosting" not in codes(run(events, at(13)))


# ---- unfulfilled_request ------------------------------------------------------------------


@pytest.mark.parametrize(("as_of", "flagged"), [(at(3, 16, 59), False), (at(3, 17, 1), True)])
def test_unfulfilled_request_after_its_due_date(as_of: datetime, flagged: bool) -> None:
    events = [request(at(2, 9), at(3, 17)), in_msg(at(2, 10))]
    assert ("unfulfilled_request" in codes(run(events, as_of))) is flagged


def test_fulfilled_request_by_external_id_is_not_unfulfilled() -> None:
    ask = request(at(2, 9), at(3, 17))
    events = [ask, in_msg(at(2, 10)), in_msg(at(4, 10), fulfills=ask.external_id)]
    assert ask.id != ask.external_id
    assert "unfulfilled_request" not in codes(run(events, at(5)))
    # Before the delivery is made it was overdue.
    assert "unfulfilled_request" in codes(run(events, at(4, 9)))


# ---- repeated_apologies -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("second", "flagged"), [(at(1, 10, month=12), True), (at(3, 10, month=12), False)]
)
def test_repeated_apologies_within_thirty_days(second: datetime, flagged: bool) -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10), "apology"),
        out_msg(second - timedelta(hours=1)),
        in_msg(second, "excuse"),
    ]
    assert ("repeated_apologies" in codes(run(events, second + timedelta(hours=1)))) is flagged


def test_one_apology_and_an_auto_reply_excuse_are_not_repeated() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10), "apology"),
        out_msg(at(3, 9)),
        in_msg(at(3, 9, 1), intent("out_of_office"), "excuse", auto_reply=True),
    ]
    assert "repeated_apologies" not in codes(run(events, at(4)))


def test_repeated_apologies_chain_into_one_signal() -> None:
    days = [2, 3, 4, 5]
    events = [e for d in days for e in (out_msg(at(d, 9)), in_msg(at(d, 10), "apology"))]
    [signal] = of_code(run(events, at(6)), "repeated_apologies")
    assert len(signal.evidence) == 4
    assert signal.observed_at == at(3, 10)


# ---- words_not_actions --------------------------------------------------------------------


@pytest.mark.parametrize(("days_later", "flagged"), [(13, True), (15, False)])
def test_assurance_then_no_show_within_fourteen_days(days_later: int, flagged: bool) -> None:
    said = at(2, 10)
    events = [
        out_msg(at(2, 9)),
        in_msg(said, intent("assurance", "still very interested")),
        meeting(said + timedelta(days=days_later), "no_show"),
    ]
    result = run(events, said + timedelta(days=20))
    assert ("words_not_actions" in codes(result)) is flagged
    assert "missed_meeting" in codes(result)


@pytest.mark.parametrize(("as_of", "flagged"), [(at(4, 16, 59), False), (at(4, 17, 1), True)])
def test_broken_commitment_is_words_not_actions(as_of: datetime, flagged: bool) -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10), intent("commitment", "I'll send it by Wednesday", due_at=at(4, 17))),
    ]
    result = run(events, as_of)
    assert codes(result) == ({"words_not_actions"} if flagged else set())


def test_kept_commitment_is_not_words_not_actions() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10), intent("commitment", "by Wednesday", due_at=at(4, 17))),
        in_msg(at(4, 12)),
    ]
    assert "words_not_actions" not in codes(run(events, at(6)))


def test_assurance_then_a_slow_reply_is_words_not_actions() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10), "assurance"),
        out_msg(at(3, 9)),
        in_msg(at(9, 9)),  # 24 business hours
    ]
    assert {"slow_reply", "words_not_actions"} <= codes(run(events, at(9, 12)))


def test_assurance_alone_is_nothing() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(2, 10), "assurance"), out_msg(at(3, 9))]
    assert codes(run(events, at(3, 12))) == set()


# ---- reschedules --------------------------------------------------------------------------


def test_reschedules_need_two_by_the_candidate() -> None:
    base = [out_msg(at(2, 9)), in_msg(at(2, 10))]
    one = [*base, meeting(at(3, 9), "rescheduled", direction="inbound")]
    two = [*one, meeting(at(4, 9), "cancelled", direction="inbound")]
    ours = [*base, meeting(at(3, 9), "rescheduled"), meeting(at(4, 9), "rescheduled")]
    assert "reschedules" not in codes(run(one, at(5)))
    assert "reschedules" in codes(run(two, at(5)))
    assert "reschedules" not in codes(run(ours, at(5)))


# ---- cooling ------------------------------------------------------------------------------


def test_cooling_when_the_last_three_are_over_twice_the_first_three() -> None:
    assert "cooling" in codes(run(exchanges(120, 120, 120, 300, 300, 300), at(10)))
    assert "cooling" not in codes(run(exchanges(120, 120, 120, 240, 240, 240), at(10)))


def test_cooling_needs_six_closed_exchanges() -> None:
    assert "cooling" not in codes(run(exchanges(120, 120, 300, 300, 300), at(10)))


def test_minutes_to_more_minutes_is_not_cooling() -> None:
    assert "cooling" not in codes(run(exchanges(5, 5, 5, 15, 15, 15), at(10)))


def test_a_reply_at_the_old_pace_clears_cooling() -> None:
    result = run(exchanges(120, 120, 120, 300, 300, 300, 60), at(11))
    assert "cooling" not in codes(result)


# ---- positives ----------------------------------------------------------------------------


def test_prompt_replies_need_two_exchanges_with_a_median_of_four_hours() -> None:
    assert "prompt_replies" not in codes(run(exchanges(60), at(3)), "positive")
    assert "prompt_replies" in codes(run(exchanges(60, 240), at(4)), "positive")
    assert "prompt_replies" not in codes(run(exchanges(241, 241), at(4)), "positive")


@pytest.mark.parametrize(("hours", "flagged"), [(23, True), (25, False)])
def test_thank_you_note_within_24_wall_clock_hours(hours: int, flagged: bool) -> None:
    events = [
        meeting(at(2, 10), "scheduled"),
        in_msg(at(2, 11)),
        meeting(at(5, 16), "attended"),
        in_msg(at(5, 16) + timedelta(hours=hours), "thanks"),
    ]
    assert ("thank_you_note" in codes(run(events, at(9)), "positive")) is flagged


def test_proactive_follow_up_is_candidate_initiated() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10)),
        in_msg(at(4, 10)),
        in_msg(at(5, 10), "decline"),
    ]
    [signal] = of_code(run(events, at(6)), "proactive_follow_up")
    assert signal.evidence == (events[2].id,)


# ---- identity, dismissal, decay -----------------------------------------------------------


def test_key_is_code_and_hash_of_sorted_evidence() -> None:
    assert signal_key("ghosting", ["b", "a"]) == signal_key("ghosting", ["a", "b"])
    assert signal_key("ghosting", ["a"]) != signal_key("slow_reply", ["a"])
    assert signal_key("ghosting", ["a"]).startswith("ghosting:")


def test_same_evidence_keeps_its_key_as_time_passes() -> None:
    events = [request(at(2, 9), at(3, 17)), in_msg(at(2, 10))]
    early = of_code(run(events, at(4)), "unfulfilled_request")
    late = of_code(run(events, at(20)), "unfulfilled_request")
    assert [s.key for s in early] == [s.key for s in late]


def test_dismissed_signal_is_returned_but_scores_nothing() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(2, 10)), meeting(at(3, 10), "no_show")]
    before = run(events, at(3, 12))
    [signal] = of_code(before, "missed_meeting")
    after = run(events, at(3, 12), dismissed=frozenset({signal.key}))
    assert before.score == 55
    assert after.score == 75
    [dismissed] = of_code(after, "missed_meeting")
    assert dismissed.dismissed and dismissed.key == signal.key
    assert "missed_meeting" not in points(after)


def test_decay_halves_points_per_half_life_in_whole_days() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(2, 10)), meeting(at(2, 11), "no_show")]
    assert points(run(events, at(2, 12)))["missed_meeting"] == -20
    thirty = datetime(2026, 12, 2, 11, tzinfo=UTC)
    assert points(run(events, thirty))["missed_meeting"] == -10
    # Stable within the day: the age only counts whole days.
    assert run(events, thirty + timedelta(hours=23, minutes=59)).score == run(events, thirty).score


def test_thresholds_are_settings() -> None:
    events = [call(at(2, 9), "no_answer"), in_msg(at(2, 13))]
    assert "no_callback" not in codes(run(events, at(3)))
    tight = with_thresholds(no_callback_business_hours=2)
    assert "no_callback" in codes(run(events, at(3), settings=tight))
