"""Twilio Programmable Voice status callbacks.

`X-Twilio-Signature` = base64 HMAC-SHA1(auth token, full public URL + every POST parameter
name and value, sorted by name). The URL must be the one Twilio called: behind a proxy set
BASE_URL to the public origin. Only final statuses become call events (one per CallSid):
completed → connected (voicemail when answering-machine detection says so), no-answer,
busy, failed, canceled → no_answer. Inbound calls are the candidate calling us.
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from app.integrations.base import (
    Delivery,
    InboundRequest,
    InvalidSignature,
    RecordEvent,
    same,
    text,
)

PROVIDER = "twilio"

_FINAL = {
    "completed": "connected",
    "no-answer": "no_answer",
    "busy": "busy",
    "failed": "failed",
    "canceled": "no_answer",
}


def signature_for(url: str, params: dict[str, str], auth_token: str) -> str:
    """Twilio's request signature of a POST to `url` with `params`."""
    message = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), message.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(request: InboundRequest, secret: str, now: datetime) -> str | None:
    given = request.header("x-twilio-signature")
    if not given:
        raise InvalidSignature("Missing X-Twilio-Signature header.")
    if not same(signature_for(request.public_url, request.form, secret), given):
        raise InvalidSignature(
            "The Twilio signature does not match (is BASE_URL the public URL Twilio calls?)."
        )
    return None


def parse(request: InboundRequest, now: datetime) -> Delivery:
    params = request.form
    sid = text(params.get("CallSid"), 100)
    status = (text(params.get("CallStatus"), 30) or "unknown").lower()
    if sid is None:
        return Delivery(key="status:" + status, kind="call." + status, note="No CallSid.")
    outcome = _FINAL.get(status)
    if outcome is None:
        return Delivery(
            key=f"{sid}:{status}", kind="call." + status, note="Not a final status; ignored."
        )
    inbound = (params.get("Direction") or "").lower() == "inbound"
    number = params.get("From") if inbound else params.get("To")
    region = params.get("FromCountry") if inbound else params.get("ToCountry")
    if outcome == "connected" and (params.get("AnsweredBy") or "").startswith("machine"):
        outcome = "voicemail"
    occurred_at = _timestamp(params.get("Timestamp")) or now
    metadata: dict[str, str] = {"source": PROVIDER, "call_sid": sid}
    duration = text(params.get("CallDuration"), 12)
    if duration:
        metadata["duration_seconds"] = duration
    event = {
        "external_id": f"{PROVIDER}:{sid}",
        "direction": "inbound" if inbound else "outbound",
        "channel": "phone",
        "type": "call",
        "outcome": outcome,
        "occurred_at": occurred_at.isoformat(),
        "metadata": metadata,
    }
    change = RecordEvent(event=event, phone=number or "", phone_region=region)
    return Delivery(key=sid, kind="call." + status, changes=[change])


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
