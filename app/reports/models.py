from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id, utcnow


class ReportSend(Base):
    """A weekly report delivered to one recruiter; at most one per (recruiter, week)."""

    __tablename__ = "report_sends"
    __table_args__ = (UniqueConstraint("org_id", "recruiter_external_id", "week"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    recruiter_external_id: Mapped[str] = mapped_column(String(200))
    week: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
