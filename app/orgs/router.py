from typing import Annotated

from fastapi import APIRouter, Path

from app import audit
from app.core.deps import AdminPrincipal, ReadPrincipal, SessionDep
from app.core.errors import problem_responses
from app.orgs import service as orgs_service
from app.orgs.models import ApiKey
from app.orgs.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    ScoringSettingsRead,
    ScoringSettingsUpdate,
)
from app.orgs.service import CurrentSettings

router = APIRouter(prefix="/api/v1", tags=["settings"])


def _settings_read(current: CurrentSettings) -> ScoringSettingsRead:
    return ScoringSettingsRead(
        **current.document.model_dump(),
        version=current.version,
        updated_at=current.record.created_at,
    )


def _key_read(record: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=record.id,
        name=record.name,
        prefix=record.prefix,
        scopes=record.scope_list,
        created_at=record.created_at,
        last_used_at=record.last_used_at,
        revoked_at=record.revoked_at,
    )


@router.get(
    "/settings/scoring",
    response_model=ScoringSettingsRead,
    responses=problem_responses(401, 403),
)
def get_scoring_settings(session: SessionDep, principal: ReadPrincipal) -> ScoringSettingsRead:
    """Return the organisation's current scoring settings document and its version."""
    return _settings_read(orgs_service.get_current_settings(session, org_id=principal.org_id))


@router.put(
    "/settings/scoring",
    response_model=ScoringSettingsRead,
    responses=problem_responses(400, 401, 403, 422),
)
def put_scoring_settings(
    body: ScoringSettingsUpdate, session: SessionDep, principal: AdminPrincipal
) -> ScoringSettingsRead:
    """Replace the whole settings document; every change makes a new version.

    Stored scores name the version they were computed with; run `followthrough rescore`
    (or let candidates refresh on their next event) to apply a change everywhere.
    """
    document = ScoringSettingsUpdate.model_validate(body.model_dump())
    before = orgs_service.get_current_settings(session, org_id=principal.org_id).document
    current = orgs_service.replace_settings(session, org_id=principal.org_id, document=document)
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action="settings.changed",
        target=f"settings:{current.version}",
        detail={
            "version": current.version,
            "changed": audit.changed_fields(
                before.model_dump(mode="json"), current.document.model_dump(mode="json")
            ),
        },
    )
    return _settings_read(current)


@router.get("/api-keys", response_model=list[ApiKeyRead], responses=problem_responses(401, 403))
def list_api_keys(session: SessionDep, principal: AdminPrincipal) -> list[ApiKeyRead]:
    """List the organisation's API keys (never the keys themselves)."""
    return [_key_read(k) for k in orgs_service.list_api_keys(session, org_id=principal.org_id)]


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=201,
    responses=problem_responses(401, 403, 422),
)
def create_api_key(
    body: ApiKeyCreate, session: SessionDep, principal: AdminPrincipal
) -> ApiKeyCreated:
    """Create an API key with scopes; the key is in the response once and never again."""
    record, key = orgs_service.create_api_key(
        session, org_id=principal.org_id, name=body.name, scopes=list(body.scopes)
    )
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action="api_key.created",
        target=f"api_key:{record.id}",
        detail={"name": record.name, "prefix": record.prefix, "scopes": record.scope_list},
    )
    return ApiKeyCreated(**_key_read(record).model_dump(), api_key=key)


@router.post(
    "/api-keys/{key_id}/revoke",
    response_model=ApiKeyRead,
    responses=problem_responses(401, 403, 404),
)
def revoke_api_key(
    key_id: Annotated[str, Path(max_length=64)], session: SessionDep, principal: AdminPrincipal
) -> ApiKeyRead:
    """Revoke an API key; requests with it are refused from then on."""
    record = orgs_service.revoke_api_key(session, org_id=principal.org_id, key_id=key_id)
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action="api_key.revoked",
        target=f"api_key:{record.id}",
        detail={"name": record.name, "prefix": record.prefix},
    )
    return _key_read(record)
