"""Connection secrets, sealed with a key derived from SECRET_KEY.

Verifying an HMAC needs the raw secret, so it cannot be stored as a one-way hash the way API
keys are. It is stored as a Fernet token (AES-128-CBC + HMAC-SHA256) whose key is derived
from the application's SECRET_KEY: a leaked database alone does not leak usable secrets.
Changing SECRET_KEY makes the stored secrets unreadable; recreate the connections then.
"""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken

_CONTEXT = b"followthrough/integrations/secret/v1"


def _fernet(secret_key: str) -> Fernet:
    derived = hashlib.sha256(_CONTEXT + b"\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret: str, *, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode("ascii")


def unseal(sealed: str, *, secret_key: str) -> str | None:
    """The secret, or None when SECRET_KEY changed since it was sealed."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None


def generate_secret() -> str:
    return secrets.token_urlsafe(32)
