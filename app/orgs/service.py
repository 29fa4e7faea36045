"""Organisations, API keys and the versioned scoring settings document."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.core.auth import (
    PRINCIPALS,
    SCOPES,
    Principal,
    expand_scopes,
    generate_api_key,
    hash_api_key,
)
from app.core.errors import NotFound, UnprocessableContent, field_error
from app.core.ids import utcnow
from app.orgs import repository
from app.orgs.models import ApiKey, Organisation, SettingsVersion
from app.orgs.scoring_settings import ScoringSettingsDocument


@dataclass(frozen=True)
class CurrentSettings:
    version: int
    document: ScoringSettingsDocument
    record: SettingsVersion


def create_organisation(session: Session, *, name: str) -> tuple[Organisation, str]:
    """Create an organisation with default settings and an admin key; return (org, key)."""
    org = Organisation(name=name)
    session.add(org)
    session.flush()
    session.add(
        SettingsVersion(
            org_id=org.id, version=1, document=ScoringSettingsDocument().model_dump(mode="json")
        )
    )
    _, key = create_api_key(session, org_id=org.id, name="initial admin key", scopes=["admin"])
    return org, key


def create_api_key(
    session: Session, *, org_id: str, name: str, scopes: list[str]
) -> tuple[ApiKey, str]:
    """Create an API key with the given scopes; the plain key is returned only here."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise UnprocessableContent(
            f"Scopes must be a non-empty subset of {', '.join(SCOPES)}.",
            errors=[field_error("body.scopes", f"unknown scope(s): {', '.join(unknown)}")],
        )
    key, prefix, key_hash = generate_api_key()
    record = ApiKey(
        org_id=org_id,
        name=name,
        prefix=prefix,
        key_hash=key_hash,
        scopes=" ".join(sorted(set(scopes))),
    )
    session.add(record)
    session.flush()
    return record, key


def revoke_api_key(session: Session, *, org_id: str, key_id: str) -> ApiKey:
    record = repository.get_api_key(session, org_id, key_id)
    if record is None:
        raise NotFound("No such API key.")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    PRINCIPALS.forget()
    return record


def list_api_keys(session: Session, *, org_id: str) -> list[ApiKey]:
    return repository.list_api_keys(session, org_id)


def authenticate_api_key(session: Session, *, key: str) -> Principal | None:
    record = repository.get_api_key_by_hash(session, hash_api_key(key))
    if record is None or record.revoked_at is not None:
        return None
    return Principal(
        org_id=record.org_id,
        scopes=expand_scopes(record.scope_list),
        api_key_id=record.id,
        label=f"{record.name} (ft_{record.prefix}_…)",
    )


KEY_USE_RESOLUTION = timedelta(minutes=1)
_key_use_noted: dict[str, datetime] = {}


def note_api_key_use(session: Session, *, key_id: str, now: datetime | None = None) -> None:
    """Record when a key was last used, writing at most once a minute per key.

    A per-process memo skips the database for most requests; the conditional UPDATE (which
    skips a row another transaction holds) keeps several processes to about one write a
    minute without ever waiting on each other.
    """
    now = now or utcnow()
    last = _key_use_noted.get(key_id)
    if last is not None and now - last < KEY_USE_RESOLUTION:
        return
    if len(_key_use_noted) > 10_000:
        _key_use_noted.clear()
    _key_use_noted[key_id] = now
    repository.touch_api_key(session, key_id, now=now, older_than=now - KEY_USE_RESOLUTION)


def get_current_settings(session: Session, *, org_id: str) -> CurrentSettings:
    record = repository.latest_settings(session, org_id)
    if record is None:
        raise NotFound("The organisation has no settings.")
    # Versions never change once written, so each is parsed once per process.
    key = (org_id, record.version)
    document = _documents.get(key)
    if document is None:
        document = ScoringSettingsDocument.model_validate(record.document)
        if len(_documents) > 10_000:
            _documents.clear()
        _documents[key] = document
    return CurrentSettings(version=record.version, document=document, record=record)


_documents: dict[tuple[str, int], ScoringSettingsDocument] = {}


def replace_settings(
    session: Session, *, org_id: str, document: ScoringSettingsDocument
) -> CurrentSettings:
    """Store a new version of the settings document (a no-op change still makes a version)."""
    version = repository.max_settings_version(session, org_id) + 1
    record = SettingsVersion(
        org_id=org_id, version=version, document=document.model_dump(mode="json")
    )
    session.add(record)
    session.flush()
    return CurrentSettings(version=version, document=document, record=record)


def get_organisation(session: Session, *, org_id: str) -> Organisation:
    org = repository.get_organisation(session, org_id)
    if org is None:
        raise NotFound("No such organisation.")
    return org
