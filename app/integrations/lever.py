"""Lever webhooks.

The body carries `token`, `triggeredAt` and `signature` = hex HMAC-SHA256(signature token,
token + triggeredAt); each Lever webhook has its own signature token, so a connection may
hold several, comma-separated. Lever signs the token and time, not the body: the token is
the delivery id and a second delivery with it is stored once.

Stage changes set the candidate's stage (Lever sends stage ids), hired/archived set the
status, candidateDeleted erases, interview events become meetings when they carry a time.
"""

from datetime import datetime
from typing import Any

from app.integrations.base import (
    Delivery,
    EraseCandidate,
    InboundRequest,
    InvalidSignature,
    Malformed,
    Person,
    RecordEvent,
    UpsertCandidate,
    from_millis,
    hmac_hex,
    load_json,
    meeting_channel,
    obj,
    same,
    text,
)

PROVIDER = "lever"


def _envelope(request: InboundRequest) -> dict[str, Any]:
    try:
        return load_json(request.body)
    except Malformed:
        raise InvalidSignature("The body is not a signed Lever payload.") from None


def verify(request: InboundRequest, secret: str, now: datetime) -> str | None:
    data = _envelope(request)
    token = data.get("token")
    triggered_at = data.get("triggeredAt")
    signature = data.get("signature")
    if not (isinstance(token, str) and isinstance(signature, str) and token):
        raise InvalidSignature("Missing token or signature.")
    if isinstance(triggered_at, bool) or not isinstance(triggered_at, int | str):
        raise InvalidSignature("Missing triggeredAt.")
    message = (token + str(triggered_at)).encode()
    tokens = [t.strip() for t in secret.split(",") if t.strip()]
    # Compare against every token (no early exit), so timing says nothing about which matched.
    matches = [same(hmac_hex(t, message), signature.lower()) for t in tokens]
    if not any(matches):
        raise InvalidSignature("The Lever signature does not match.")
    return None


def parse(request: InboundRequest, now: datetime) -> Delivery:
    data = load_json(request.body)
    event = text(data.get("event"), 100) or "unknown"
    token = text(data.get("token"), 180) or ""
    delivery = Delivery(key="token:" + token, kind=event)
    body = obj(data.get("data"))
    ref = text(body.get("opportunityId"), 100) or text(body.get("candidateId"), 100)
    at = from_millis(data.get("triggeredAt")) or now
    if ref is None:
        delivery.note = "No opportunity id in the payload."
        return delivery
    person = Person(ref=ref)
    if event == "candidateStageChange":
        person.stage = text(body.get("toStageId"), 100)
        delivery.changes.append(UpsertCandidate(person))
    elif event == "candidateHired":
        person.status = "hired"
        delivery.changes.append(UpsertCandidate(person))
    elif event == "candidateArchiveChange":
        archived = body.get("toArchived")
        person.status = "rejected" if isinstance(archived, dict) and archived else "active"
        delivery.changes.append(UpsertCandidate(person))
    elif event == "applicationCreated":
        delivery.changes.append(UpsertCandidate(person))
    elif event == "candidateDeleted":
        delivery.changes.append(EraseCandidate(ref))
    elif event in ("interviewCreated", "interviewUpdated", "interviewDeleted"):
        change = _interview(event, body, person, at)
        if change is None:
            delivery.note = "The interview payload carries no time; nothing recorded."
        else:
            delivery.changes.append(change)
    else:
        delivery.note = f"Event {event!r} is not used."
    return delivery


def _interview(
    event: str, body: dict[str, Any], person: Person, at: datetime
) -> RecordEvent | None:
    interview = obj(body.get("interview")) or body
    interview_id = text(body.get("interviewId"), 100) or text(interview.get("id"), 100)
    if interview_id is None:
        return None
    ref = "interview:" + interview_id
    base = {
        "direction": "outbound",
        "channel": meeting_channel(interview.get("location")),
        "type": "meeting",
        "occurred_at": at.isoformat(),
        "metadata": {"source": PROVIDER, "interview_id": interview_id},
    }
    if event == "interviewDeleted":
        event_body = {**base, "external_id": f"{PROVIDER}:{ref}:cancelled", "outcome": "cancelled"}
        return RecordEvent(event=event_body, person=person, via=(ref,), links=(ref,))
    start = from_millis(interview.get("date"))
    if start is None:
        return None
    event_body = {
        **base,
        "external_id": f"{PROVIDER}:{ref}:{start.isoformat()}",
        "outcome": "scheduled",
        "scheduled_for": start.isoformat(),
    }
    return RecordEvent(
        event=event_body, person=person, via=(ref,), links=(ref,), reschedule_ref=ref
    )
