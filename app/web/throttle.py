"""A per-address limiter for failed sign-ins, kept in memory (one process's view).

The per-account lockout (`users/service.py`) stops guessing one password; this stops one
address from trying many accounts. Behind several workers each counts on its own, which
still bounds an attacker to workers times `max_failures` tries per window.
"""

import threading
from collections import deque
from datetime import datetime, timedelta


class LoginThrottle:
    """Refuse sign-ins from an address after `max_failures` failures within `window`."""

    def __init__(self, *, max_failures: int = 20, window: timedelta = timedelta(minutes=15)):
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def is_blocked(self, key: str, now: datetime) -> bool:
        with self._lock:
            blocked = len(self._prune(key, now)) >= self.max_failures
            if not self._failures.get(key):
                self._failures.pop(key, None)
            return blocked

    def record_failure(self, key: str, now: datetime) -> None:
        with self._lock:
            self._prune(key, now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spray of addresses
                oldest = next(iter(self._failures))
                self._failures.pop(oldest, None)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
