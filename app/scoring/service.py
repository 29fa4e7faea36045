"""Stored evaluations: scores, flags with their lifecycle, score history and the pipeline.

Evaluation itself is pure (`scoring/score.py`). This module decides when to re-evaluate: on
every change of a candidate's events (from `events.service.refresh_candidates`), and lazily
when a read asks about an instant the stored evaluation does not cover (a running clock
crossed a threshold, a due date passed, settings changed). Reads then serve stored rows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.candidates import repository as candidates_repository
from app.candidates.models import Candidate
from app.core.chunks import chunked
from app.core.errors import NotFound
from app.core.ids import utcnow
from app.core.pagination import decode_cursor, encode_cursor
from app.events import repository as events_repository
from app.events.domain import EventFacts, History, compute_history
from app.orgs import service as orgs_service
from app.orgs.service import CurrentSettings
from app.scoring import repository
from app.scoring.models import CandidateScore, Flag, ScoreChange
from app.scoring.repository import FlagState
from app.scoring.score import Evaluation, Signal, evaluate
from app.webhooks import outbox as webhooks_outbox

UNRANKED = 1000
# A read's as_of this close to the clock is "now": only then is its evaluation stored.
NOW_TOLERANCE = timedelta(seconds=5)


@dataclass(frozen=True)
class CandidateEvaluation:
    """A candidate's stored evaluation with the flags it raised."""

    candidate: Candidate
    score: CandidateScore
    open_flags: list[Flag]
    metrics: dict[str, Any]


def live_metrics(
    candidate: Candidate, score: CandidateScore, settings: CurrentSettings, as_of: datetime
) -> dict[str, Any]:
    """Stored metrics with the "waiting on us" clock run on to `as_of`.

    That clock ticks continuously, so it is not part of what makes an evaluation stale;
    it is computed here from when the candidate's wait began.
    """
    metrics = dict(score.metrics)
    waiting_since = candidate.waiting_since
    if (
        waiting_since is not None
        and waiting_since <= as_of
        and (candidate.last_event_at is None or candidate.last_event_at <= as_of)
    ):
        calendar = settings.document.calendar(candidate.timezone)
        seconds = calendar.business_seconds(waiting_since, as_of)
        metrics["waiting_on_us_business_hours"] = round(seconds / 3600, 1)
    return metrics


def refresh_scores(
    session: Session,
    *,
    org_id: str,
    candidates: list[Candidate],
    settings: CurrentSettings,
    now: datetime,
    facts: dict[str, list[EventFacts]] | None = None,
    histories: dict[str, History] | None = None,
) -> dict[str, CandidateScore]:
    """Evaluate candidates as of `now` from their events and store the results.

    `histories` may hand in derivations already made as of `now` (the ingest path has them).
    """
    if not candidates:
        return {}
    ids = [c.id for c in candidates]
    if facts is None:
        facts = events_repository.facts_for_candidates(session, org_id, ids)
    # Flags are read as plain rows below: a change made to a Flag object (a status set by a
    # user) must be in the database first.
    session.flush()
    flag_states = repository.flag_states_for_candidates(session, org_id, ids)
    scores = repository.scores_for_candidates(session, org_id, ids)
    last_changes = repository.last_change_times(session, org_id, ids)
    # Evaluate everyone first (pure), so that the few flags that change are loaded as ORM
    # objects in one query; flags that stay as they are never become objects.
    evaluated: list[tuple[Candidate, _Evaluated]] = []
    changing: set[str] = set()
    for candidate in candidates:
        events = facts.get(candidate.id, [])
        states = {f.key: f for f in flag_states[candidate.id]}
        result, valid_until = _evaluate(
            candidate=candidate,
            events=events,
            dismissed=frozenset(k for k, f in states.items() if f.status == "dismissed"),
            settings=settings,
            as_of=now,
            history=(histories or {}).get(candidate.id),
        )
        changing.update(_changing_flags(result, states))
        evaluated.append((candidate, _Evaluated(events, states, result, valid_until)))
    loaded = repository.flags_by_ids(session, org_id, sorted(changing))
    stored: dict[str, CandidateScore] = {}
    for candidate, item in evaluated:
        stored[candidate.id] = _store_evaluation(
            session,
            candidate=candidate,
            item=item,
            loaded=loaded,
            previous=scores.get(candidate.id),
            settings=settings,
            as_of=now,
            last_change_at=last_changes.get(candidate.id),
        )
    session.flush()
    return stored


@dataclass(frozen=True)
class _Evaluated:
    events: list[EventFacts]
    flags: dict[str, FlagState]
    result: Evaluation
    valid_until: datetime | None


def _evaluate(
    *,
    candidate: Candidate,
    events: list[EventFacts],
    dismissed: frozenset[str],
    settings: CurrentSettings,
    as_of: datetime,
    history: History | None = None,
) -> tuple[Evaluation, datetime | None]:
    """Evaluate a candidate as of `as_of`; return it with the instant it stops holding."""
    calendar = settings.document.calendar(candidate.timezone)
    if history is None or history.as_of != as_of:
        history = compute_history(events, calendar, as_of)
    result = evaluate(
        history, settings=settings.document, calendar=calendar, dismissed_keys=dismissed
    )
    future = [e.occurred_at for e in events if e.occurred_at > as_of]
    valid_until = min([t for t in [result.valid_until, *future] if t is not None], default=None)
    return result, valid_until


def _fill_score(
    row: CandidateScore,
    *,
    result: Evaluation,
    open_codes: list[str],
    settings: CurrentSettings,
    as_of: datetime,
    valid_until: datetime | None,
) -> None:
    row.score = result.score
    row.band = result.band
    row.rank = result.score if result.score is not None else UNRANKED
    row.flag_codes = " " + " ".join(open_codes) + " " if open_codes else ""
    row.breakdown = [
        {"code": b.code, "points": b.points, "detail": b.detail} for b in result.breakdown
    ]
    row.metrics = dict(result.metrics)
    row.next_action = {
        "action": result.next_action.action,
        "due_at": result.next_action.due_at.isoformat() if result.next_action.due_at else None,
        "reason": result.next_action.reason,
    }
    row.next_action_due_at = result.next_action.due_at
    median = result.metrics.get("median_reply_business_hours")
    row.median_reply_business_hours = float(median) if median is not None else None
    row.settings_version = settings.version
    row.computed_as_of = as_of
    row.valid_until = valid_until
    row.computed_at = utcnow()


def _store_evaluation(
    session: Session,
    *,
    candidate: Candidate,
    item: _Evaluated,
    loaded: dict[str, Flag],
    previous: CandidateScore | None,
    settings: CurrentSettings,
    as_of: datetime,
    last_change_at: datetime | None = None,
) -> CandidateScore:
    result, valid_until = item.result, item.valid_until
    open_codes = _reconcile_flags(
        session,
        candidate=candidate,
        result=result,
        states=item.flags,
        loaded=loaded,
        external_ids={e.id: e.external_id for e in item.events},
        as_of=as_of,
    )
    row = previous or CandidateScore(candidate_id=candidate.id, org_id=candidate.org_id)
    old_score, old_band = (previous.score, previous.band) if previous else (None, None)
    old_codes = {item["code"] for item in previous.breakdown} if previous else set()
    _fill_score(
        row,
        result=result,
        open_codes=open_codes,
        settings=settings,
        as_of=as_of,
        valid_until=valid_until,
    )
    if previous is None:
        session.add(row)
    new_codes = {b.code for b in result.breakdown}
    if (result.score, result.band) != (old_score, old_band):
        _record_change(
            session,
            candidate=candidate,
            at=as_of,
            result=result,
            previous=(old_score, old_band),
            added=sorted(new_codes - old_codes),
            removed=sorted(old_codes - new_codes),
            settings_version=settings.version,
            settings_changed=previous is not None
            and previous.settings_version not in (0, settings.version),
            last_change_at=last_change_at,
        )
    return row


@dataclass(frozen=True)
class TransientEvaluation:
    """An evaluation computed for a read as of another instant than now; never stored."""

    score: CandidateScore
    open_flags: list[Flag]


def evaluate_transient(
    session: Session,
    *,
    org_id: str,
    candidates: list[Candidate],
    settings: CurrentSettings,
    as_of: datetime,
) -> dict[str, TransientEvaluation]:
    """Evaluate candidates as of `as_of` without writing anything (a read is a read)."""
    ids = [c.id for c in candidates]
    facts = events_repository.facts_for_candidates(session, org_id, ids)
    flags = repository.flags_for_candidates(session, org_id, ids)
    out: dict[str, TransientEvaluation] = {}
    for candidate in candidates:
        events = facts.get(candidate.id, [])
        result, valid_until = _evaluate(
            candidate=candidate,
            events=events,
            dismissed=frozenset(f.key for f in flags[candidate.id] if f.status == "dismissed"),
            settings=settings,
            as_of=as_of,
        )
        by_key = {f.key: f for f in flags[candidate.id]}
        external_ids = {e.id: e.external_id for e in events}
        open_flags: list[Flag] = []
        for signal in result.signals:
            if signal.polarity != "negative":
                continue
            stored = by_key.get(signal.key)
            if stored is not None and stored.status == "dismissed":
                continue
            flag = _new_flag(candidate, signal, external_ids)
            if stored is not None:
                flag.id, flag.status = stored.id, stored.status
                flag.status_reason, flag.status_changed_at = (
                    stored.status_reason,
                    stored.status_changed_at,
                )
                flag.raised_at, flag.created_at = stored.raised_at, stored.created_at
            else:
                flag.id = "as-of-" + signal.key
                flag.created_at = as_of
            open_flags.append(flag)
        row = CandidateScore(candidate_id=candidate.id, org_id=candidate.org_id)
        _fill_score(
            row,
            result=result,
            open_codes=sorted({f.code for f in open_flags}),
            settings=settings,
            as_of=as_of,
            valid_until=valid_until,
        )
        out[candidate.id] = TransientEvaluation(score=row, open_flags=open_flags)
    return out


def is_now(as_of: datetime) -> bool:
    """Whether a read's `as_of` is the present, the only instant whose state is stored."""
    return abs(as_of - utcnow()) <= NOW_TOLERANCE


def _changing_flags(result: Evaluation, states: dict[str, FlagState]) -> set[str]:
    """Ids of the stored flags `_reconcile_flags` will change for `result`."""
    changing: set[str] = set()
    live: set[str] = set()
    for signal in result.signals:
        if signal.polarity != "negative":
            continue
        live.add(signal.key)
        state = states.get(signal.key)
        if state is not None and (
            not state.active
            or state.cleared_at is not None
            or (state.summary, state.clears_when, state.severity, state.raised_at)
            != (signal.summary, signal.clears_when, signal.severity, signal.observed_at)
        ):
            changing.add(state.id)
    changing.update(s.id for key, s in states.items() if key not in live and s.active)
    return changing


def _reconcile_flags(
    session: Session,
    *,
    candidate: Candidate,
    result: Evaluation,
    states: dict[str, FlagState],
    loaded: dict[str, Flag],
    external_ids: dict[str, str],
    as_of: datetime,
) -> list[str]:
    """Raise flags for new evidence, keep existing ones, clear those no longer true; return
    the codes of the open (live, not dismissed) flags.

    `loaded` holds, as ORM objects, every stored flag that changes (`_changing_flags`); the
    others stay as they are stored and are only read.
    """
    by_key: dict[str, Flag | FlagState] = {
        key: loaded.get(state.id, state) for key, state in states.items()
    }
    live: set[str] = set()
    for signal in result.signals:
        if signal.polarity != "negative":
            continue
        live.add(signal.key)
        found = by_key.get(signal.key)
        if isinstance(found, FlagState):
            continue  # stored as this signal describes it and active: nothing to write
        if found is None:
            flag = _new_flag(candidate, signal, external_ids)
            session.add(flag)
            by_key[signal.key] = flag
            raised = True
        else:
            flag, raised = found, not found.active
        flag.summary, flag.clears_when, flag.severity = (
            signal.summary,
            signal.clears_when,
            signal.severity,
        )
        # When it was raised is a fact of the history (a late event can move it), as a
        # rebuild from the events would say.
        flag.raised_at = signal.observed_at
        flag.active, flag.cleared_at = True, None
        if raised:
            webhooks_outbox.enqueue_flag_event(
                session, event_type="candidate.flagged", candidate=candidate, flag=flag, at=as_of
            )
    for key, found in by_key.items():
        if key not in live and found.active:
            assert isinstance(found, Flag), "an active flag that clears is loaded"
            found.active, found.cleared_at = False, as_of
            webhooks_outbox.enqueue_flag_event(
                session, event_type="flag.cleared", candidate=candidate, flag=found, at=as_of
            )
    return sorted({by_key[k].code for k in live if by_key[k].status != "dismissed"})


def _new_flag(candidate: Candidate, signal: Signal, external_ids: dict[str, str]) -> Flag:
    return Flag(
        org_id=candidate.org_id,
        candidate_id=candidate.id,
        code=signal.code,
        key=signal.key,
        severity=signal.severity,
        summary=signal.summary,
        clears_when=signal.clears_when,
        evidence=list(signal.evidence),
        evidence_external_ids=[external_ids.get(e, e) for e in signal.evidence],
        raised_at=signal.observed_at,
        status="open",
        active=True,
    )


def _record_change(
    session: Session,
    *,
    candidate: Candidate,
    at: datetime,
    result: Evaluation,
    previous: tuple[int | None, str | None],
    added: list[str],
    removed: list[str],
    settings_version: int,
    settings_changed: bool,
    last_change_at: datetime | None,
) -> None:
    if last_change_at is not None and last_change_at > at:
        # A look back in time (an earlier as_of) re-evaluates but does not rewrite history.
        return
    parts = []
    if added:
        parts.append("new: " + ", ".join(added))
    if removed:
        parts.append("no longer: " + ", ".join(removed))
    if settings_changed:
        parts.append(f"settings version {settings_version}")
    if not parts:
        parts.append("older evidence weighs less as time passes")
    session.add(
        ScoreChange(
            org_id=candidate.org_id,
            candidate_id=candidate.id,
            at=at,
            score=result.score,
            band=result.band,
            previous_score=previous[0],
            previous_band=previous[1],
            settings_version=settings_version,
            reason="; ".join(parts),
            signals_added=added,
            signals_removed=removed,
        )
    )
    webhooks_outbox.enqueue_band_change(
        session,
        candidate=candidate,
        at=at,
        band=result.band,
        score=result.score,
        previous=previous,
        reason="; ".join(parts),
    )


@dataclass(frozen=True)
class PipelineRow:
    candidate: Candidate
    score: CandidateScore
    metrics: dict[str, Any]


def ensure_fresh(
    session: Session,
    *,
    org_id: str,
    as_of: datetime,
    candidate_ids: list[str] | None = None,
    settings: CurrentSettings | None = None,
) -> int:
    """Re-evaluate (and store) the candidates whose stored evaluation does not hold now.

    Only the present is stored: for another `as_of` this does nothing, and readers compute
    what they need on the fly (`evaluate_transient`).
    """
    if not is_now(as_of):
        return 0
    settings = settings or orgs_service.get_current_settings(session, org_id=org_id)
    if candidate_ids is None:
        stale = repository.stale_candidate_ids(
            session, org_id, as_of, settings_version=settings.version
        )
    else:
        scores = repository.scores_for_candidates(session, org_id, candidate_ids)
        stale = [cid for cid in candidate_ids if not _holds(scores.get(cid), as_of, settings)]
    for chunk in chunked(stale):
        locked = candidates_repository.lock_many(session, org_id, chunk)
        refresh_scores(session, org_id=org_id, candidates=locked, settings=settings, now=as_of)
    return len(stale)


def _holds(score: CandidateScore | None, as_of: datetime, settings: CurrentSettings) -> bool:
    if score is None or score.settings_version != settings.version:
        return False
    if score.computed_as_of > as_of:
        return False
    return score.valid_until is None or as_of < score.valid_until


def evaluation_for(
    session: Session, *, candidate: Candidate, as_of: datetime
) -> CandidateEvaluation:
    """Return a candidate's evaluation as of `as_of`.

    The stored one when it holds then; otherwise re-evaluated, and stored only if `as_of`
    is now (a read never writes history dated another time). Derivation of changed facts
    is the caller's (derivation.flows.evaluation_for).
    """
    settings = orgs_service.get_current_settings(session, org_id=candidate.org_id)
    scores = repository.scores_for_candidates(session, candidate.org_id, [candidate.id])
    score = scores.get(candidate.id)
    holds = _holds(score, as_of, settings) and not (
        candidate.last_event_at is not None
        and score is not None
        and score.computed_as_of < candidate.last_event_at <= as_of
    )
    if not holds and not is_now(as_of):
        transient = evaluate_transient(
            session,
            org_id=candidate.org_id,
            candidates=[candidate],
            settings=settings,
            as_of=as_of,
        )[candidate.id]
        return CandidateEvaluation(
            candidate=candidate,
            score=transient.score,
            open_flags=transient.open_flags,
            metrics=live_metrics(candidate, transient.score, settings, as_of),
        )
    if not holds:
        score = refresh_scores(
            session, org_id=candidate.org_id, candidates=[candidate], settings=settings, now=as_of
        )[candidate.id]
    assert score is not None
    open_codes = set(score.flag_codes.split())
    flags = [
        f
        for f in repository.list_flags(session, candidate.org_id, candidate.id)
        if f.active and f.status != "dismissed" and f.code in open_codes
    ]
    return CandidateEvaluation(
        candidate=candidate,
        score=score,
        open_flags=flags,
        metrics=live_metrics(candidate, score, settings, as_of),
    )


def list_flags(session: Session, *, candidate: Candidate) -> list[Flag]:
    return repository.list_flags(session, candidate.org_id, candidate.id)


def get_flag(session: Session, *, org_id: str, flag_id: str) -> Flag:
    flag = repository.get_flag(session, org_id, flag_id)
    if flag is None:
        raise NotFound("No such flag.")
    return flag


def set_flag_status(session: Session, *, flag: Flag, status: str, reason: str | None) -> Flag:
    """Acknowledge or dismiss a flag; a dismissal takes its points out of the score."""
    newly_dismissed = status == "dismissed" and flag.status != "dismissed"
    flag.status = status
    flag.status_reason = reason
    flag.status_changed_at = utcnow()
    session.flush()
    candidate = candidates_repository.lock_many(session, flag.org_id, [flag.candidate_id])
    if newly_dismissed and candidate:
        webhooks_outbox.enqueue_flag_event(
            session, event_type="flag.dismissed", candidate=candidate[0], flag=flag
        )
    settings = orgs_service.get_current_settings(session, org_id=flag.org_id)
    refresh_scores(
        session, org_id=flag.org_id, candidates=candidate, settings=settings, now=utcnow()
    )
    return flag


def score_history(session: Session, *, candidate: Candidate) -> list[ScoreChange]:
    return repository.list_score_changes(session, candidate.org_id, candidate.id)


def pipeline(
    session: Session,
    *,
    org_id: str,
    as_of: datetime,
    limit: int,
    cursor: str | None,
    recruiter_external_id: str | None = None,
    band: str | None = None,
    flag: str | None = None,
    stage: str | None = None,
    status: str = "active",
    search: str | None = None,
) -> tuple[list["PipelineRow"], str | None]:
    """Rank candidates least responsive first from stored evaluations (refreshed if stale).

    As of another instant than now, evaluations that do not hold then are computed on the
    fly for this read and ranked with the rest; nothing is stored.
    """
    settings = orgs_service.get_current_settings(session, org_id=org_id)
    if not is_now(as_of):
        return _pipeline_as_of(
            session,
            org_id=org_id,
            as_of=as_of,
            limit=limit,
            cursor=cursor,
            settings=settings,
            filters={
                "recruiter_external_id": recruiter_external_id,
                "stage": stage,
                "status": status,
                "search": search,
            },
            band=band,
            flag=flag,
        )
    ensure_fresh(session, org_id=org_id, as_of=as_of, settings=settings)
    stmt = repository.pipeline_query(
        org_id,
        recruiter_external_id=recruiter_external_id,
        band=band,
        flag=flag,
        stage=stage,
        status=status,
        search=search,
    )
    if cursor:
        rank, candidate_id = decode_cursor(cursor, types=(int, str))
        stmt = stmt.where(
            (CandidateScore.rank > rank)
            | ((CandidateScore.rank == rank) & (CandidateScore.candidate_id > candidate_id))
        )
    stmt = stmt.order_by(CandidateScore.rank, CandidateScore.candidate_id).limit(limit + 1)
    rows: list[Any] = list(session.execute(stmt))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][1]
        next_cursor = encode_cursor([last.rank, last.candidate_id])
    return [
        PipelineRow(candidate=c, score=s, metrics=live_metrics(c, s, settings, as_of))
        for c, s in rows[:limit]
    ], next_cursor


def _pipeline_as_of(
    session: Session,
    *,
    org_id: str,
    as_of: datetime,
    limit: int,
    cursor: str | None,
    settings: CurrentSettings,
    filters: dict[str, Any],
    band: str | None,
    flag: str | None,
) -> tuple[list["PipelineRow"], str | None]:
    stmt = repository.pipeline_query(org_id, band=None, flag=None, **filters)
    rows: list[tuple[Candidate, CandidateScore]] = [(c, s) for c, s in session.execute(stmt)]
    stale = [c for c, s in rows if not _holds(s, as_of, settings)]
    transient = evaluate_transient(
        session, org_id=org_id, candidates=stale, settings=settings, as_of=as_of
    )
    ranked: list[tuple[Candidate, CandidateScore]] = []
    for candidate, stored in rows:
        score = transient[candidate.id].score if candidate.id in transient else stored
        if band is not None and score.band != band:
            continue
        if flag is not None and f" {flag} " not in score.flag_codes:
            continue
        ranked.append((candidate, score))
    ranked.sort(key=lambda pair: (pair[1].rank, pair[0].id))
    if cursor:
        rank, candidate_id = decode_cursor(cursor, types=(int, str))
        ranked = [p for p in ranked if (p[1].rank, p[0].id) > (rank, candidate_id)]
    next_cursor = None
    if len(ranked) > limit:
        last_candidate, last_score = ranked[limit - 1]
        next_cursor = encode_cursor([last_score.rank, last_candidate.id])
    return [
        PipelineRow(candidate=c, score=s, metrics=live_metrics(c, s, settings, as_of))
        for c, s in ranked[:limit]
    ], next_cursor
