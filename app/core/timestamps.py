"""Timestamp rules: RFC 3339 with an offset in, UTC out; IANA time-zone names."""

from datetime import UTC, datetime
from zoneinfo import available_timezones

from app.core.errors import UnprocessableContent, field_error


def require_aware(value: datetime, *, field: str) -> datetime:
    """Reject a naive timestamp with a 422 problem; return it in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise UnprocessableContent(
            f"{field} must be an RFC 3339 timestamp with an offset (e.g. 2026-11-02T10:00:00Z).",
            errors=[field_error(f"query.{field}", "timestamp has no offset")],
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise UnprocessableContent(
            f"{field} is out of range.",
            errors=[field_error(f"query.{field}", "timestamp out of range")],
        ) from None


_ZONES = frozenset(available_timezones())


def validate_timezone(value: str) -> str:
    """Accept an IANA time-zone name, reject anything else with a clear message."""
    if value not in _ZONES:
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin")
    return value


def require_as_of(value: datetime, *, field: str = "as_of") -> datetime:
    """Check an `as_of` (offset, 2000-01-01 … now + 5 years; else 422); return it in UTC."""
    from app.core.schemas import AS_OF_HORIZON, check_instant_bounds

    value = require_aware(value, field=field)
    try:
        return check_instant_bounds(value, horizon=AS_OF_HORIZON, what=field)
    except ValueError as exc:
        raise UnprocessableContent(
            f"{field} is out of range: {exc}.", errors=[field_error(f"query.{field}", str(exc))]
        ) from None
