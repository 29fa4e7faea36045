from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id, utcnow


class Event(Base):
    """One contact touchpoint, as posted by an integration (idempotent on external_id)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_events_org_candidate_occurred", "org_id", "candidate_id", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    recruiter_external_id: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    scheduled_for: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    promised_by: Mapped[datetime | None]
    in_reply_to: Mapped[str | None] = mapped_column(String(200))
    fulfills: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    body_redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    expects_reply: Mapped[bool] = mapped_column(Boolean, default=True)
    event_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    intents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(8))
    intents_available: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    needs_reply: Mapped[bool | None] = mapped_column(Boolean)
    body_key: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Exchange(Base):
    """A stored exchange (attempts until a response), rebuilt whenever the events change."""

    __tablename__ = "exchanges"
    __table_args__ = (
        UniqueConstraint("candidate_id", "seq"),
        Index("ix_exchanges_org_candidate", "org_id", "candidate_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime]
    opening_event_id: Mapped[str] = mapped_column(String(32))
    attempt_event_ids: Mapped[list[str]] = mapped_column(JSON)
    responded_at: Mapped[datetime | None]
    response_event_id: Mapped[str | None] = mapped_column(String(32))
    paused: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    latency_seconds: Mapped[int | None] = mapped_column(Integer)
    business_seconds: Mapped[int | None] = mapped_column(Integer)
    counts_for_latency: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
