"""API keys: generation, hashing and scopes.

A key looks like `ft_<prefix>_<secret>`; only its SHA-256 is stored, so a leaked database
does not leak usable keys. High-entropy random keys need no slow hash.
"""

import hashlib
import secrets
from dataclasses import dataclass
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
