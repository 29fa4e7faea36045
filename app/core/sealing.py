"""Secrets the service must be able to read back (to sign or verify an HMAC), sealed at rest.

They cannot be one-way hashes the way API keys are, so they are stored as Fernet tokens
(AES-128-CBC + HMAC-SHA256) under a key derived from SECRET_KEY and a per-use context: a
leaked database alone does not leak usable secrets. Changing SECRET_KEY makes them unreadable.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret_key: str, context: bytes) -> Fernet:
    derived = hashlib.sha256(context + b"\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret: str, *, secret_key: str, context: bytes) -> str:
    """Encrypt `secret` for storage."""
    return _fernet(secret_key, context).encrypt(secret.encode()).decode("ascii")


def unseal(sealed: str, *, secret_key: str, context: bytes) -> str | None:
    """The secret, or None when SECRET_KEY (or the context) differs from when it was sealed."""
    try:
        return _fernet(secret_key, context).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None
