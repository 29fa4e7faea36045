"""Inbound integrations: connections, the deliveries they received, unmatched mail, and the
links from a provider's ids to our candidates."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id, utcnow


class IntegrationConnection(Base):
    """One provider account sending webhooks to one URL; the secret is stored encrypted."""

    __tablename__ = "integration_connections"
    __table_args__ = (Index("ix_integration_connections_org_id", "org_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # Fernet token of the secret (key derived from SECRET_KEY): signatures need the raw secret.
    secret_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntegrationDelivery(Base):
    """One authentic delivery, stored once per provider delivery id (`key`).

    `nonce` holds a one-time value the provider signs (Mailgun's token): a second request
    with it is a replay and refused. Deliveries with a bad signature are never stored.
    """

    __tablename__ = "integration_deliveries"
    __table_args__ = (
        UniqueConstraint("connection_id", "key"),
        UniqueConstraint("connection_id", "nonce"),
        Index("ix_integration_deliveries_connection_received", "connection_id", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("integration_connections.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))  # processed ignored unmatched error
    http_status: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    event_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnmatchedMail(Base):
    """Mail that matched no candidate: kept (raw) until someone assigns it, never dropped."""

    __tablename__ = "integration_unmatched_mail"
    __table_args__ = (
        Index(
            "ix_integration_unmatched_mail_connection", "connection_id", "assigned", "received_at"
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("integration_connections.id", ondelete="CASCADE")
    )
    message_id: Mapped[str | None] = mapped_column(String(998))
    sender: Mapped[str | None] = mapped_column(String(320))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The message as received, dropped once assigned (the event then holds what is kept).
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Erasing the candidate erases the mail assigned to them.
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE")
    )
    event_external_id: Mapped[str | None] = mapped_column(String(200))
    assigned_at: Mapped[datetime | None]


class IntegrationLink(Base):
    """A provider's id (candidate, application, interview) pointing at one of our candidates.

    When the candidate is erased the link stays with `candidate_id` NULL: a tombstone holding
    only the provider's id, so a late delivery never brings an erased candidate back.
    """

    __tablename__ = "integration_links"
    __table_args__ = (
        UniqueConstraint("org_id", "provider", "ref"),
        Index("ix_integration_links_candidate_id", "candidate_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(300))
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
