"""Greenhouse Recruiting web hooks.

`Signature: sha256 <hex HMAC-SHA256(secret key, raw body)>`; `Greenhouse-Event-ID` is the
delivery id. Application events set the candidate's stage and status; candidate deleted or
anonymised erases them here; interview payloads that carry a scheduled interview become
meetings. Nothing is ever sent back to Greenhouse.
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
    full_name,
    items,
    load_json,
    meeting_channel,
    obj,
    parse_time,
    text,
    verify_body_sha256,
)

PROVIDER = "greenhouse"

_STATUS_BY_ACTION = {
    "hire_candidate": "hired",
    "candidate_hired": "hired",
    "reject_candidate": "rejected",
    "candidate_rejected": "rejected",
    "prospect_rejected": "rejected",
    "unreject_candidate": "active",
    "candidate_unrejected": "active",
    "candidate_unhired": "active",
    "unhire_candidate": "active",
}
_APPLICATION_ACTIONS = {
    "candidate_stage_change",
    "new_candidate_application",
    "new_prospect_application",
    "application_updated",
    "update_candidate",
    "candidate_updated",
    "prospect_created",
    *_STATUS_BY_ACTION,
}
_ERASE_ACTIONS = {
    "delete_candidate",
    "candidate_deleted",
    "candidate_anonymized",
    "anonymize_candidate",
    "candidate_anonymised",
}
_INTERVIEW_ACTIONS = {
    "interview_created",
    "interview_scheduled",
    "interview_updated",
    "interview_deleted",
    "scheduled_interview_created",
    "scheduled_interview_updated",
    "scheduled_interview_deleted",
}
_STATUSES = {"active": "active", "hired": "hired", "rejected": "rejected"}


def verify(request: InboundRequest, secret: str, now: datetime) -> str | None:
    verify_body_sha256(request, secret, header="Signature", separator=" ", provider="Greenhouse")
    return None


def parse(request: InboundRequest, now: datetime) -> Delivery:
    data = load_json(request.body)
    action = text(data.get("action"), 100) or "unknown"
    key = "event:" + (request.header("greenhouse-event-id")[:180] or body_digest(request.body))
    payload = obj(data.get("payload"))
    delivery = Delivery(key=key, kind=action)
    if action == "ping":
        delivery.note = "Ping received."
    elif action in _APPLICATION_ACTIONS:
        delivery.changes.extend(_application_changes(action, payload))
    elif action in _ERASE_ACTIONS:
        ref = _candidate_ref(payload)
        if ref is None:
            delivery.note = "No candidate id in the payload."
        else:
            delivery.changes.append(EraseCandidate(ref))
    elif action in _INTERVIEW_ACTIONS:
        delivery.changes.extend(_interview_changes(action, payload, now))
    else:
        delivery.note = f"Action {action!r} is not used."
    if not delivery.changes and delivery.note is None:
        delivery.note = "Nothing usable in the payload."
    return delivery


def _candidate_ref(payload: dict[str, Any]) -> str | None:
    application = obj(payload.get("application"))
    for source in (
        obj(payload.get("candidate")),
        obj(application.get("candidate")),
        obj(payload.get("person")),
    ):
        ref = text(source.get("id"), 100)
        if ref:
            return ref
    return text(payload.get("candidate_id"), 100) or text(application.get("candidate_id"), 100)


def _person(payload: dict[str, Any]) -> Person | None:
    application = obj(payload.get("application"))
    candidate = obj(application.get("candidate")) or obj(payload.get("candidate"))
    ref = _candidate_ref(payload)
    if ref is None:
        return None
    emails = items(candidate.get("email_addresses"))
    phones = items(candidate.get("phone_numbers"))
    jobs = items(application.get("jobs"))
    stage = obj(application.get("current_stage"))
    return Person(
        ref=ref,
        name=full_name(candidate.get("first_name"), candidate.get("last_name")),
        email=text(emails[0].get("value"), 320) if emails else None,
        phone=text(phones[0].get("value"), 64) if phones else None,
        job=text(jobs[0].get("name")) if jobs else None,
        stage=text(stage.get("name"), 100),
        status=_STATUSES.get(str(application.get("status") or "").lower()),
        recruiter_email=text(obj(candidate.get("recruiter")).get("email"), 320),
    )


def _application_changes(action: str, payload: dict[str, Any]) -> list[UpsertCandidate]:
    person = _person(payload)
    if person is None:
        return []
    if action in _STATUS_BY_ACTION:
        person.status = _STATUS_BY_ACTION[action]
    application_id = text(obj(payload.get("application")).get("id"), 100)
    links = ("application:" + application_id,) if application_id else ()
    return [UpsertCandidate(person, links=links)]


def _interview_changes(action: str, payload: dict[str, Any], now: datetime) -> list[RecordEvent]:
    interview = obj(payload.get("scheduled_interview")) or obj(payload.get("interview"))
    interview_id = text(interview.get("id"), 100)
    if interview_id is None:
        return []
    ref = "interview:" + interview_id
    application_id = text(interview.get("application_id"), 100) or text(
        obj(payload.get("application")).get("id"), 100
    )
    person = _person(payload)
    via = (ref, "application:" + application_id) if application_id else (ref,)
    start = parse_time(obj(interview.get("start")).get("date_time") or interview.get("start"))
    end = parse_time(obj(interview.get("end")).get("date_time") or interview.get("end"))
    status = str(interview.get("status") or "").lower()
    updated = parse_time(interview.get("updated_at")) or parse_time(interview.get("created_at"))
    organizer = obj(interview.get("organizer"))
    channel = meeting_channel(interview.get("location"), interview.get("video_conferencing_url"))
    base = {
        "direction": "outbound",
        "channel": channel,
        "type": "meeting",
        "metadata": {"source": PROVIDER, "interview_id": interview_id},
    }
    recruiter_email = text(organizer.get("email"), 320)
    rescheduled: str | None = None
    if action.endswith("deleted") or status in ("cancelled", "canceled"):
        event = {
            **base,
            "external_id": f"{PROVIDER}:{ref}:cancelled",
            "outcome": "cancelled",
            "occurred_at": (updated or now).isoformat(),
        }
    elif status in ("complete", "completed", "awaiting_feedback") and (end or start):
        event = {
            **base,
            "external_id": f"{PROVIDER}:{ref}:attended",
            "outcome": "attended",
            "occurred_at": (end or start or now).isoformat(),
        }
    elif start is not None:
        rescheduled = ref
        event = {
            **base,
            "external_id": f"{PROVIDER}:{ref}:{start.isoformat()}",
            "outcome": "scheduled",
            "scheduled_for": start.isoformat(),
            "occurred_at": (updated or now).isoformat(),
        }
    else:
        return []
    return [
        RecordEvent(
            event=event,
            person=person,
            via=via,
            links=(ref,),
            recruiter_email=recruiter_email,
            reschedule_ref=rescheduled,
        )
    ]
