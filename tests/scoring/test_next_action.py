"""The follow-up cadence: check-in, second check-in, phone call, close the loop."""

from datetime import timedelta

from app.scoring.next_action import compute_next_action
from tests.scoring.helpers import at, call, in_msg, intent, out_msg, request, run


def test_nothing_to_do_without_an_open_exchange() -> None:
    result = run(
        [out_msg(at(2, 9)), in_msg(at(2, 10)), out_msg(at(2, 11), expects_reply=False)], at(3)
    )
    assert result.next_action.action == "none"
    assert result.next_action.due_at is None


def test_check_in_two_business_days_after_an_unanswered_attempt() -> None:
    action = run([out_msg(at(5, 15))], at(5, 16)).next_action  # Thursday
    assert action.action == "check_in"
    assert action.due_at == at(9, 15)  # Monday, the weekend skipped


def test_second_check_in_a_week_after_the_check_in() -> None:
    action = run([out_msg(at(2, 9)), out_msg(at(4, 9))], at(4, 10)).next_action
    assert action.action == "second_check_in"
    assert action.due_at == at(11, 9)  # 5 business days: shown as the next working morning


def test_phone_call_after_written_attempts() -> None:
    events = [out_msg(at(2, 9)), out_msg(at(4, 9)), out_msg(at(11, 9))]
    action = run(events, at(11, 10)).next_action
    assert action.action == "phone_call"
    assert action.due_at == at(13, 9)


def test_close_the_loop_after_the_call() -> None:
    events = [out_msg(at(2, 9)), out_msg(at(4, 9)), out_msg(at(11, 9)), call(at(13, 9))]
    action = run(events, at(13, 10)).next_action
    assert action.action == "close_the_loop"
    assert action.due_at == at(20, 9)


def test_reply_to_a_waiting_candidate_comes_first() -> None:
    events = [out_msg(at(2, 9)), in_msg(at(6, 16), needs_reply=True)]
    action = run(events, at(9)).next_action
    assert action.action == "reply_to_candidate"
    assert action.due_at == at(9, 16)  # one business day after Friday 16:00


def test_check_in_after_a_missed_promised_date() -> None:
    ask = request(at(2, 9), due=at(4, 17))
    events = [ask, in_msg(at(2, 10)), out_msg(at(2, 11), expects_reply=False)]
    action = run(events, at(5)).next_action
    assert action.action == "check_in"
    assert action.due_at == at(9, 9)
    # Before the date passes there is nothing to chase.
    assert run(events, at(4, 16)).next_action.action == "none"


def test_check_in_after_a_broken_commitment() -> None:
    said = intent("commitment", "by Wednesday", due_at=at(4, 17))
    events = [out_msg(at(2, 9)), in_msg(at(2, 10), said), out_msg(at(2, 11), expects_reply=False)]
    action = run(events, at(5)).next_action
    assert action.action == "check_in"
    assert action.due_at == at(9, 9)


def test_a_follow_up_after_the_missed_date_is_the_check_in() -> None:
    ask = request(at(2, 9), due=at(4, 17))
    events = [
        ask,
        in_msg(at(2, 10)),
        out_msg(at(5, 9)),
        in_msg(at(5, 10)),
        out_msg(at(5, 11), expects_reply=False),
    ]
    assert run(events, at(6)).next_action.action == "none"


def test_due_dates_are_utc_and_reasons_are_sentences() -> None:
    result = run([out_msg(at(2, 9))], at(2, 10) + timedelta(minutes=5))
    assert result.next_action.due_at is not None
    assert result.next_action.due_at.utcoffset() == timedelta(0)
    assert result.next_action.reason.endswith(".")
    assert compute_next_action is not None
