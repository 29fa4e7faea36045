"""Connection secrets, sealed at rest with `app.core.sealing` under this package's context.

Checking a provider's HMAC needs the raw secret, so it is stored encrypted (never hashed,
never in clear). Changing SECRET_KEY makes the stored secrets unreadable: reconnect then.
"""

import secrets

from app.core import sealing

CONTEXT = b"followthrough/integrations/secret/v1"


def seal(secret: str, *, secret_key: str) -> str:
    return sealing.seal(secret, secret_key=secret_key, context=CONTEXT)


def unseal(sealed: str, *, secret_key: str) -> str | None:
    """The secret, or None when SECRET_KEY changed since it was sealed."""
    return sealing.unseal(sealed, secret_key=secret_key, context=CONTEXT)


def generate_secret() -> str:
    return secrets.token_urlsafe(32)
