"""Outgoing webhooks: subscriptions, the outbox of messages, and every delivery attempt."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.candidates import models as _candidates_models  # noqa: F401  (tables our FKs name)
from app.core.db import Base
from app.core.ids import new_id, utcnow
from app.orgs import models as _orgs_models  # noqa: F401

EVENT_TYPES = ("candidate.flagged", "candidate.band_changed", "flag.cleared", "flag.dismissed")


def new_message_id() -> str:
    """A `webhook-id`: stable across every attempt of one message, so receivers dedupe."""
    return "msg_" + new_id()


class WebhookSubscription(Base):
    """An endpoint of the organisation's that receives the event types it names."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_org_enabled", "org_id", "enabled"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON)
    # Signing needs the raw secret, so it is sealed (core/sealing.py), not hashed; it is shown
    # once, when the subscription is made.
    secret_sealed: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookMessage(Base):
    """One event for one subscription, written in the transaction of the change (the outbox).

    `status`: `pending` (due at `next_attempt_at`), `delivered` or `failed` (gave up).
    A worker claims a message by moving `next_attempt_at` past a lease; if it dies before
    recording the outcome, the message falls due again when the lease runs out.
    """

    __tablename__ = "webhook_messages"
    __table_args__ = (
        Index("ix_webhook_messages_status_due", "status", "next_attempt_at"),
        Index("ix_webhook_messages_subscription_created", "subscription_id", "created_at"),
        Index("ix_webhook_messages_candidate", "candidate_id"),
        Index("ix_webhook_messages_org_subject", "org_id", "subject_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=new_message_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    # Erasing a candidate erases the messages about them (and their attempts).
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE")
    )
    # What the message is about (a flag's or a candidate's id): what was last announced about
    # it decides whether a change is news.
    subject_id: Mapped[str | None] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text, doc="The exact JSON body sent on every attempt")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookAttempt(Base):
    """One HTTP attempt to deliver a message: the delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        Index("ix_webhook_attempts_message", "message_id", "attempt"),
        Index("ix_webhook_attempts_subscription", "subscription_id", "attempted_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_messages.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
