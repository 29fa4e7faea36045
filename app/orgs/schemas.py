from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.orgs.scoring_settings import ScoringSettingsDocument

Scope = Literal["events:write", "read", "admin"]


class ScoringSettingsRead(ScoringSettingsDocument):
    version: int
    updated_at: datetime


class ScoringSettingsUpdate(ScoringSettingsDocument):
    """The whole document; `version` and `updated_at` from a previous GET are ignored."""

    version: int | None = Field(default=None, exclude=True)
    updated_at: datetime | None = Field(default=None, exclude=True)


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(min_length=1)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None = Field(
        default=None, description="When the key was last used (to the minute)."
    )
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    api_key: str = Field(description="The key itself; shown only once.")
