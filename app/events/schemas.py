from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.candidates.schemas import CandidateInline
from app.core.schemas import EventInstant, ExternalId, JsonDocument, Text

Direction = Literal["inbound", "outbound"]
Channel = Literal["email", "phone", "sms", "chat", "video", "in_person", "ats", "other"]
EventType = Literal["message", "call", "meeting", "request"]
Outcome = Literal[
    "connected",
    "no_answer",
    "voicemail",
    "busy",
    "failed",
    "scheduled",
    "attended",
    "no_show",
    "rescheduled",
    "cancelled",
]
_OUTCOMES = {
    "call": {"connected", "no_answer", "voicemail", "busy", "failed"},
    "meeting": {"scheduled", "attended", "no_show", "rescheduled", "cancelled"},
}
MAX_TEXT = 100_000


class EventCreate(BaseModel):
    """One contact touchpoint; `external_id` is the idempotency key."""

    model_config = ConfigDict(extra="forbid")

    external_id: ExternalId
    candidate_external_id: ExternalId
    recruiter_external_id: ExternalId | None = None
    direction: Direction
    channel: Channel
    type: EventType
    outcome: Outcome | None = None
    occurred_at: EventInstant
    scheduled_for: EventInstant | None = None
    due_at: EventInstant | None = None
    in_reply_to: ExternalId | None = None
    fulfills: ExternalId | None = None
    subject: Text | None = Field(
        default=None,
        max_length=2000,
        description="Stored whole; intents are read from its first 1,000 characters.",
    )
    body: Text | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description=(
            "Stored whole (unless the organisation redacts bodies); intents are read from the "
            "first 20,000 characters after whitespace runs are collapsed, in linear time."
        ),
    )
    auto_reply: bool = False
    expects_reply: bool = True
    promised_by: EventInstant | None = None
    metadata: JsonDocument | None = Field(
        default=None, description="Free JSON object, at most 16 levels deep and 64 KiB"
    )
    candidate: CandidateInline | None = None

    @model_validator(mode="after")
    def _check_type_rules(self) -> "EventCreate":
        allowed = _OUTCOMES.get(self.type)
        if allowed is not None:
            if self.outcome is None:
                raise ValueError(f"outcome is required for a {self.type}")
            if self.outcome not in allowed:
                raise ValueError(
                    f"outcome {self.outcome!r} is not valid for a {self.type}; "
                    f"use one of {', '.join(sorted(allowed))}"
                )
        elif self.outcome is not None:
            raise ValueError(f"outcome is only for calls and meetings, not a {self.type}")
        if (
            self.type == "meeting"
            and self.outcome in ("scheduled", "rescheduled")
            and self.scheduled_for is None
        ):
            raise ValueError(f"scheduled_for is required for a {self.outcome} meeting")
        if self.type == "request" and self.due_at is None:
            raise ValueError("due_at is required for a request")
        if (
            self.candidate is not None
            and self.candidate.external_id is not None
            and self.candidate.external_id != self.candidate_external_id
        ):
            raise ValueError("candidate.external_id must equal candidate_external_id")
        return self


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[Any] = Field(
        max_length=1000, description="Up to 1000 events, each as for POST /events"
    )


class IntentRead(BaseModel):
    intent: str
    evidence: str
    due_at: datetime | None = None
    until: datetime | None = None


class EventRead(BaseModel):
    id: str
    external_id: str
    candidate_id: str
    candidate_external_id: str
    recruiter_external_id: str | None
    direction: Direction
    channel: Channel
    type: EventType
    outcome: Outcome | None
    occurred_at: datetime
    scheduled_for: datetime | None
    due_at: datetime | None
    in_reply_to: str | None
    fulfills: str | None
    subject: str | None
    body: str | None
    body_redacted: bool
    auto_reply: bool
    expects_reply: bool
    promised_by: datetime | None
    metadata: dict[str, Any] | None
    intents: list[IntentRead]
    language: str | None = Field(
        default=None,
        description="ISO 639-1 language detected in an inbound message (null otherwise or "
        "when the text has too few letters to tell).",
    )
    intents_available: bool = Field(
        default=True,
        description="False when the message is in a language the classifier does not read "
        "(supported: en, es, de, fr, pt); it then has no intents and no intent-based signal.",
    )
    received_at: datetime
    needs_reply: bool | None = Field(
        default=None,
        description="Inbound only: whether it needs an answer from the recruiting side "
        "(a question, a request, a scheduling proposal, a decline); opens the mirror view's "
        "waiting-on-us clock",
    )
    duplicate_of: str | None = Field(
        default=None,
        description="Timeline only: the external_id of the first copy when this event is the "
        "same message synced twice (same channel and body within 10 minutes); it counts for "
        "nothing",
    )


class EventWriteResult(EventRead):
    created: bool


class BatchItemResult(BaseModel):
    status: int
    id: str | None = None
    external_id: str | None = None
    created: bool | None = None
    problem: dict[str, Any] | None = None


class BatchResult(BaseModel):
    results: list[BatchItemResult]


class ExchangeRead(BaseModel):
    index: int
    opened_at: datetime
    responded_at: datetime | None
    open: bool
    attempts: int
    attempt_event_ids: list[str]
    opening_event_id: str
    response_event_id: str | None
    latency_seconds: int
    business_seconds: int
    paused: list[list[datetime]] = Field(
        default_factory=list,
        description="Announced absences and the wait for a meeting, left out of business time",
    )
    meeting_wait: list[datetime] | None = Field(
        default=None,
        description="Opened by a meeting invitation and not answered before the meeting: "
        "from the invitation to the meeting",
    )
    counts_for_latency: bool = Field(
        default=True,
        description="False while open, and for an exchange only attending the meeting closed",
    )


class WaitingRead(BaseModel):
    opened_at: datetime
    opening_event_id: str
    closed_at: datetime | None
    closing_event_id: str | None
    business_seconds: int


class PromiseRead(BaseModel):
    event_id: str
    made_at: datetime
    promised_by: datetime
    kept_at: datetime | None
    overdue: bool


class MirrorRead(BaseModel):
    """The recruiting side's own responsiveness towards this candidate."""

    waiting_on_us: WaitingRead | None
    waiting: list[WaitingRead]
    promises: list[PromiseRead]
    overdue_promises: int


class TimelineRead(BaseModel):
    candidate_id: str
    as_of: datetime
    events: list[EventRead]
    exchanges: list[ExchangeRead]
    candidate_initiated: list[str]
    mirror: MirrorRead
