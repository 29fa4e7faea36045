"""The derived state of an organisation, in terms that do not depend on server-made ids."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.derivation.models import DirtyCandidate
from app.events.models import Event, Exchange
from app.scoring.models import CandidateScore, Flag


def derived_state(session: Session, org_id: str) -> dict[str, Any]:
    """Exchanges, summary, score and open flags of every candidate, by external ids."""
    ext = {
        e.id: e.external_id for e in session.scalars(select(Event).where(Event.org_id == org_id))
    }
    out: dict[str, Any] = {}
    for candidate in session.scalars(select(Candidate).where(Candidate.org_id == org_id)):
        exchanges = session.scalars(
            select(Exchange).where(Exchange.candidate_id == candidate.id).order_by(Exchange.seq)
        )
        score = session.get(CandidateScore, candidate.id)
        flags = session.scalars(
            select(Flag).where(Flag.candidate_id == candidate.id, Flag.active.is_(True))
        )
        out[candidate.external_id] = {
            "summary": (
                candidate.event_count,
                candidate.last_event_at,
                candidate.last_inbound_at,
                candidate.last_outbound_at,
                candidate.waiting_since,
            ),
            "exchanges": [
                (
                    x.seq,
                    x.opened_at,
                    ext[x.opening_event_id],
                    [ext[i] for i in x.attempt_event_ids],
                    x.responded_at,
                    ext.get(x.response_event_id or ""),
                    x.latency_seconds,
                    x.business_seconds,
                    x.paused,
                )
                for x in exchanges
            ],
            "score": None
            if score is None
            else (
                score.score,
                score.band,
                score.flag_codes,
                score.breakdown,
                score.metrics,
                score.next_action,
                score.valid_until,
            ),
            "flags": sorted(
                (f.code, tuple(sorted(f.evidence_external_ids)), f.severity, f.summary, f.raised_at)
                for f in flags
            ),
        }
    return out


def dirty_count(session: Session, org_id: str) -> int:
    return len(list(session.scalars(select(DirtyCandidate).where(DirtyCandidate.org_id == org_id))))
