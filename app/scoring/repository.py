"""SQL for stored scores, flags and score history."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.core.chunks import chunked
from app.scoring.models import CandidateScore, Flag, ScoreChange


def flags_for_candidates(
    session: Session, org_id: str, candidate_ids: list[str]
) -> dict[str, list[Flag]]:
    out: dict[str, list[Flag]] = {cid: [] for cid in candidate_ids}
    for chunk in chunked(candidate_ids):
        stmt = select(Flag).where(Flag.org_id == org_id, Flag.candidate_id.in_(chunk))
        for flag in session.scalars(stmt):
            out[flag.candidate_id].append(flag)
    return out


class FlagState(NamedTuple):
    """What derivation compares of a stored flag (a plain row, not an ORM object)."""

    id: str
    key: str
    code: str
    status: str
    active: bool
    severity: str
    summary: str
    clears_when: str
    cleared_at: datetime | None
    raised_at: datetime


def flag_states_for_candidates(
    session: Session, org_id: str, candidate_ids: list[str]
) -> dict[str, list[FlagState]]:
    """The stored flags of candidates as plain rows, one query per chunk."""
    out: dict[str, list[FlagState]] = {cid: [] for cid in candidate_ids}
    for chunk in chunked(candidate_ids):
        stmt = select(Flag.candidate_id, *(getattr(Flag, f) for f in FlagState._fields)).where(
            Flag.org_id == org_id, Flag.candidate_id.in_(chunk)
        )
        for row in session.execute(stmt).all():
            out[row[0]].append(FlagState._make(row[1:]))
    return out


def flags_by_ids(session: Session, org_id: str, flag_ids: list[str]) -> dict[str, Flag]:
    found: dict[str, Flag] = {}
    for chunk in chunked(flag_ids):
        stmt = select(Flag).where(Flag.org_id == org_id, Flag.id.in_(chunk))
        found.update((f.id, f) for f in session.scalars(stmt))
    return found


def scores_for_candidates(
    session: Session, org_id: str, candidate_ids: list[str]
) -> dict[str, CandidateScore]:
    out: dict[str, CandidateScore] = {}
    for chunk in chunked(candidate_ids):
        stmt = select(CandidateScore).where(
            CandidateScore.org_id == org_id, CandidateScore.candidate_id.in_(chunk)
        )
        out.update({s.candidate_id: s for s in session.scalars(stmt)})
    return out


def get_flag(session: Session, org_id: str, flag_id: str) -> Flag | None:
    return session.scalar(select(Flag).where(Flag.org_id == org_id, Flag.id == flag_id))


def list_flags(session: Session, org_id: str, candidate_id: str) -> list[Flag]:
    stmt = (
        select(Flag)
        .where(Flag.org_id == org_id, Flag.candidate_id == candidate_id)
        .order_by(Flag.raised_at, Flag.code, Flag.id)
    )
    return list(session.scalars(stmt))


def list_score_changes(session: Session, org_id: str, candidate_id: str) -> list[ScoreChange]:
    stmt = (
        select(ScoreChange)
        .where(ScoreChange.org_id == org_id, ScoreChange.candidate_id == candidate_id)
        .order_by(ScoreChange.at, ScoreChange.id)
    )
    return list(session.scalars(stmt))


def last_change_times(
    session: Session, org_id: str, candidate_ids: list[str]
) -> dict[str, datetime]:
    """When each candidate's score last changed (one query per chunk, not per candidate)."""
    out: dict[str, datetime] = {}
    for chunk in chunked(candidate_ids):
        stmt = (
            select(ScoreChange.candidate_id, func.max(ScoreChange.at))
            .where(ScoreChange.org_id == org_id, ScoreChange.candidate_id.in_(chunk))
            .group_by(ScoreChange.candidate_id)
        )
        out.update({cid: at for cid, at in session.execute(stmt)})
    return out


def last_score_change(session: Session, org_id: str, candidate_id: str) -> ScoreChange | None:
    stmt = (
        select(ScoreChange)
        .where(ScoreChange.org_id == org_id, ScoreChange.candidate_id == candidate_id)
        .order_by(ScoreChange.at.desc(), ScoreChange.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def stale_candidate_ids(
    session: Session, org_id: str, as_of: datetime, *, settings_version: int
) -> list[str]:
    """Active candidates whose stored evaluation does not hold at `as_of`.

    Each condition is a range on an (org_id, …) index; every candidate has a score row
    from its creation on (a placeholder that is stale at once), so none is missed.
    """
    conditions = (
        CandidateScore.valid_until <= as_of,
        CandidateScore.computed_as_of > as_of,
        CandidateScore.settings_version < settings_version,
    )
    stale: set[str] = set()
    for condition in conditions:
        stmt = (
            select(CandidateScore.candidate_id)
            .join(Candidate, Candidate.id == CandidateScore.candidate_id)
            .where(CandidateScore.org_id == org_id, condition, Candidate.status == "active")
        )
        stale.update(session.scalars(stmt))
    return sorted(stale)


def pipeline_query(
    org_id: str,
    *,
    recruiter_external_id: str | None,
    band: str | None,
    flag: str | None,
    stage: str | None,
    status: str,
    search: str | None,
) -> Select[Candidate, CandidateScore]:
    stmt = (
        select(Candidate, CandidateScore)
        .join(CandidateScore, CandidateScore.candidate_id == Candidate.id)
        .where(
            CandidateScore.org_id == org_id,
            Candidate.org_id == org_id,
            Candidate.status == status,
        )
    )
    if recruiter_external_id is not None:
        stmt = stmt.where(Candidate.recruiter_external_id == recruiter_external_id)
    if band is not None:
        stmt = stmt.where(CandidateScore.band == band)
    if flag is not None:
        stmt = stmt.where(CandidateScore.flag_codes.contains(f" {flag} "))
    if stage is not None:
        stmt = stmt.where(Candidate.stage == stage)
    if search:
        stmt = stmt.where(Candidate.name.ilike(f"%{_escape_like(search)}%", escape="\\"))
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class FlagCounts:
    """How often one signal code was raised, acknowledged and dismissed in a window."""

    code: str
    raised: int
    acknowledged: int
    dismissed: int


def flag_quality(
    session: Session, org_id: str, *, since: datetime, until: datetime, top_reasons: int = 3
) -> tuple[list[FlagCounts], dict[str, list[tuple[str, int]]]]:
    """Per code, flags raised and flags acknowledged or dismissed in (since, until], in SQL.

    A flag counts as raised when its `raised_at` falls in the window, and as acknowledged or
    dismissed when its status changed to that in the window (a status set after `until` is
    not seen). Dismissal reasons are grouped case- and space-insensitively, most common first.
    """

    raised = and_(Flag.raised_at > since, Flag.raised_at <= until)
    changed = and_(Flag.status_changed_at > since, Flag.status_changed_at <= until)
    acknowledged = and_(Flag.status == "acknowledged", changed)
    dismissed = and_(Flag.status == "dismissed", changed)
    counts = select(
        Flag.code,
        func.sum(case((raised, 1), else_=0)),
        func.sum(case((acknowledged, 1), else_=0)),
        func.sum(case((dismissed, 1), else_=0)),
    ).where(Flag.org_id == org_id, or_(raised, acknowledged, dismissed))
    rows = [
        FlagCounts(code, int(r or 0), int(a or 0), int(d or 0))
        for code, r, a, d in session.execute(counts.group_by(Flag.code).order_by(Flag.code))
    ]
    reason = func.lower(func.trim(func.coalesce(Flag.status_reason, "")))
    grouped = (
        select(Flag.code, reason.label("reason"), func.count().label("n"))
        .where(Flag.org_id == org_id, dismissed)
        .group_by(Flag.code, reason)
        .order_by(Flag.code, func.count().desc(), reason)
    )
    reasons: dict[str, list[tuple[str, int]]] = {}
    for code, text, n in session.execute(grouped):
        picked = reasons.setdefault(code, [])
        if len(picked) < top_reasons and text:
            picked.append((str(text), int(n)))
    return rows, reasons
