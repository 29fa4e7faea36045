"""Timestamp rules: RFC 3339 with an offset in, UTC out."""

from datetime import UTC, datetime

from app.core.errors import UnprocessableContent, field_error


def require_aware(value: datetime, *, field: str) -> datetime:
    """Reject a naive timestamp with a 422 problem; return it in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise UnprocessableContent(
            f"{field} must be an RFC 3339 timestamp with an offset (e.g. 2026-11-02T10:00:00Z).",
            errors=[field_error(f"query.{field}", "timestamp has no offset")],
        )
    return value.astimezone(UTC)


def to_utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None
