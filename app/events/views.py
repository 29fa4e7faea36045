"""Build API read models from stored events and derived history."""

from app.candidates.models import Candidate
from app.events.domain import History
from app.events.models import Event
from app.events.schemas import (
    EventRead,
    ExchangeRead,
    IntentRead,
    MirrorRead,
    PromiseRead,
    TimelineRead,
    WaitingRead,
)


def event_read(
    event: Event, candidate_external_id: str, *, duplicate_of: str | None = None
) -> EventRead:
    return EventRead(
        id=event.id,
        external_id=event.external_id,
        candidate_id=event.candidate_id,
        candidate_external_id=candidate_external_id,
        recruiter_external_id=event.recruiter_external_id,
        direction=event.direction,
        channel=event.channel,
        type=event.type,
        outcome=event.outcome,
        occurred_at=event.occurred_at,
        scheduled_for=event.scheduled_for,
        due_at=event.due_at,
        in_reply_to=event.in_reply_to,
        fulfills=event.fulfills,
        subject=event.subject,
        body=event.body,
        body_redacted=event.body_redacted,
        auto_reply=event.auto_reply,
        expects_reply=event.expects_reply,
        promised_by=event.promised_by,
        metadata=event.event_metadata,
        intents=[IntentRead.model_validate(i) for i in event.intents or []],
        language=event.language,
        intents_available=event.intents_available is not False,
        received_at=event.received_at,
        needs_reply=event.needs_reply if event.direction == "inbound" else None,
        duplicate_of=duplicate_of,
    )


def timeline_read(candidate: Candidate, events: list[Event], history: History) -> TimelineRead:
    waiting = [WaitingRead.model_validate(w, from_attributes=True) for w in history.waiting]
    return TimelineRead(
        candidate_id=candidate.id,
        as_of=history.as_of,
        events=[
            event_read(e, candidate.external_id, duplicate_of=history.duplicates.get(e.id))
            for e in events
        ],
        exchanges=[
            ExchangeRead(
                index=x.index,
                opened_at=x.opened_at,
                responded_at=x.responded_at,
                open=x.is_open,
                attempts=x.attempts,
                attempt_event_ids=x.attempt_event_ids,
                opening_event_id=x.opening_event_id,
                response_event_id=x.response_event_id,
                latency_seconds=x.latency_seconds,
                business_seconds=x.business_seconds,
                paused=[[lo, hi] for lo, hi in x.paused],
                meeting_wait=list(x.meeting_wait) if x.meeting_wait else None,
                counts_for_latency=x.counts_for_latency,
            )
            for x in history.exchanges
        ],
        candidate_initiated=history.candidate_initiated,
        mirror=MirrorRead(
            waiting_on_us=waiting[-1] if waiting and waiting[-1].closed_at is None else None,
            waiting=waiting,
            promises=[
                PromiseRead.model_validate(p, from_attributes=True) for p in history.promises
            ],
            overdue_promises=sum(1 for p in history.promises if p.overdue),
        ),
    )
