"""Identifiers and clocks."""

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """Return a new opaque object id (UUID4, hex)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)
