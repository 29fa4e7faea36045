"""The contract's `metrics` (section 5) of one history: pure, no database."""

import math
import statistics

from app.events.domain import History
from app.scoring.signals import HOUR

MetricValue = float | int | None

METRIC_KEYS = (
    "exchanges",
    "response_rate",
    "median_reply_business_hours",
    "p90_reply_business_hours",
    "open_attempts",
    "no_shows",
    "candidate_initiated",
    "waiting_on_us_business_hours",
)


def compute_metrics(history: History) -> dict[str, MetricValue]:
    """Return exactly the contract's metrics keys for `history`.

    `response_rate` is closed exchanges over all exchanges (3 decimals); reply times are
    business hours with one decimal, over closed exchanges that count for latency (not those
    only attending a meeting closed), p90 by nearest rank.
    """
    exchanges = history.exchanges
    closed = sum(1 for x in exchanges if not x.is_open)
    replies = sorted(x.business_seconds for x in history.latency_exchanges)
    opened = history.open_exchange
    waiting = history.waiting_on_us
    return {
        "exchanges": len(exchanges),
        "response_rate": round(closed / len(exchanges), 3) if exchanges else None,
        "median_reply_business_hours": (_hours(statistics.median(replies)) if replies else None),
        "p90_reply_business_hours": (
            _hours(replies[math.ceil(0.9 * len(replies)) - 1]) if replies else None
        ),
        "open_attempts": opened.attempts if opened is not None else 0,
        "no_shows": sum(
            1 for e in history.events if e.type == "meeting" and e.outcome == "no_show"
        ),
        "candidate_initiated": len(history.candidate_initiated),
        "waiting_on_us_business_hours": (
            _hours(waiting.business_seconds) if waiting is not None else 0.0
        ),
    }


def _hours(seconds: float) -> float:
    return round(seconds / HOUR, 1)
