"""Score a candidate's history: signals, points, band, metrics, next action. Pure, no database.

`evaluate` sees only events (through `History`), the org's thresholds and weights, and the
candidate's working calendar; nothing about the person can enter.

Points: base 75 once there is an attempt. Each non-dismissed signal instance is worth its
code's weight, halved every `decay_half_life_days` of age (age in whole days, so the result
is stable within a day). Instances of one code add with diminishing returns (the strongest in
full, then 1/2, 1/4, ...), so one code never moves the score by twice its weight or more. Each
code's total is rounded to an integer, and the score is the base plus the breakdown's points,
clamped to 0..100: the breakdown always explains the score.

Lapses, not codes: unless `ghosting` is active or the active negative signals describe two or
more different lapses (`signals.count_lapses`), the score is floored at 40, so one isolated
lapse never makes `not_that_into_you`, whatever the weights and however many codes it raises.
Words before a lapse (`words_not_actions` on an assurance) are shown but weigh nothing.

A candidate who said no (`signals.find_decline`) is `declined`: no negative signal is raised,
and the next action is to close the loop at once.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from app.core.business_time import WorkingCalendar
from app.events.domain import History
from app.orgs.scoring_settings import ScoringSettingsDocument
from app.scoring.metrics import MetricValue, compute_metrics
from app.scoring.next_action import NextAction, close_the_loop, compute_next_action
from app.scoring.signals import (
    NEGATIVE_CODES,
    POSITIVE_CODES,
    Signal,
    count_lapses,
    detect_signals,
    find_decline,
)

__all__ = [
    "BASE_SCORE",
    "BreakdownItem",
    "Evaluation",
    "NextAction",
    "Signal",
    "band_for",
    "evaluate",
]

Band = Literal["engaged", "cooling", "not_that_into_you", "unknown", "declined"]

BASE_SCORE = 75
ENGAGED_MIN = 70
COOLING_MIN = 40
FAIRNESS_FLOOR = COOLING_MIN
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class BreakdownItem:
    """One signal code's contribution to the score (negative for negative signals)."""

    code: str
    points: int
    detail: str


@dataclass(frozen=True)
class Evaluation:
    """Everything scoring says about one candidate as of `History.as_of`."""

    score: int | None
    band: Band
    breakdown: list[BreakdownItem]
    signals: list[Signal]
    metrics: dict[str, MetricValue]
    next_action: NextAction
    valid_until: datetime | None
    fairness_floor_applied: bool = False
    lapses: int = 0


def band_for(score: int | None) -> Band:
    """Return the band of a score."""
    if score is None:
        return "unknown"
    if score >= ENGAGED_MIN:
        return "engaged"
    if score >= COOLING_MIN:
        return "cooling"
    return "not_that_into_you"


def evaluate(
    history: History,
    *,
    settings: ScoringSettingsDocument,
    calendar: WorkingCalendar,
    dismissed_keys: frozenset[str] = frozenset(),
) -> Evaluation:
    """Evaluate a candidate's history as of `history.as_of`."""
    as_of = history.as_of
    scan = detect_signals(history, thresholds=settings.thresholds, calendar=calendar)
    signals = [replace(s, dismissed=True) if s.key in dismissed_keys else s for s in scan.signals]
    decline = find_decline(history)
    if decline is not None:
        signals = [s for s in signals if s.polarity == "positive"]
        next_action = close_the_loop(decline, calendar=calendar, history=history)
    else:
        next_action = compute_next_action(
            history, calendar=calendar, missed_dates=scan.missed_dates
        )
    changes = [*scan.pending]
    if next_action.due_at is not None:
        changes.append(next_action.due_at)

    score: int | None = None
    breakdown: list[BreakdownItem] = []
    floored = False
    lapses = 0
    if history.exchanges:
        weights = settings.weights.model_dump()
        half_life = settings.thresholds.decay_half_life_days
        active = [s for s in signals if not s.dismissed]
        worth: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for signal in active:
            if not _weighs(signal):
                continue
            weight = float(weights[signal.code])
            age = max(0, (as_of - signal.observed_at) // _DAY)
            worth[signal.code].append((weight * 0.5 ** (age / half_life), age))
            if weight > 0:
                changes.append(signal.observed_at + (age + 1) * _DAY)
        breakdown = _breakdown(worth, half_life)
        raw = BASE_SCORE + sum(item.points for item in breakdown)
        score = min(100, max(0, raw))
        negative_codes = {s.code for s in active if s.polarity == "negative"}
        lapses = count_lapses(active)
        if "ghosting" not in negative_codes and lapses < 2 and score < FAIRNESS_FLOOR:
            score = FAIRNESS_FLOOR
            floored = True

    later = [c for c in changes if c > as_of]
    band: Band = "declined" if decline is not None else band_for(score)
    return Evaluation(
        score=score,
        band=band,
        lapses=lapses,
        breakdown=breakdown,
        signals=signals,
        metrics=compute_metrics(history),
        next_action=next_action,
        valid_until=min(later).astimezone(UTC) if later else None,
        fairness_floor_applied=floored,
    )


def _weighs(signal: Signal) -> bool:
    """Whether a signal carries points: not words that only explain another lapse."""
    return signal.polarity == "positive" or signal.role != "none"


def _breakdown(worth: dict[str, list[tuple[float, int]]], half_life: float) -> list[BreakdownItem]:
    items: list[BreakdownItem] = []
    for code in (*NEGATIVE_CODES, *POSITIVE_CODES):
        if code not in worth:
            continue
        ranked = sorted(worth[code], reverse=True)
        total = sum(value * 0.5**rank for rank, (value, _) in enumerate(ranked))
        points = _round_half_up(total)
        if points == 0:
            continue
        sign = -1 if code in NEGATIVE_CODES else 1
        ages = sorted(age for _, age in ranked)
        count = len(ranked)
        instances = "1 instance" if count == 1 else f"{count} instances (diminishing)"
        age_text = (
            _days_old(ages[0]) if ages[0] == ages[-1] else f"{ages[0]} to {ages[-1]} days old"
        )
        items.append(
            BreakdownItem(
                code=code,
                points=sign * points,
                detail=(f"{instances}, {age_text}; weight halves every {half_life:g} days"),
            )
        )
    items.sort(key=lambda i: (i.points > 0, i.points if i.points < 0 else -i.points, i.code))
    return items


def _days_old(days: int) -> str:
    return "1 day old" if days == 1 else f"{days} days old"


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)
