"""Process settings, read from the environment (and an optional `.env` file)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDER_SECRET = "change-me-dev-only-secret"
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    """Everything the service reads from its environment; nothing else reads os.environ."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./followthrough.db"
    secret_key: SecretStr = SecretStr(_PLACEHOLDER_SECRET)
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # At most 20 connections per process as before, but 16 stay open: a connection beyond
    # the pool size is closed when returned, so a steady 16 concurrent requests (the
    # benchmark's) would otherwise reconnect on one request in ten.
    db_pool_size: int = Field(default=16, ge=1)
    db_max_overflow: int = Field(default=4, ge=0)
    db_pool_timeout: float = Field(default=10, gt=0)
    smtp_url: str | None = None
    mail_from: str = "Followthrough <reports@followthrough.invalid>"
    base_url: str = "http://127.0.0.1:8000"
    demo_scenarios_dir: str | None = None
    # Run background tasks (derivation, periodic jobs) inside `serve`; default: on SQLite only
    # (PostgreSQL deployments run `followthrough worker` processes instead).
    worker_in_process: bool | None = None
    # Outgoing webhooks (app/webhooks): private/loopback targets and plain http are refused
    # unless allowed here (tests and local development set WEBHOOKS_ALLOW_PRIVATE=true).
    webhooks_allow_private: bool = False
    webhooks_allow_http: bool = False
    webhooks_deliver_in_process: bool = False
    webhooks_poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    webhooks_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhooks_retry_hours: float = Field(default=72.0, gt=0)
    webhooks_log_days: int = Field(default=30, ge=1)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn's semantics):
    # comma-separated addresses or networks, "*" for any. Nobody else can claim an address.
    forwarded_allow_ips: str = "127.0.0.1"
    # When set, GET /metrics wants `Authorization: Bearer <token>`.
    metrics_token: SecretStr | None = None
    # Shared rate-limit counters for several replicas; in-process memory when unset.
    redis_url: str | None = None
    # Rate limits in the `limits` notation ("<amount> per <n> <unit>"); generous defaults.
    rate_limit_api_key: str = "1200 per minute"
    rate_limit_login_address: str = "30 per 15 minutes"
    rate_limit_login_account: str = "10 per minute"
    # Provider deliveries (`/api/v1/integrations/{id}/webhook`), per connection.
    rate_limit_integration: str = "1200 per minute"

    @field_validator(
        "rate_limit_api_key",
        "rate_limit_login_address",
        "rate_limit_login_account",
        "rate_limit_integration",
    )
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # raises ValueError on nonsense
        return value

    @model_validator(mode="after")
    def _no_placeholder_secret_in_production(self) -> "Settings":
        if self.environment == "production" and self.secret_is_weak:
            raise ValueError(
                f"SECRET_KEY must be a real secret of at least {MIN_SECRET_BYTES} bytes in "
                "production (generate one: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return self

    @property
    def secret_is_weak(self) -> bool:
        """The placeholder secret, or one too short to sign sessions safely."""
        secret = self.secret_key.get_secret_value()
        return secret == _PLACEHOLDER_SECRET or len(secret.encode()) < MIN_SECRET_BYTES

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def runs_worker_in_process(self) -> bool:
        return self.is_sqlite if self.worker_in_process is None else self.worker_in_process


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (tests clear the cache or build their own)."""
    return Settings()


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the service on this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_secret_for_host(settings: Settings, host: str) -> None:
    """Refuse to serve sessions signed with a weak secret beyond this machine."""
    if settings.secret_is_weak and not is_loopback(host):
        raise ValueError(
            f"Refusing to serve on {host}: SECRET_KEY is the development placeholder or "
            f"shorter than {MIN_SECRET_BYTES} bytes, so anyone could forge a session. Set "
            "SECRET_KEY (python -c 'import secrets; print(secrets.token_urlsafe(48))'), or "
            "bind to 127.0.0.1."
        )
