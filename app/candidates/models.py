from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id, utcnow


class Candidate(Base):
    """A candidate, with the summary of their contact history kept up to date on write."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_candidates_org_recruiter", "org_id", "recruiter_external_id"),
        Index("ix_candidates_org_status", "org_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str | None] = mapped_column(String(64))
    recruiter_external_id: Mapped[str | None] = mapped_column(String(200))
    job: Mapped[str | None] = mapped_column(String(300))
    stage: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Derived on write from the candidate's events (see events/service.py).
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    last_outbound_at: Mapped[datetime | None]
    waiting_since: Mapped[datetime | None]
    derived_settings_version: Mapped[int] = mapped_column(Integer, default=0)
