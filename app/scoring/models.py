from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id, utcnow


class CandidateScore(Base):
    """The latest stored evaluation of a candidate, served to the pipeline without rescoring."""

    __tablename__ = "candidate_scores"
    __table_args__ = (
        Index("ix_candidate_scores_org_rank", "org_id", "rank", "candidate_id"),
        Index("ix_candidate_scores_org_valid_until", "org_id", "valid_until"),
        Index("ix_candidate_scores_org_computed_as_of", "org_id", "computed_as_of"),
        Index("ix_candidate_scores_org_settings_version", "org_id", "settings_version"),
    )

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    score: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(Integer, doc="Sort key: least responsive first")
    flag_codes: Mapped[str] = mapped_column(String(400), default="")
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_action: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    next_action_due_at: Mapped[datetime | None]
    median_reply_business_hours: Mapped[float | None] = mapped_column(Float)
    settings_version: Mapped[int] = mapped_column(Integer)
    computed_as_of: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Flag(Base):
    """A negative signal raised on evidence; its identity is (candidate, code, evidence)."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("candidate_id", "key"),
        Index("ix_flags_org_candidate", "org_id", "candidate_id"),
        Index("ix_flags_org_raised", "org_id", "raised_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text)
    clears_when: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON)
    evidence_external_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    raised_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cleared_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoreChange(Base):
    """One change of a candidate's score or band, with the signals that changed."""

    __tablename__ = "score_changes"
    __table_args__ = (Index("ix_score_changes_org_candidate_at", "org_id", "candidate_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    score: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    previous_score: Mapped[int | None] = mapped_column(Integer)
    previous_band: Mapped[str | None] = mapped_column(String(20))
    settings_version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    signals_added: Mapped[list[str]] = mapped_column(JSON, default=list)
    signals_removed: Mapped[list[str]] = mapped_column(JSON, default=list)
