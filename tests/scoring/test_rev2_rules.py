"""Contract revision 2, sections 3 and 5, on both sides of each boundary (pure engine).

UTC calendar, Monday-Friday 09:00-17:00. November 2026: Mon 2, Thu 5, Fri 6, Mon 9, Mon 16.
Every check also runs on the events shuffled: derivation depends only on the set of events.
"""

import dataclasses
import random
from datetime import datetime, timedelta

import pytest

from app.events.domain import (
    EventFacts,
    body_key_of,
    compute_history,
    detect_needs_reply,
    find_duplicates,
)
from app.scoring.score import Evaluation
from app.scoring.signals import count_lapses
from tests.scoring.helpers import (
    UTC_CALENDAR,
    at,
    call,
    codes,
    in_msg,
    intent,
    meeting,
    of_code,
    ooo,
    out_msg,
    request,
    run,
)

HOUR = 3600


def both_orders(events: list[EventFacts], as_of: datetime) -> Evaluation:
    """Evaluate in order and shuffled (three seeds); all must agree."""
    result = run(events, as_of)
    for seed in (1, 2, 3):
        shuffled = list(events)
        random.Random(seed).shuffle(shuffled)
        assert run(shuffled, as_of) == result
    return result


def history(events: list[EventFacts], as_of: datetime):  # type: ignore[no-untyped-def]
    return compute_history(events, UTC_CALENDAR, as_of)


def invite(when: datetime, for_: datetime, outcome: str = "scheduled") -> EventFacts:
    return meeting(when, outcome, scheduled_for=for_, channel="video")


def quick(days: list[int], minutes: int = 20) -> list[EventFacts]:
    """One prompt exchange on each of `days` (Nov 2026), answered after `minutes`."""
    return [
        e for d in days for e in (out_msg(at(d, 9)), in_msg(at(d, 9) + timedelta(minutes=minutes)))
    ]


# ---- lapses, not codes --------------------------------------------------------------------


def missed_interview(excited: bool) -> list[EventFacts]:
    """The issue's story: confirms fast, misses one video call, apologises, rebooks, attends."""
    said = (intent("assurance", "I'm really excited"),) if excited else ()
    return [
        out_msg(at(2, 9)),
        in_msg(at(2, 9, 20), *said, "scheduling"),
        invite(at(2, 10), at(5, 14)),
        in_msg(at(2, 10, 15)),
        meeting(at(5, 14, 15), "no_show", channel="video"),
        in_msg(at(5, 16), "apology", needs_reply=True),
        invite(at(5, 16, 30), at(10, 14), "rescheduled"),
        meeting(at(10, 14), "attended", channel="video"),
    ]


@pytest.mark.parametrize("excited", [False, True])
def test_one_missed_interview_is_one_lapse(excited: bool) -> None:
    result = both_orders(missed_interview(excited), at(11, 12))
    assert "missed_meeting" in codes(result)
    assert "slow_reply" not in codes(result)
    assert result.lapses == 1
    assert result.band != "not_that_into_you"


def test_saying_im_really_excited_never_lowers_the_score() -> None:
    plain = run(missed_interview(False), at(11, 12))
    excited = run(missed_interview(True), at(11, 12))
    assert "words_not_actions" in codes(excited)
    assert excited.score == plain.score
    assert "words_not_actions" not in {b.code for b in excited.breakdown}


def test_a_no_show_its_uncalled_back_call_and_slow_reply_are_one_lapse() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 9, 30)),
        call(at(5, 10), "voicemail"),
        meeting(at(5, 10, 20), "no_show"),
        in_msg(at(9, 16), "apology"),
    ]
    result = both_orders(events, at(10, 12))
    assert {"missed_meeting", "no_callback", "slow_reply"} <= codes(result)
    assert result.lapses == 1
    assert result.fairness_floor_applied or (result.score is not None and result.score >= 40)
    assert result.band != "not_that_into_you"


def test_two_no_shows_are_two_lapses() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 9, 30)),
        meeting(at(4, 10), "no_show"),
        meeting(at(11, 10), "no_show"),
    ]
    assert both_orders(events, at(11, 12)).lapses == 2


def test_a_no_show_and_an_unrelated_slow_exchange_are_two_lapses() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 9, 30)),
        meeting(at(4, 10), "no_show"),
        out_msg(at(10, 9)),
        in_msg(at(12, 15)),
    ]
    result = both_orders(events, at(13))
    assert {"missed_meeting", "slow_reply"} <= codes(result)
    assert result.lapses == 2


def test_an_apology_after_a_no_show_is_about_it() -> None:
    events = [
        *quick([2]),
        meeting(at(4, 10), "no_show"),
        in_msg(at(4, 12), "apology"),
        out_msg(at(5, 9)),
        in_msg(at(5, 9, 30), "excuse"),
    ]
    result = both_orders(events, at(6))
    assert {"missed_meeting", "repeated_apologies"} <= codes(result)
    assert result.lapses == 1


def test_cooling_alone_is_one_lapse_and_no_slow_reply() -> None:
    # The case: three answers in 20 minutes, then three in 12 business hours.
    days = [2, 3, 4, 5, 9, 11]
    events = [*quick(days[:3], 20)]
    for d in days[3:]:
        events += [out_msg(at(d, 9)), in_msg(at(d + 1, 13))]  # 12 business hours
    result = both_orders(events, at(13))
    assert "cooling" in codes(result)
    assert "slow_reply" not in codes(result)
    assert result.lapses == 1


def test_count_lapses_folds_a_trend_that_touches_a_counted_lapse() -> None:
    result = run(
        [*quick([2, 3, 4], 20), out_msg(at(5, 9)), in_msg(at(6, 16)), *quick([9, 10], 300)],
        at(11),
    )
    slow = of_code(result, "slow_reply")
    trend = of_code(result, "cooling")
    if slow and trend:
        assert count_lapses([*slow, *trend]) == 1


# ---- meeting waits ------------------------------------------------------------------------


def test_waiting_for_an_attended_meeting_is_not_reply_time() -> None:
    events = [*quick([2, 3]), invite(at(9, 9), at(12, 10)), meeting(at(12, 10), "attended")]
    h = history(events, at(13))
    exchange = h.exchanges[-1]
    assert exchange.closed_by_meeting and not exchange.counts_for_latency
    assert exchange.meeting_wait == (at(9, 9), at(12, 10))
    assert exchange.business_seconds == 0
    result = both_orders(events, at(13))
    assert "slow_reply" not in codes(result)
    assert result.metrics["median_reply_business_hours"] == pytest.approx(0.3)


def test_an_answer_before_the_meeting_counts_as_usual() -> None:
    events = [invite(at(2, 9), at(5, 10)), in_msg(at(2, 11))]
    exchange = history(events, at(6)).exchanges[0]
    assert exchange.meeting_wait is None and exchange.counts_for_latency
    assert exchange.business_seconds == 2 * HOUR


def test_after_a_missed_meeting_the_clock_runs_from_the_meeting() -> None:
    events = [invite(at(2, 9), at(5, 10)), meeting(at(5, 10), "no_show"), in_msg(at(5, 15))]
    exchange = history(events, at(6)).exchanges[0]
    assert exchange.meeting_wait == (at(2, 9), at(5, 10))
    assert exchange.counts_for_latency
    assert exchange.business_seconds == 5 * HOUR


def test_an_open_invitation_runs_no_clock_until_the_meeting() -> None:
    events = [invite(at(2, 9), at(12, 10)), out_msg(at(3, 9)), out_msg(at(4, 9))]
    result = both_orders(events, at(11))  # 3 attempts, 7 business days, but before the meeting
    assert "ghosting" not in codes(result)
    assert history(events, at(11)).exchanges[0].business_seconds == 0


def test_a_reschedule_before_the_meeting_moves_the_wait() -> None:
    events = [
        invite(at(2, 9), at(5, 10)),
        invite(at(4, 9), at(10, 10), "rescheduled"),
        meeting(at(10, 10), "attended"),
    ]
    exchange = history(events, at(11)).exchanges[0]
    assert exchange.meeting_wait == (at(2, 9), at(10, 10))
    assert not exchange.counts_for_latency


def test_an_exchange_a_message_opened_is_not_a_meeting_wait() -> None:
    events = [out_msg(at(2, 9)), invite(at(2, 10), at(5, 10)), meeting(at(5, 10), "attended")]
    exchange = history(events, at(6)).exchanges[0]
    assert exchange.meeting_wait is None and exchange.counts_for_latency


# ---- declined -----------------------------------------------------------------------------


def test_a_decline_is_declined_with_no_negative_flags_and_close_the_loop_at_once() -> None:
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10)),
        meeting(at(4, 10), "no_show"),
        out_msg(at(5, 9)),
        in_msg(at(9, 15), "thanks", "decline", needs_reply=True),
    ]
    result = both_orders(events, at(10))
    assert result.band == "declined"
    assert not codes(result)
    assert result.next_action.action == "close_the_loop"
    assert result.next_action.due_at == at(9, 15)


@pytest.mark.parametrize(
    ("answer", "closed"),
    [
        (lambda: out_msg(at(10, 9)), True),
        (lambda: call(at(10, 9), "voicemail"), True),
        (lambda: out_msg(at(9, 14)), False),  # written before the decline: still to close
        (lambda: meeting(at(10, 9), "cancelled"), False),  # a meeting note is not an answer
    ],
)
def test_writing_after_a_decline_closes_the_loop(answer, closed) -> None:  # type: ignore[no-untyped-def]
    events = [out_msg(at(2, 9)), in_msg(at(2, 10)), in_msg(at(9, 15), "decline"), answer()]
    result = both_orders(events, at(11))
    assert result.band == "declined"
    if closed:
        assert result.next_action.action == "none" and result.next_action.due_at is None
        assert "the loop was closed on Tue 10 Nov" in result.next_action.reason
    else:
        assert result.next_action.action == "close_the_loop"
        assert result.next_action.due_at == at(9, 15)


def test_a_thank_you_after_a_decline_is_not_re_engaging() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(2, 10), "decline"), in_msg(at(3, 10), "thanks")]
    assert both_orders(events, at(4)).band == "declined"


@pytest.mark.parametrize(
    "again",
    [
        lambda: in_msg(at(3, 10), needs_reply=True),  # "is the role still open?"
        lambda: in_msg(at(3, 10), "scheduling"),
        lambda: meeting(at(3, 10), "attended"),
        lambda: call(at(3, 10), "connected", direction="inbound"),
    ],
)
def test_re_engaging_after_a_decline_ends_it(again) -> None:  # type: ignore[no-untyped-def]
    events = [out_msg(at(2, 9)), in_msg(at(2, 10), "decline"), again()]
    assert both_orders(events, at(4)).band != "declined"


def test_a_decline_in_an_absence_notice_is_not_a_decline() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(2, 10), "decline", auto_reply=True)]
    assert run(events, at(3)).band != "declined"


# ---- needs_reply and the waiting-on-us clock -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "intents", "expected"),
    [
        ("Great, see you then. Thanks!", ["thanks"], False),
        # The classifier reads "see you then" as scheduling: it closes the arrangement.
        ("Great, see you then. Thanks!", ["thanks", ("scheduling", "see you then")], False),
        ("Perfekt, bis Donnerstag!", [("scheduling", "bis Donnerstag")], False),
        ("Parfait, à jeudi !", [("scheduling", "à jeudi")], False),
        (
            "I'm free Tuesday or Wednesday morning, see you then",
            [("scheduling", "I'm free Tuesday")],
            True,
        ),
        ("Could you send me the job description?", [], True),
        ("¿Cuándo sería la entrevista", [], True),
        ("Please send me the contract.", [], True),
        ("Tuesday at 10 works for me.", ["scheduling"], True),
        ("I have accepted another offer.", ["decline"], True),
        ("> Any questions?\nNo, all clear. Thanks!", ["thanks"], False),
        ("Details at https://example.com/job?id=4", [], False),
        ("I am out of the office until Monday. Please contact Sam.", ["out_of_office"], False),
    ],
)
def test_needs_reply_of_a_message(
    text: str, intents: list[str | tuple[str, str]], expected: bool
) -> None:
    found = detect_needs_reply(
        direction="inbound",
        type_="message",
        outcome=None,
        auto_reply=False,
        text=text,
        intents=intents,
    )
    assert found is expected


def test_needs_reply_of_other_events() -> None:
    def need(direction: str, type_: str, outcome: str | None) -> bool | None:
        return detect_needs_reply(
            direction=direction, type_=type_, outcome=outcome, auto_reply=False, text=None,
            intents=[],
        )  # fmt: skip

    assert need("outbound", "message", None) is None
    assert need("inbound", "call", "no_answer") is True
    assert need("inbound", "call", "connected") is False
    assert need("inbound", "meeting", "rescheduled") is True
    assert need("inbound", "meeting", "attended") is False
    assert need("inbound", "request", None) is True


def test_only_messages_that_need_a_reply_open_the_waiting_clock() -> None:
    thanks = [out_msg(at(2, 9)), in_msg(at(2, 10), "thanks", needs_reply=False)]
    result = both_orders(thanks, at(4))
    assert result.next_action.action != "reply_to_candidate"
    assert result.metrics["waiting_on_us_business_hours"] == 0
    question = [out_msg(at(2, 9)), in_msg(at(2, 10), needs_reply=True)]
    result = both_orders(question, at(4))
    assert result.next_action.action == "reply_to_candidate"
    assert result.metrics["waiting_on_us_business_hours"] == 15


# ---- human replies that mention leave ------------------------------------------------------


def test_a_human_reply_mentioning_leave_is_a_response_and_pauses_later_clocks() -> None:
    leave = intent("out_of_office", "I'm out until 27 Nov", until=at(28, 0))
    events = [
        out_msg(at(2, 9)),
        in_msg(at(2, 10), "scheduling", leave),
        out_msg(at(16, 9)),
        out_msg(at(17, 9)),
        call(at(18, 9), "voicemail"),
    ]
    h = history(events, at(30, 12))
    assert h.exchanges[0].responded_at == at(2, 10)
    assert h.absences == [(at(2, 10), at(28, 0))]
    assert h.exchanges[1].business_seconds == 3 * HOUR  # only Mon 30 Nov 09:00-12:00
    result = both_orders(events, at(30, 12))
    assert "ghosting" not in codes(result) and "no_callback" not in codes(result)
    assert result.next_action.due_at is not None and result.next_action.due_at >= at(28, 0)


def test_an_absence_notice_and_nothing_else_is_not_a_response() -> None:
    notice = ooo(at(2, 10), until=at(9, 0))
    with_excuse = in_msg(
        at(2, 10), intent("out_of_office", until=at(9, 0)), "excuse", "thanks", external_id="n2"
    )
    for event in (notice, with_excuse, in_msg(at(2, 10), auto_reply=True)):
        assert history([out_msg(at(2, 9)), event], at(3)).exchanges[0].is_open


# ---- cadence ------------------------------------------------------------------------------


def test_no_check_in_before_the_candidate_is_back() -> None:
    events = [ooo(at(2, 8), until=at(16, 0)), out_msg(at(3, 9))]
    action = both_orders(events, at(4)).next_action
    assert action.action == "check_in"
    assert action.due_at == at(18, 9)  # two business days after Mon 16 Nov


def test_no_check_in_before_the_request_is_due() -> None:
    events = [request(at(2, 9), at(13, 17))]
    action = both_orders(events, at(3)).next_action
    assert action.action == "check_in"
    assert action.due_at is not None and action.due_at > at(13, 17)
    plain = both_orders([out_msg(at(2, 9))], at(3)).next_action
    assert plain.due_at == at(4, 9)


# ---- duplicate syncs ----------------------------------------------------------------------


def copy_of(event: EventFacts, later: timedelta, ext: str) -> EventFacts:
    return dataclasses.replace(
        event, id=f"id-{ext}", external_id=ext, occurred_at=event.occurred_at + later
    )


def test_the_same_message_synced_twice_counts_once() -> None:
    key = body_key_of("So sorry for the delay, crazy week.")
    first = in_msg(at(3, 10), "apology", body_key=key)
    events = [
        out_msg(at(2, 9)),
        first,
        out_msg(at(4, 9)),
        copy_of(first, timedelta(minutes=1), "b"),
    ]
    single = run(events[:3], at(5))
    doubled = both_orders(events, at(5))
    assert "repeated_apologies" not in codes(doubled)
    assert doubled.score == single.score and codes(doubled) == codes(single)
    h = history(events, at(5))
    assert h.duplicates == {"id-b": first.external_id}
    assert h.open_exchange is not None  # the copy did not answer the later message


@pytest.mark.parametrize(
    ("gap", "channel", "direction", "copy"),
    [
        (timedelta(minutes=10), "email", "inbound", True),
        (timedelta(minutes=10, seconds=1), "email", "inbound", False),
        (timedelta(minutes=1), "sms", "inbound", False),
        (timedelta(minutes=1), "email", "outbound", False),
    ],
)
def test_duplicate_boundaries(gap: timedelta, channel: str, direction: str, copy: bool) -> None:
    key = body_key_of("Thanks!")
    first = in_msg(at(2, 10), body_key=key)
    second = EventFacts(
        id="id-2", external_id="two", direction=direction, channel=channel,  # type: ignore[arg-type]
        type="message", occurred_at=first.occurred_at + gap, body_key=key,
    )  # fmt: skip
    assert bool(find_duplicates([first, second])) is copy


def test_bodies_are_compared_normalised() -> None:
    assert body_key_of("  Thanks,\n\nsee you  THEN ") == body_key_of("thanks, see you then")
    assert body_key_of("") is None and body_key_of(None) is None
    assert body_key_of("Thanks") != body_key_of("Thanks!")


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ("see you then", False),
        ("see you Thursday", False),
        ("Nos vemos", False),
        ("à jeudi !", False),
        ("Thursday works", True),
        ("Could we do Wednesday", True),
        ("available", True),
    ],
)
def test_a_scheduling_confirmation_is_not_a_proposal(evidence: str, expected: bool) -> None:
    found = detect_needs_reply(
        direction="inbound",
        type_="message",
        outcome=None,
        auto_reply=False,
        text="no question here.",
        intents=[("thanks", "Thanks"), ("scheduling", evidence)],
    )
    assert found is expected


def test_a_subject_marked_notice_is_a_notice_whatever_its_boilerplate_reads_like() -> None:
    def need(subject: str) -> bool | None:
        return detect_needs_reply(
            direction="inbound",
            type_="message",
            outcome=None,
            auto_reply=False,
            text="Ich bin bis 20.11. nicht im Büro und habe in dieser Zeit keinen Zugriff.",
            intents=[("scheduling", "habe in dieser Zeit"), ("out_of_office", "nicht im Büro")],
            subject=subject,
        )

    assert need("Abwesenheitsnotiz: AW: Fallstudie") is False
    assert need("AW: Fallstudie") is True  # a person's reply keeps what it says
    leave = intent("out_of_office", "Abwesenheitsnotiz", until=at(23, 0))
    notice = in_msg(at(13, 10), "scheduling", leave, needs_reply=False)
    human = in_msg(at(13, 10), "scheduling", leave, needs_reply=True)
    assert notice.is_out_of_office and not human.is_out_of_office
