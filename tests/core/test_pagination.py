"""Cursors: what encode_cursor makes decodes; anything else is a 400 problem."""

from datetime import UTC, datetime

import pytest

from app.core.errors import BadRequest
from app.core.pagination import decode_time_cursor, encode_cursor


def test_a_time_cursor_round_trips() -> None:
    at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert decode_time_cursor(encode_cursor([at.isoformat(), "row-1"])) == (at, "row-1")


@pytest.mark.parametrize(
    "key",
    [["not a time", "row-1"], ["2026-11-30T12:00:00", "row-1"], ["2026-11-30T12:00:00Z"], [1, "x"]],
)
def test_a_forged_time_cursor_is_a_bad_request(key: list[object]) -> None:
    with pytest.raises(BadRequest):
        decode_time_cursor(encode_cursor(key))
