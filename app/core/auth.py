"""API keys: generation, hashing and scopes.

A key looks like `ft_<prefix>_<secret>`; only its SHA-256 is stored, so a leaked database
does not leak usable keys. High-entropy random keys need no slow hash.
"""

import hashlib
import secrets
import threading
from dataclasses import dataclass
from time import monotonic
from typing import Protocol

from sqlalchemy.orm import Session

SCOPES = ("events:write", "read", "admin")
# `admin` manages the organisation and implies the other scopes.
IMPLIED = {"admin": {"events:write", "read", "admin"}}


@dataclass(frozen=True)
class Principal:
    """Who is calling: an organisation, and the scopes granted to this credential."""

    org_id: str
    scopes: frozenset[str]
    api_key_id: str | None = None
    user_id: str | None = None
    # How the audit log names this caller (a key's name and prefix, a user's email).
    label: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes


class ApiKeyStore(Protocol):
    """Where keys live (the orgs domain): look one up, and note that it was used."""

    def authenticate_api_key(self, session: Session, *, key: str) -> Principal | None:
        """The key's principal, or None when unknown or revoked."""

    def note_api_key_use(self, session: Session, *, key_id: str) -> None:
        """Record that the key was used just now (cheaply; not on every request)."""


def expand_scopes(scopes: list[str]) -> frozenset[str]:
    granted: set[str] = set()
    for scope in scopes:
        granted |= IMPLIED.get(scope, {scope})
    return frozenset(granted)


def generate_api_key() -> tuple[str, str, str]:
    """Return (full key, display prefix, hash)."""
    prefix = secrets.token_hex(4)
    key = f"ft_{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_api_key(key)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class PrincipalCache:
    """Valid keys' principals by key hash, each kept `ttl` seconds.

    Saves the key query on most requests; a revocation takes effect in this process at once
    (`forget`) and in every other process within `ttl` seconds.
    """

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Principal | None:
        entry = self._entries.get(key_hash)
        if entry is None or entry[0] <= monotonic():
            return None
        return entry[1]

    def put(self, key_hash: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key_hash] = (monotonic() + self.ttl, principal)

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()


PRINCIPALS = PrincipalCache()
