"""SQL for organisations, API keys and settings versions."""

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.orgs.models import ApiKey, Organisation, SettingsVersion


def get_api_key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))


def list_api_keys(session: Session, org_id: str) -> list[ApiKey]:
    stmt = select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.created_at, ApiKey.id)
    return list(session.scalars(stmt))


def get_api_key(session: Session, org_id: str, key_id: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.org_id == org_id, ApiKey.id == key_id))


def latest_settings(session: Session, org_id: str) -> SettingsVersion | None:
    stmt = (
        select(SettingsVersion)
        .where(SettingsVersion.org_id == org_id)
        .order_by(SettingsVersion.version.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def settings_version(session: Session, org_id: str, version: int) -> SettingsVersion | None:
    return session.scalar(
        select(SettingsVersion).where(
            SettingsVersion.org_id == org_id, SettingsVersion.version == version
        )
    )


def max_settings_version(session: Session, org_id: str) -> int:
    stmt = select(func.max(SettingsVersion.version)).where(SettingsVersion.org_id == org_id)
    return session.scalar(stmt) or 0


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.created_at)))


def get_organisation(session: Session, org_id: str) -> Organisation | None:
    return session.get(Organisation, org_id)


def touch_api_key(session: Session, key_id: str, *, now: datetime, older_than: datetime) -> None:
    """Set `last_used_at` unless it is recent or another transaction is setting it."""
    candidate = (
        select(ApiKey.id)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < older_than),
        )
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == candidate)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
