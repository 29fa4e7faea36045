"""The transactional outbox: write webhook messages in the caller's transaction.

The derivation code calls one function at the point where a change is stored; the message
rows commit (or roll back) with that change, and `delivery.py` sends them later. Nothing is
written unless the organisation has an enabled subscription to the event type, and that is
looked up once per transaction, so ingest pays one small query at most.
"""

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.ids import new_id, utcnow
from app.webhooks.models import WebhookMessage, WebhookSubscription

if TYPE_CHECKING:
    from app.candidates.models import Candidate
    from app.scoring.models import Flag

# Changes evaluated as of an instant further than this from the clock are look-backs (an
# `as_of` read or a rescore of the past), not news: they emit nothing.
NOW_TOLERANCE = timedelta(minutes=5)

_CACHE_KEY = "webhooks.subscribed"
_FLAG_STATES = ("candidate.flagged", "flag.cleared")


def enqueue(
    session: Session,
    *,
    org_id: str,
    event_type: str,
    data: dict[str, Any],
    candidate_id: str | None = None,
    subject_id: str | None = None,
    at: datetime | None = None,
) -> int:
    """Queue `event_type` with `data` for each enabled subscriber; return how many rows."""
    if at is not None and not is_now(at):
        return 0
    subscription_ids = subscribed(session, org_id=org_id, event_type=event_type)
    if not subscription_ids:
        return 0
    when = at or utcnow()
    payload = json.dumps(
        {"type": event_type, "timestamp": _iso(when), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    now = utcnow()
    for subscription_id in subscription_ids:
        session.add(
            WebhookMessage(
                org_id=org_id,
                subscription_id=subscription_id,
                candidate_id=candidate_id,
                subject_id=subject_id,
                event_type=event_type,
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(subscription_ids)


def enqueue_flag_event(
    session: Session,
    *,
    event_type: str,
    candidate: "Candidate",
    flag: "Flag",
    at: datetime | None = None,
) -> int:
    """Queue `candidate.flagged`, `flag.cleared` or `flag.dismissed` for `flag`."""
    if event_type != "flag.dismissed" and flag.status == "dismissed":
        return 0  # a dismissed flag's comings and goings are no longer news
    if at is not None and not is_now(at):
        return 0
    if not subscribed(session, org_id=candidate.org_id, event_type=event_type):
        return 0
    if flag.id is None:
        flag.id = new_id()  # the row is not flushed yet; the message names it
    elif event_type in _FLAG_STATES:
        # A flag that comes and goes because someone looked back in time (an `as_of` read
        # re-evaluates the past) is announced once: only a change from what was last said.
        last = _last_announced(session, candidate.org_id, flag.id, _FLAG_STATES)
        if last is not None and last.event_type == event_type:
            return 0
    data = {
        "candidate": _candidate_data(candidate),
        "flag": {
            "id": flag.id,
            "code": flag.code,
            "severity": flag.severity,
            "summary": flag.summary,
            "clears_when": flag.clears_when,
            "evidence": list(flag.evidence_external_ids or flag.evidence),
            "raised_at": _iso(flag.raised_at),
            "status": flag.status,
            "status_reason": flag.status_reason,
            "cleared_at": _iso(flag.cleared_at) if flag.cleared_at else None,
        },
    }
    return enqueue(
        session,
        org_id=candidate.org_id,
        event_type=event_type,
        data=data,
        candidate_id=candidate.id,
        subject_id=flag.id,
        at=at,
    )


def enqueue_band_change(
    session: Session,
    *,
    candidate: "Candidate",
    at: datetime,
    band: str,
    score: int | None,
    previous: tuple[int | None, str | None],
    reason: str,
) -> int:
    """Queue `candidate.band_changed` when the band moved from the one last announced."""
    previous_score, previous_band = previous
    if (previous_band or "unknown") == band or not is_now(at):
        return 0
    if not subscribed(session, org_id=candidate.org_id, event_type="candidate.band_changed"):
        return 0
    last = _last_announced(session, candidate.org_id, candidate.id, ("candidate.band_changed",))
    if last is not None:
        announced = json.loads(last.payload)["data"]
        previous_score, previous_band = announced["score"], announced["band"]
        if previous_band == band:
            return 0
    data = {
        "candidate": _candidate_data(candidate),
        "band": band,
        "previous_band": previous_band or "unknown",
        "score": score,
        "previous_score": previous_score,
        "reason": reason,
    }
    return enqueue(
        session,
        org_id=candidate.org_id,
        event_type="candidate.band_changed",
        data=data,
        candidate_id=candidate.id,
        subject_id=candidate.id,
        at=at,
    )


def subscribed(session: Session, *, org_id: str, event_type: str) -> list[str]:
    """Ids of the org's enabled subscriptions to `event_type` (cached per transaction)."""
    transaction = session.get_transaction()
    cached = session.info.get(_CACHE_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[_CACHE_KEY] = cached
    by_org: dict[str, list[tuple[str, list[str]]]] = cached[1]
    if org_id not in by_org:
        rows = session.execute(
            select(WebhookSubscription.id, WebhookSubscription.events).where(
                WebhookSubscription.org_id == org_id, WebhookSubscription.enabled.is_(True)
            )
        )
        by_org[org_id] = [(row[0], list(row[1])) for row in rows]
    return [sid for sid, events in by_org[org_id] if event_type in events]


def _last_announced(
    session: Session, org_id: str, subject_id: str, event_types: tuple[str, ...]
) -> WebhookMessage | None:
    stmt = (
        select(WebhookMessage)
        .where(
            WebhookMessage.org_id == org_id,
            WebhookMessage.subject_id == subject_id,
            WebhookMessage.event_type.in_(event_types),
        )
        .order_by(WebhookMessage.created_at.desc())
        .limit(1)
        .execution_options(autoflush=True)  # messages queued earlier in this transaction
    )
    return session.scalars(stmt).first()


def forget_subscriptions(session: Session) -> None:
    """Drop the per-transaction cache (after subscriptions change in this transaction)."""
    session.info.pop(_CACHE_KEY, None)


def is_now(at: datetime) -> bool:
    """True when `at` is the present (a change happening now, not a look back)."""
    return abs(utcnow() - at) <= NOW_TOLERANCE


def _candidate_data(candidate: "Candidate") -> dict[str, Any]:
    return {
        "id": candidate.id,
        "external_id": candidate.external_id,
        "recruiter_external_id": candidate.recruiter_external_id,
    }


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
