"""Process settings, read from the environment (and an optional `.env` file)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDER_SECRET = "change-me-dev-only-secret"


class Settings(BaseSettings):
    """Everything the service reads from its environment; nothing else reads os.environ."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./followthrough.db"
    secret_key: SecretStr = SecretStr(_PLACEHOLDER_SECRET)
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    smtp_url: str | None = None
    mail_from: str = "Followthrough <reports@followthrough.invalid>"
    base_url: str = "http://127.0.0.1:8000"
    demo_scenarios_dir: str | None = None
    # Run background tasks (derivation, periodic jobs) inside `serve`; default: on SQLite only
    # (PostgreSQL deployments run `followthrough worker` processes instead).
    worker_in_process: bool | None = None

    @model_validator(mode="after")
    def _no_placeholder_secret_in_production(self) -> "Settings":
        if self.environment == "production" and (
            self.secret_key.get_secret_value() == _PLACEHOLDER_SECRET
        ):
            raise ValueError("SECRET_KEY must be set to a real secret in production")
        return self

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
