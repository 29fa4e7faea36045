from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    occurred_at: datetime
    actor_type: Literal["user", "api_key", "system"]
    actor_id: str | None
    actor_label: str | None
    action: str
    target: str | None
    detail: dict[str, Any]
