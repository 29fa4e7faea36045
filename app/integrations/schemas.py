from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import ExternalId

Provider = Literal["greenhouse", "lever", "ashby", "calendly", "twilio", "email"]
PROVIDERS: tuple[str, ...] = ("greenhouse", "lever", "ashby", "calendly", "twilio", "email")
# Providers that make the secret on their side: the connection cannot be created without it.
SECRET_REQUIRED = ("lever", "twilio")


class IntegrationCreate(BaseModel):
    """A new connection; give `secret` when the provider sets it (Lever, Twilio, Mailgun...)."""

    model_config = ConfigDict(extra="forbid")

    provider: Provider
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")
    secret: str | None = Field(
        default=None,
        min_length=8,
        max_length=2000,
        pattern=r"^[\x21-\x7e]+$",
        description="The provider's signing secret; generated when left out (not for "
        "Lever or Twilio, whose secret comes from them).",
    )


class IntegrationRead(BaseModel):
    id: str
    provider: Provider
    name: str
    webhook_url: str
    created_at: datetime
    deliveries: int = 0
    last_delivery_at: datetime | None = None
    unmatched: int = 0


class IntegrationCreated(IntegrationRead):
    secret: str = Field(description="Shown once: configure it at the provider now.")


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    key: str
    kind: str
    outcome: Literal["processed", "ignored", "unmatched", "error"]
    http_status: int
    detail: str | None
    event_ids: list[str]
    received_at: datetime


class DeliveryResult(BaseModel):
    """The answer to a provider's delivery."""

    status: Literal["processed", "duplicate", "ignored", "unmatched", "error"]
    delivery_id: str | None = None
    events: list[str] = Field(default_factory=list, description="External ids of events")
    unmatched_id: str | None = None
    detail: str | None = None


class UnmatchedMailRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    message_id: str | None
    sender: str | None
    recipients: list[str]
    subject: str | None
    occurred_at: datetime
    received_at: datetime
    assigned: bool
    candidate_id: str | None
    event_external_id: str | None
    assigned_at: datetime | None


class UnmatchedAssign(BaseModel):
    """Assign a kept message to a candidate; the direction is read from the sender unless set."""

    model_config = ConfigDict(extra="forbid")

    candidate_id: str | None = Field(default=None, max_length=64)
    candidate_external_id: ExternalId | None = None
    direction: Literal["inbound", "outbound"] | None = None
