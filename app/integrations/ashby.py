"""Ashby webhooks.

`Ashby-Signature: sha256=<hex HMAC-SHA256(secret token, raw body)>`. `webhookActionId` is
shared by the related webhooks one action triggers (a stage change also sends
applicationUpdate), so the delivery id is the action name plus that id.
"""

from datetime import datetime
from typing import Any

from app.integrations.base import (
    Delivery,
    EraseCandidate,
    InboundRequest,
    Person,
    RecordEvent,
    UpsertCandidate,
    body_digest,
    items,
    load_json,
    meeting_channel,
    obj,
    parse_time,
    text,
    verify_body_sha256,
)

PROVIDER = "ashby"

_STATUSES = {"active": "active", "lead": "active", "hired": "hired", "archived": "rejected"}
_APPLICATION_ACTIONS = {
    "applicationSubmit",
    "applicationUpdate",
    "candidateStageChange",
    "candidateHire",
}


def verify(request: InboundRequest, secret: str, now: datetime) -> str | None:
    verify_body_sha256(request, secret, header="Ashby-Signature", separator="=", provider="Ashby")
    return None


def parse(request: InboundRequest, now: datetime) -> Delivery:
    data = load_json(request.body)
    action = text(data.get("action"), 100) or "unknown"
    action_id = text(data.get("webhookActionId"), 150) or body_digest(request.body)
    delivery = Delivery(key=f"{action}:{action_id}", kind=action)
    body = obj(data.get("data"))
    if action == "ping":
        delivery.note = "Ping received."
    elif action in _APPLICATION_ACTIONS:
        application = obj(body.get("application"))
        person = _person(application)
        if person is None:
            delivery.note = "No candidate in the application."
        else:
            if action == "candidateHire":
                person.status = "hired"
            app_id = text(application.get("id"), 100)
            links = ("application:" + app_id,) if app_id else ()
            delivery.changes.append(UpsertCandidate(person, links=links))
    elif action == "candidateDelete":
        ref = text(obj(body.get("candidate")).get("id"), 100)
        if ref is None:
            delivery.note = "No candidate id in the payload."
        else:
            delivery.changes.append(EraseCandidate(ref))
    elif action in ("interviewScheduleCreate", "interviewScheduleUpdate"):
        delivery.changes.extend(_schedule(obj(body.get("interviewSchedule")), now))
        if not delivery.changes:
            delivery.note = "The interview schedule carries no interview times."
    else:
        delivery.note = f"Action {action!r} is not used."
    return delivery


def _person(application: dict[str, Any]) -> Person | None:
    candidate = obj(application.get("candidate"))
    ref = text(candidate.get("id"), 100)
    if ref is None:
        return None
    stage = obj(application.get("currentInterviewStage"))
    job = obj(application.get("job"))
    return Person(
        ref=ref,
        name=text(candidate.get("name")),
        email=text(obj(candidate.get("primaryEmailAddress")).get("value"), 320),
        phone=text(obj(candidate.get("primaryPhoneNumber")).get("value"), 64),
        job=text(job.get("title")),
        stage=text(stage.get("title"), 100),
        status=_STATUSES.get(str(application.get("status") or "").lower()),
    )


def _schedule(schedule: dict[str, Any], now: datetime) -> list[RecordEvent]:
    candidate_ref = text(schedule.get("candidateId"), 100)
    application_id = text(schedule.get("applicationId"), 100)
    status = str(schedule.get("status") or "").lower()
    updated = parse_time(schedule.get("updatedAt")) or now
    person = Person(ref=candidate_ref) if candidate_ref else None
    changes: list[RecordEvent] = []
    for interview in items(schedule.get("interviewEvents")):
        interview_id = text(interview.get("id"), 100)
        start = parse_time(interview.get("startTime"))
        if interview_id is None:
            continue
        ref = "interview:" + interview_id
        via = (ref, "application:" + application_id) if application_id else (ref,)
        base = {
            "direction": "outbound",
            "channel": meeting_channel(interview.get("meetingLink"), interview.get("location")),
            "type": "meeting",
            "occurred_at": updated.isoformat(),
            "metadata": {"source": PROVIDER, "interview_event_id": interview_id},
        }
        if status in ("cancelled", "canceled"):
            event = {**base, "external_id": f"{PROVIDER}:{ref}:cancelled", "outcome": "cancelled"}
            changes.append(RecordEvent(event=event, person=person, via=via, links=(ref,)))
        elif start is not None:
            event = {
                **base,
                "external_id": f"{PROVIDER}:{ref}:{start.isoformat()}",
                "outcome": "scheduled",
                "scheduled_for": start.isoformat(),
            }
            changes.append(
                RecordEvent(event=event, person=person, via=via, links=(ref,), reschedule_ref=ref)
            )
    return changes
