from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class DirtyCandidate(Base):
    """A candidate whose facts changed after their derived state was last computed.

    Writers upsert the row (bumping `generation`) in the transaction that changes the facts;
    a deriver deletes it only if `generation` is still the one it read before deriving, so a
    change that lands meanwhile is never lost. `marked_at` is the first unprocessed change.

    `affected_from` is the earliest instant the unprocessed changes can affect (the earliest
    `occurred_at` of the events stored since): derivation keeps what lies wholly before it.
    NULL means "from the beginning" (a new candidate, a new time zone, a change the writer
    could not place in time); merging two marks keeps the earlier instant, and NULL wins.
    """

    __tablename__ = "dirty_candidates"
    __table_args__ = (Index("ix_dirty_candidates_org_marked", "org_id", "marked_at"),)

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    marked_at: Mapped[datetime]
    generation: Mapped[int] = mapped_column(Integer, default=1)
    affected_from: Mapped[datetime | None]
