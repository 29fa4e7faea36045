"""Shared pydantic types for API input, with the bounds of contract §1.

- Ids and names carry no control character other than tab and newline (a CR/LF in a name
  once reached a mail header); no text at all carries NUL or a lone surrogate, which no
  database stores.
- Instants a client states (`occurred_at`, `scheduled_for`, `due_at`, `promised_by`) lie in
  2000-01-01 … now + 2 years; `as_of` in 2000-01-01 … now + 5 years.
- Free JSON (`metadata`) is at most 16 levels deep and 64 KiB as compact JSON.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, StringConstraints

from app.core.ids import utcnow
from app.core.timestamps import validate_timezone

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
INSTANT_HORIZON = timedelta(days=2 * 366)
AS_OF_HORIZON = timedelta(days=5 * 366)
METADATA_MAX_DEPTH = 16
METADATA_MAX_BYTES = 64 * 1024

# C0 and C1 controls and DEL, except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# NUL and lone surrogates: valid JSON escapes that neither PostgreSQL nor UTF-8 can store.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def reject_control_chars(value: str) -> str:
    """Refuse control characters (other than tab and newline) in a name or id."""
    found = _CONTROL.search(value) or _UNSTORABLE.search(value)
    if found is not None:
        raise ValueError(
            f"must not contain control characters (found U+{ord(found.group()):04X} "
            f"at position {found.start()})"
        )
    return value


def reject_unstorable(value: str) -> str:
    """Refuse NUL and lone surrogates in free text (nothing can store them)."""
    found = _UNSTORABLE.search(value)
    if found is not None:
        raise ValueError(
            f"must not contain U+{ord(found.group()):04X} (at position {found.start()})"
        )
    return value


def _latest(horizon: timedelta) -> datetime:
    return utcnow() + horizon


def check_instant_bounds(value: datetime, *, horizon: timedelta, what: str) -> datetime:
    """Return `value` in UTC if it lies in 2000-01-01 … now + horizon, else raise ValueError."""
    latest = _latest(horizon)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST <= utc <= latest:
        raise ValueError(
            f"{what} must lie between 2000-01-01 and {latest.date().isoformat()} "
            f"(now + {horizon.days // 366} years)"
        )
    return value


def _event_instant(value: datetime) -> datetime:
    return check_instant_bounds(value, horizon=INSTANT_HORIZON, what="timestamp")


def _as_of_instant(value: datetime) -> datetime:
    return check_instant_bounds(value, horizon=AS_OF_HORIZON, what="as_of")


def _json_depth_and_text(value: Any) -> int:
    """Depth of a JSON value (a scalar is 0); checks every string on the way, iteratively."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            depth += 1
            if depth > METADATA_MAX_DEPTH:
                return depth
            for key, item in node.items():
                reject_unstorable(str(key))
                stack.append((item, depth))
        elif isinstance(node, list):
            depth += 1
            if depth > METADATA_MAX_DEPTH:
                return depth
            stack.extend((item, depth) for item in node)
        elif isinstance(node, str):
            reject_unstorable(node)
        deepest = max(deepest, depth)
    return deepest


def check_json_document(value: dict[str, Any]) -> dict[str, Any]:
    """Bound free JSON: at most 16 levels deep, 64 KiB as compact JSON, storable text."""
    if _json_depth_and_text(value) > METADATA_MAX_DEPTH:
        raise ValueError(f"must be nested at most {METADATA_MAX_DEPTH} levels deep")
    try:
        size = len(json.dumps(value, separators=(",", ":"), allow_nan=False).encode())
    except ValueError:
        raise ValueError("must be plain JSON (no NaN or Infinity)") from None
    if size > METADATA_MAX_BYTES:
        raise ValueError(f"must be at most {METADATA_MAX_BYTES} bytes as JSON (is {size})")
    return value


ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(reject_control_chars),
]
Name = Annotated[str, AfterValidator(reject_control_chars)]
Text = Annotated[str, AfterValidator(reject_unstorable)]
TimeZoneName = Annotated[str, AfterValidator(validate_timezone)]
EventInstant = Annotated[AwareDatetime, AfterValidator(_event_instant)]
AsOfInstant = Annotated[AwareDatetime, AfterValidator(_as_of_instant)]
JsonDocument = Annotated[dict[str, Any], AfterValidator(check_json_document)]
