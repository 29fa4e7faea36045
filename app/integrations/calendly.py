"""Calendly webhooks (invitee.created, invitee.canceled, invitee_no_show.created).

`Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(signing key, "t.body")>`;
a timestamp more than three minutes away is refused (replay window). The invitee books, so
a booking is the candidate acting (inbound); a cancellation is inbound when the invitee
cancelled and outbound when the host did; a reschedule arrives as a cancel (marked
`rescheduled`) plus a create naming the `old_invitee`, recorded once as `rescheduled`.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from app.integrations.base import (
    Delivery,
    InboundRequest,
    InvalidSignature,
    Person,
    RecordEvent,
    body_digest,
    hmac_hex,
    items,
    load_json,
    meeting_channel,
    obj,
    parse_time,
    same,
    text,
)

PROVIDER = "calendly"
TOLERANCE = timedelta(minutes=3)


def verify(request: InboundRequest, secret: str, now: datetime) -> str | None:
    parts: dict[str, str] = {}
    for piece in request.header("calendly-webhook-signature").split(","):
        name, _, value = piece.strip().partition("=")
        parts.setdefault(name, value)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not (timestamp and signature):
        raise InvalidSignature("Missing 'Calendly-Webhook-Signature: t=…,v1=…' header.")
    if not same(hmac_hex(secret, timestamp.encode() + b"." + request.body), signature.lower()):
        raise InvalidSignature("The Calendly signature does not match.")
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidSignature("The Calendly timestamp is not a number.") from None
    if abs(now - sent_at) > TOLERANCE:
        raise InvalidSignature("The Calendly timestamp is outside the replay window.")
    return None


def parse(request: InboundRequest, now: datetime) -> Delivery:
    data = load_json(request.body)
    kind = text(data.get("event"), 100) or "unknown"
    payload = obj(data.get("payload"))
    uri = text(payload.get("uri"), 150) or body_digest(request.body)
    delivery = Delivery(key=f"{kind}:{uri}", kind=kind)
    if kind not in ("invitee.created", "invitee.canceled", "invitee_no_show.created"):
        delivery.note = f"Event {kind!r} is not used."
        return delivery
    invitee = obj(payload.get("invitee")) if kind == "invitee_no_show.created" else payload
    if kind == "invitee_no_show.created" and not invitee:
        invitee = payload  # some payloads are the invitee with a `no_show` object
    email = text(invitee.get("email"), 320)
    invitee_uri = text(invitee.get("uri"), 150)
    if email is None or invitee_uri is None:
        delivery.note = "No invitee e-mail in the payload."
        return delivery
    person = Person(
        ref=email.lower(),
        name=text(invitee.get("name")),
        email=email,
        timezone=text(invitee.get("timezone"), 64),
    )
    scheduled = obj(invitee.get("scheduled_event")) or obj(payload.get("scheduled_event"))
    host = next(iter(items(scheduled.get("event_memberships"))), {})
    location = obj(scheduled.get("location"))
    base: dict[str, Any] = {
        "channel": meeting_channel(
            location.get("join_url"), location.get("type"), location.get("location")
        ),
        "type": "meeting",
        "metadata": {"source": PROVIDER, "invitee": invitee_uri},
    }
    invitee_id = invitee_uri.rstrip("/").rsplit("/", 1)[-1]
    if kind == "invitee.created":
        start = parse_time(scheduled.get("start_time"))
        if start is None:
            delivery.note = "The booking has no start time."
            return delivery
        event = {
            **base,
            "external_id": f"{PROVIDER}:{invitee_id}:created",
            "direction": "inbound",
            "outcome": "rescheduled" if invitee.get("old_invitee") else "scheduled",
            "scheduled_for": start.isoformat(),
            "occurred_at": (parse_time(invitee.get("created_at")) or now).isoformat(),
        }
    elif kind == "invitee.canceled":
        if invitee.get("rescheduled") is True:
            delivery.note = "Cancelled to reschedule; the new booking is recorded instead."
            return delivery
        cancellation = obj(invitee.get("cancellation"))
        by_invitee = str(cancellation.get("canceler_type") or "").lower() == "invitee"
        at = parse_time(cancellation.get("created_at")) or parse_time(invitee.get("updated_at"))
        event = {
            **base,
            "external_id": f"{PROVIDER}:{invitee_id}:canceled",
            "direction": "inbound" if by_invitee else "outbound",
            "outcome": "cancelled",
            "occurred_at": (at or now).isoformat(),
        }
    else:
        no_show = obj(invitee.get("no_show")) or payload
        at = parse_time(no_show.get("created_at")) or parse_time(scheduled.get("start_time"))
        event = {
            **base,
            "external_id": f"{PROVIDER}:{invitee_id}:no_show",
            "direction": "outbound",
            "outcome": "no_show",
            "occurred_at": (at or now).isoformat(),
        }
    delivery.changes.append(
        RecordEvent(event=event, person=person, recruiter_email=text(host.get("user_email"), 320))
    )
    return delivery
