"""Turn pydantic validation errors into one 422 problem with an `errors` list."""

from collections.abc import Sequence
from typing import Any

from app.core.errors import BadRequest, UnprocessableContent


def _loc(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_problem(
    errors: Sequence[Any], *, prefix: str | None = None
) -> UnprocessableContent | BadRequest:
    """Build the problem for a list of pydantic errors (malformed JSON is a 400)."""
    items = []
    for err in errors:
        if err.get("type") == "json_invalid":
            return BadRequest("The request body is not valid JSON.")
        loc = _loc(err.get("loc", ()))
        field = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        message = str(err.get("msg", "invalid"))
        if err.get("type") == "timezone_aware":
            message = "timestamp must have an offset (RFC 3339), e.g. 2026-11-02T10:00:00Z"
        items.append({"field": field, "message": message, "type": err.get("type")})
    fields = ", ".join(sorted({i["field"] for i in items if i["field"]})) or "the body"
    return UnprocessableContent(f"Invalid input in {fields}.", errors=items)
