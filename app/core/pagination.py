"""Opaque cursors for keyset pagination: `?limit=` and `?cursor=`."""

import base64
import json
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from app.core.errors import BadRequest

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class PageParams(BaseModel):
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, types: tuple[type, ...]) -> list[Any]:
    """Decode a cursor made by `encode_cursor` with values of `types`; else a 400 problem."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not valid; use next_cursor from a previous page.") from exc
    if (
        not isinstance(key, list)
        or len(key) != len(types)
        or not all(type(v) is t for v, t in zip(key, types, strict=True))
    ):
        raise BadRequest("The cursor is not valid; use next_cursor from a previous page.")
    return key


def decode_time_cursor(cursor: str) -> tuple[datetime, str]:
    """Decode an (instant, id) cursor, the key of lists ordered by time; else a 400 problem."""
    stamp, row_id = decode_cursor(cursor, types=(str, str))
    try:
        instant = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise BadRequest("The cursor is not valid; use next_cursor from a previous page.") from exc
    if instant.tzinfo is None:
        raise BadRequest("The cursor is not valid; use next_cursor from a previous page.")
    return instant, row_id
