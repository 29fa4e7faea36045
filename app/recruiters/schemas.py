from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.core.schemas import ExternalId, Name, TimeZoneName


class RecruiterUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: ExternalId
    name: Name = Field(min_length=1, max_length=300)
    email: EmailStr | None = None
    timezone: TimeZoneName | None = None


class RecruiterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    external_id: str
    name: str
    email: str | None
    timezone: str | None
    created_at: datetime
    updated_at: datetime
