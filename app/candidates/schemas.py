from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.core.schemas import ExternalId, Name, Text, TimeZoneName

CandidateStatus = Literal["active", "on_hold", "hired", "rejected", "withdrawn"]


class CandidateUpsert(BaseModel):
    """A candidate as an ATS knows them; on update only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    external_id: ExternalId
    name: Name | None = Field(default=None, max_length=300)
    email: EmailStr | None = None
    phone: Name | None = Field(default=None, max_length=64)
    timezone: TimeZoneName | None = None
    recruiter_external_id: ExternalId | None = None
    job: Text | None = Field(default=None, max_length=300)
    stage: Name | None = Field(default=None, max_length=100)
    status: CandidateStatus = "active"


class CandidateInline(CandidateUpsert):
    """An inline candidate on an event; `external_id` may be left out."""

    external_id: ExternalId | None = None  # type: ignore[assignment]


class CandidateSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    external_id: str
    name: str | None
    email: str | None
    phone: str | None
    timezone: str | None
    recruiter_external_id: str | None
    job: str | None
    stage: str | None
    status: CandidateStatus
    created_at: datetime
    updated_at: datetime
    last_inbound_at: datetime | None
    last_outbound_at: datetime | None
