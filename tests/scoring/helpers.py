"""Small factories for the pure scoring tests: EventFacts in, Evaluation out."""

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from app.core.business_time import WorkingCalendar
from app.events.domain import EventFacts, compute_history
from app.language import IntentMatch
from app.orgs.scoring_settings import ScoringSettingsDocument
from app.scoring.score import Evaluation, evaluate

UTC_CALENDAR = WorkingCalendar()  # Monday-Friday 09:00-17:00 UTC, no holidays
DEFAULTS = ScoringSettingsDocument()

_ids = itertools.count(1)


def at(day: int, hour: int = 9, minute: int = 0, *, month: int = 11) -> datetime:
    """An instant in November 2026 (UTC); 2 Nov 2026 is a Monday."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _event(direction: str, type_: str, when: datetime, **fields: Any) -> EventFacts:
    number = next(_ids)
    ext = fields.pop("external_id", f"x{number:05d}")
    return EventFacts(
        id=fields.pop("id", f"id-{ext}"),
        external_id=ext,
        direction=direction,  # type: ignore[arg-type]
        channel=fields.pop("channel", "phone" if type_ == "call" else "email"),
        type=type_,
        occurred_at=when,
        **fields,
    )


def intent(name: str, evidence: str = "", **fields: Any) -> IntentMatch:
    return IntentMatch(intent=name, evidence=evidence or name, **fields)


def out_msg(when: datetime, **fields: Any) -> EventFacts:
    return _event("outbound", "message", when, **fields)


def in_msg(when: datetime, *intents: str | IntentMatch, **fields: Any) -> EventFacts:
    matches = tuple(i if isinstance(i, IntentMatch) else intent(i) for i in intents)
    return _event("inbound", "message", when, intents=matches, **fields)


def call(when: datetime, outcome: str = "no_answer", **fields: Any) -> EventFacts:
    return _event(fields.pop("direction", "outbound"), "call", when, outcome=outcome, **fields)


def meeting(when: datetime, outcome: str, **fields: Any) -> EventFacts:
    return _event(fields.pop("direction", "outbound"), "meeting", when, outcome=outcome, **fields)


def request(when: datetime, due: datetime, **fields: Any) -> EventFacts:
    return _event("outbound", "request", when, due_at=due, **fields)


def ooo(when: datetime, until: datetime | None, **fields: Any) -> EventFacts:
    return in_msg(when, intent("out_of_office", "out of the office", until=until), **fields)


def run(
    events: Iterable[EventFacts],
    as_of: datetime,
    *,
    settings: ScoringSettingsDocument = DEFAULTS,
    calendar: WorkingCalendar = UTC_CALENDAR,
    dismissed: frozenset[str] = frozenset(),
) -> Evaluation:
    """Evaluate events as of an instant, the way the service does."""
    history = compute_history(list(events), calendar, as_of)
    return evaluate(history, settings=settings, calendar=calendar, dismissed_keys=dismissed)


def with_weights(**weights: float) -> ScoringSettingsDocument:
    return DEFAULTS.model_copy(update={"weights": DEFAULTS.weights.model_copy(update=weights)})


def with_thresholds(**thresholds: float) -> ScoringSettingsDocument:
    return DEFAULTS.model_copy(
        update={"thresholds": DEFAULTS.thresholds.model_copy(update=thresholds)}
    )


def codes(evaluation: Evaluation, polarity: str = "negative") -> set[str]:
    """The codes of the active (non-dismissed) signals of one polarity."""
    return {s.code for s in evaluation.signals if s.polarity == polarity and not s.dismissed}


def of_code(evaluation: Evaluation, code: str) -> list[Any]:
    return [s for s in evaluation.signals if s.code == code]


def points(evaluation: Evaluation) -> dict[str, int]:
    return {item.code: item.points for item in evaluation.breakdown}
