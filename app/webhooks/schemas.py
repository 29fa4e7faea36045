from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

WebhookEventType = Literal[
    "candidate.flagged", "candidate.band_changed", "flag.cleared", "flag.dismissed"
]
DeliveryStatus = Literal["pending", "delivered", "failed"]


def _plain_url(value: str) -> str:
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError("a URL has no spaces or control characters")
    return value


def _no_control(value: str) -> str:
    if any((ord(ch) < 0x20 and ch not in "\t\n") or ord(ch) == 0x7F for ch in value):
        raise ValueError("no control characters other than tab and newline")
    return value


WebhookUrl = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_plain_url)]


class WebhookCreate(BaseModel):
    """A new subscription: where to send, and which events."""

    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl = Field(description="https endpoint that receives the events")
    events: list[WebhookEventType] = Field(min_length=1, max_length=4)
    description: Annotated[str, AfterValidator(_no_control)] = Field(default="", max_length=200)


class WebhookRead(BaseModel):
    """A subscription (the secret is only shown when it is created)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    description: str
    events: list[WebhookEventType]
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why the endpoint was disabled (by an admin, or after three days of failures)"
    )
    disabled_at: datetime | None
    last_success_at: datetime | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="The `whsec_…` signing secret, shown only this once")


class WebhookAttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    attempted_at: datetime
    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None


class WebhookDeliveryRead(BaseModel):
    """One message (one `webhook-id`) and its attempts, newest first in the log."""

    id: str = Field(description="The `webhook-id` header, the same on every attempt")
    event_type: WebhookEventType
    status: DeliveryStatus
    created_at: datetime
    attempt_count: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    last_error: str | None
    payload: str = Field(description="The exact JSON body that is signed and sent")
    attempts: list[WebhookAttemptRead]
