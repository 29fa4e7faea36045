"""Assemble the weekly report from queried rows: pure functions, no SQL, no clock."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.candidates.models import Candidate
from app.events.models import Event
from app.reports.repository import HOUR, LATENCY_BUCKETS, ExchangeStats
from app.reports.schemas import (
    DeclinedCandidateRead,
    FlaggedCandidateRead,
    LatencyBucketRead,
    NextActionDueRead,
    NoShowRead,
    RecoveredCandidateRead,
    ReportFlagRead,
    ResponsivenessRead,
    WaitingCandidateRead,
    WeekStatsRead,
)
from app.scoring.models import CandidateScore, Flag, ScoreChange

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
UNANSWERED_LABEL = "no reply yet"
MEETING_CLOSED_LABEL = "closed by attending a meeting"


def who(candidate: Candidate) -> dict[str, Any]:
    """The identifying fields every report row carries."""
    return {
        "candidate_id": candidate.id,
        "external_id": candidate.external_id,
        "name": candidate.name,
        "recruiter_external_id": candidate.recruiter_external_id,
        "job": candidate.job,
        "stage": candidate.stage,
    }


def _flag_read(flag: Flag, *, start: datetime, evidence: Mapping[str, datetime]) -> ReportFlagRead:
    return ReportFlagRead(
        id=flag.id,
        code=flag.code,
        severity=flag.severity,
        summary=flag.summary,
        clears_when=flag.clears_when,
        raised_at=flag.raised_at,
        status=flag.status,
        active=flag.active,
        raised_this_week=flag.raised_at >= start,
        evidence_dates=sorted(evidence[e] for e in flag.evidence if e in evidence),
    )


def _flag_order(flag: ReportFlagRead) -> tuple[bool, int, float]:
    return (
        not flag.raised_this_week,
        SEVERITY_RANK.get(flag.severity, 3),
        -flag.raised_at.timestamp(),
    )


def _candidate_order(item: FlaggedCandidateRead) -> tuple[int, int, str]:
    worst = min((SEVERITY_RANK.get(f.severity, 3) for f in item.flags), default=3)
    score = item.score if item.score is not None else 101
    return (worst, score, (item.name or item.external_id).lower())


def flagged_candidates(
    rows: Iterable[tuple[Flag, Candidate, CandidateScore | None]],
    *,
    start: datetime,
    evidence: Mapping[str, datetime],
) -> tuple[list[FlaggedCandidateRead], list[FlaggedCandidateRead]]:
    """Split flagged candidates into newly flagged (a flag raised this week) and still flagged.

    Each candidate's flags are ordered this week's first, then by severity, then most recent:
    the first is the top reason.
    """
    grouped: dict[str, tuple[Candidate, CandidateScore | None, list[Flag]]] = {}
    for flag, candidate, score in rows:
        grouped.setdefault(candidate.id, (candidate, score, []))[2].append(flag)
    newly: list[FlaggedCandidateRead] = []
    still: list[FlaggedCandidateRead] = []
    for candidate, score, flags in grouped.values():
        reads = sorted(
            (_flag_read(f, start=start, evidence=evidence) for f in flags), key=_flag_order
        )
        is_new = any(f.raised_this_week for f in reads)
        item = FlaggedCandidateRead(
            **who(candidate),
            category="newly_flagged" if is_new else "still_flagged",
            score=score.score if score else None,
            band=score.band if score else "unknown",
            flags=reads,
            next_action=_action_name(score),
            next_action_due_at=score.next_action_due_at if score else None,
        )
        (newly if is_new else still).append(item)
    return sorted(newly, key=_candidate_order), sorted(still, key=_candidate_order)


def _action_name(score: CandidateScore | None) -> str | None:
    if score is None or not score.next_action:
        return None
    action = score.next_action.get("action")
    return str(action) if action and action != "none" else None


def declined_items(
    rows: Iterable[tuple[CandidateScore, Candidate]], *, start: datetime, end: datetime
) -> list[DeclinedCandidateRead]:
    """Declined candidates, most recent first (a decline's next action is due when it came)."""
    return [
        DeclinedCandidateRead(
            **who(candidate),
            declined_at=score.next_action_due_at,
            this_week=score.next_action_due_at is not None
            and start <= score.next_action_due_at < end,
        )
        for score, candidate in rows
    ]


def recoveries(
    band_changes: Iterable[tuple[ScoreChange, Candidate, CandidateScore]],
    cleared: Iterable[tuple[Flag, Candidate, CandidateScore | None]],
) -> list[RecoveredCandidateRead]:
    """One entry per recovered candidate: leaving the band wins over clearing flags.

    A candidate who declined has not recovered (their flags cleared because they said no).
    """
    band_changes = [row for row in band_changes if row[2].band != "declined"]
    cleared = [row for row in cleared if row[2] is None or row[2].band != "declined"]
    out: dict[str, RecoveredCandidateRead] = {}
    for change, candidate, score in band_changes:
        out[candidate.id] = RecoveredCandidateRead(
            **who(candidate),
            reason="left_not_that_into_you",
            at=change.at,
            score=score.score,
            band=score.band,
            previous_band=change.previous_band,
        )
    cleared_by: dict[str, list[Flag]] = defaultdict(list)
    owners: dict[str, tuple[Candidate, CandidateScore | None]] = {}
    for flag, candidate, maybe_score in cleared:
        cleared_by[candidate.id].append(flag)
        owners[candidate.id] = (candidate, maybe_score)
    for candidate_id, flags in cleared_by.items():
        candidate, maybe_score = owners[candidate_id]
        codes = sorted({f.code for f in flags})
        if candidate_id in out:
            out[candidate_id].cleared_flags = codes
            continue
        last = max(f.cleared_at for f in flags if f.cleared_at is not None)
        out[candidate_id] = RecoveredCandidateRead(
            **who(candidate),
            reason="flags_cleared",
            at=last,
            score=maybe_score.score if maybe_score else None,
            band=maybe_score.band if maybe_score else "unknown",
            cleared_flags=codes,
        )
    return sorted(out.values(), key=lambda r: (r.at, r.external_id))


@dataclass(frozen=True)
class MirrorView:
    """A candidate's open waiting clock (if any) and overdue promises at one instant."""

    waiting_since: datetime | None
    waiting_seconds: int | None
    overdue_promises: list[datetime]


def waiting_on_us(
    candidates: Iterable[Candidate], views: Mapping[str, MirrorView]
) -> list[WaitingCandidateRead]:
    """Candidates with an open waiting clock or an overdue promise; longest waiting first."""
    out: list[WaitingCandidateRead] = []
    for candidate in candidates:
        view = views.get(candidate.id)
        if view is None or (view.waiting_since is None and not view.overdue_promises):
            continue
        out.append(
            WaitingCandidateRead(
                **who(candidate),
                waiting_since=view.waiting_since,
                waiting_business_hours=(
                    round(view.waiting_seconds / HOUR, 1)
                    if view.waiting_seconds is not None
                    else None
                ),
                overdue_promises=sorted(view.overdue_promises),
            )
        )

    def order(item: WaitingCandidateRead) -> tuple[float, str]:
        first = min([d for d in [item.waiting_since, *item.overdue_promises] if d], default=None)
        return (first.timestamp() if first else float("inf"), item.external_id)

    return sorted(out, key=order)


def no_show_items(rows: Iterable[tuple[Event, Candidate]]) -> list[NoShowRead]:
    return [
        NoShowRead(**who(c), occurred_at=e.occurred_at, event_external_id=e.external_id)
        for e, c in rows
    ]


def week_stats(label: str, stats: ExchangeStats) -> WeekStatsRead:
    return WeekStatsRead(
        week=label,
        exchanges_opened=stats.opened,
        responded=stats.responded,
        response_rate=round(stats.responded / stats.opened, 3) if stats.opened else None,
        median_reply_business_hours=(
            round(stats.median_business_seconds / HOUR, 1)
            if stats.median_business_seconds is not None
            else None
        ),
    )


def responsiveness(this_week: WeekStatsRead, previous_week: WeekStatsRead) -> ResponsivenessRead:
    def change(now: float | None, before: float | None, digits: int) -> float | None:
        return round(now - before, digits) if now is not None and before is not None else None

    return ResponsivenessRead(
        this_week=this_week,
        previous_week=previous_week,
        response_rate_change=change(this_week.response_rate, previous_week.response_rate, 3),
        median_reply_change_business_hours=change(
            this_week.median_reply_business_hours, previous_week.median_reply_business_hours, 1
        ),
    )


def latency_distribution(stats: ExchangeStats) -> list[LatencyBucketRead]:
    """Reply-time bars for this week's exchanges, then one bar for those only attending a
    meeting closed (no reply time) and one for those still unanswered: they sum to the
    exchanges opened."""
    counts: Sequence[int] = (
        *stats.buckets,
        stats.responded - stats.timed,
        stats.opened - stats.responded,
    )
    total = sum(counts)
    bounds: list[tuple[str, float | None, float | None]] = [
        *LATENCY_BUCKETS,
        (MEETING_CLOSED_LABEL, None, None),
        (UNANSWERED_LABEL, None, None),
    ]
    return [
        LatencyBucketRead(
            label=label,
            lower_business_hours=lower,
            upper_business_hours=upper,
            count=count,
            share=round(count / total, 3) if total else 0.0,
        )
        for (label, lower, upper), count in zip(bounds, counts, strict=True)
    ]


def next_action_items(
    rows: Iterable[tuple[CandidateScore, Candidate]], *, as_of: datetime
) -> list[NextActionDueRead]:
    out: list[NextActionDueRead] = []
    for score, candidate in rows:
        action = score.next_action or {}
        if score.next_action_due_at is None or action.get("action") in (None, "none"):
            continue
        out.append(
            NextActionDueRead(
                **who(candidate),
                action=str(action["action"]),
                due_at=score.next_action_due_at,
                overdue=score.next_action_due_at < as_of,
                reason=action.get("reason"),
                band=score.band,
            )
        )
    return out
