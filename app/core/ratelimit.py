"""Rate limits and short-lived counters on the `limits` library.

Counters live in process memory by default, or in Redis when `REDIS_URL` is set, so that
several replicas share them. Each check counts *before* the work it guards (an atomic
increment), so a burst of parallel requests cannot all slip past one reading of the count.

If the shared store is unreachable the limits fail open (logged): they protect capacity and
slow guessing, and the per-account lockout in the database still holds. After a failure the
store is left alone for `RETRY_STORE_AFTER` seconds, so a dead Redis costs one timeout per
interval, not one per request.

API responses carry the IETF draft headers `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` (seconds); a refused request answers 429 with `Retry-After`.
"""

import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string

from app.core.errors import AppError
from app.core.logging import get_logger

log = get_logger("followthrough.ratelimit")

# Where a request's rate-limit state waits for the response headers (scope["state"]).
STATE_KEY = "rate_limit"
RETRY_STORE_AFTER = 5.0


class TooManyRequests(AppError):
    status, slug, title = 429, "too-many-requests", "Too Many Requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass(frozen=True)
class LimitState:
    """One check of one limit: whether it passed, and what the headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        values = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            values["Retry-After"] = str(max(1, self.reset_seconds))
        return values


class RateLimiter:
    """Fixed-window limits and counters over one `limits` storage."""

    def __init__(self, storage_uri: str | None = None, **options: Any) -> None:
        uri = storage_uri or "memory://"
        self.shared = not uri.startswith("memory://")
        if self.shared:
            # A slow store must not stall requests: give up quickly and fail open.
            options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, **options}
        self.storage: Storage = storage_from_string(  # type: ignore[assignment]
            uri, wrap_exceptions=True, **options
        )
        self._down_until = 0.0

    @staticmethod
    def parse(limit: str) -> RateLimitItem:
        return parse(limit)

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + RETRY_STORE_AFTER
        log.error("rate_limit_store_unavailable", error=str(exc)[:200])

    def hit(self, limit: str | RateLimitItem, *identifiers: str) -> LimitState:
        """Count one use against `limit` for `identifiers`, then say whether it was allowed."""
        item = parse(limit) if isinstance(limit, str) else limit
        key = item.key_for(*identifiers)
        open_state = LimitState(True, item.amount, item.amount, item.get_expiry())
        if not self._available():
            return open_state
        try:
            count = self.storage.incr(key, item.get_expiry())
            reset_at = self.storage.get_expiry(key)
        except StorageError as exc:
            self._failed(exc)
            return open_state
        return LimitState(
            allowed=count <= item.amount,
            limit=item.amount,
            remaining=max(0, item.amount - count),
            reset_seconds=max(0, math.ceil(reset_at - time.time())),
        )

    def refund(self, limit: str | RateLimitItem, *identifiers: str) -> None:
        """Give back one use (a sign-in that succeeded does not count as a failure)."""
        item = parse(limit) if isinstance(limit, str) else limit
        key = item.key_for(*identifiers)
        if not self._available():
            return
        try:
            if self.storage.get(key) > 0:
                self.storage.incr(key, item.get_expiry(), amount=-1)
        except StorageError as exc:
            self._failed(exc)

    def count(self, key: str, *, expiry_seconds: int) -> int:
        """Add one to a plain counter that expires `expiry_seconds` after its first use."""
        if not self._available():
            return 0
        try:
            return self.storage.incr(f"ft/{key}", expiry_seconds)
        except StorageError as exc:
            self._failed(exc)
            return 0

    def peek(self, key: str) -> tuple[int, float]:
        """A plain counter's value and when it expires (epoch seconds)."""
        if not self._available():
            return 0, 0.0
        try:
            value = self.storage.get(f"ft/{key}")
            return value, (self.storage.get_expiry(f"ft/{key}") if value else 0.0)
        except StorageError as exc:
            self._failed(exc)
            return 0, 0.0

    def clear(self, key: str) -> None:
        if not self._available():
            return
        try:
            self.storage.clear(f"ft/{key}")
        except StorageError as exc:
            self._failed(exc)


def limiter_for(redis_url: str | None, **options: Any) -> RateLimiter:
    """The process's limiter: Redis when configured (shared by replicas), else memory."""
    return RateLimiter(redis_url, **options)
