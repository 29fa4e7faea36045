"""Administrator pages: the scoring settings form and API keys."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import audit
from app.core.auth import SCOPES
from app.core.deps import SessionDep
from app.core.errors import NotFound, UnprocessableContent
from app.orgs import service as orgs_service
from app.reports import service as reports_service
from app.web import forms
from app.web.pages import FormDep, page_now
from app.web.security import AdminUser, PageNotFound, verify_csrf
from app.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


def _settings_page(
    request: Request,
    session: SessionDep,
    org_id: str,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    version: int,
    status_code: int = 200,
) -> HTMLResponse:
    quality = reports_service.flag_quality(session, org_id=org_id, as_of=page_now(request))
    return render(
        request,
        "settings.html",
        {
            "flag_quality": quality,
            "values": values,
            "errors": errors,
            "version": version,
            "days": forms.DAYS,
            "threshold_fields": forms.THRESHOLD_FIELDS,
            "weight_fields": forms.WEIGHT_FIELDS,
        },
        status_code=status_code,
    )


@router.get("/settings", name="web-settings")
def settings_form(request: Request, session: SessionDep, user: AdminUser) -> HTMLResponse:
    current = orgs_service.get_current_settings(session, org_id=user.org_id)
    return _settings_page(
        request,
        session,
        user.org_id,
        values=forms.form_values(current.document),
        errors={},
        version=current.version,
    )


@router.post("/settings")
def save_settings(
    request: Request, session: SessionDep, user: AdminUser, form: FormDep
) -> Response:
    text_fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    days = [v for v in form.getlist("working_hours.days") if isinstance(v, str)]
    values = forms.read_form(text_fields, days)
    document, errors = forms.validate(values)
    if document is None:
        current = orgs_service.get_current_settings(session, org_id=user.org_id)
        return _settings_page(
            request,
            session,
            user.org_id,
            values=values,
            errors=errors,
            version=current.version,
            status_code=422,
        )
    before = orgs_service.get_current_settings(session, org_id=user.org_id).document
    saved = orgs_service.replace_settings(session, org_id=user.org_id, document=document)
    audit.record(
        session,
        org_id=user.org_id,
        actor=user.actor,
        action="settings.changed",
        target=f"settings:{saved.version}",
        detail={
            "version": saved.version,
            "changed": audit.changed_fields(
                before.model_dump(mode="json"), saved.document.model_dump(mode="json")
            ),
        },
    )
    request.session["flash"] = (
        f"Settings saved as version {saved.version}. Scores are recomputed with them as "
        "candidates are next viewed."
    )
    return RedirectResponse("/settings", status_code=303)


def _keys_page(
    request: Request,
    session: SessionDep,
    org_id: str,
    *,
    created: Any = None,
    error: str | None = None,
    name: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "api_keys.html",
        {
            "keys": orgs_service.list_api_keys(session, org_id=org_id),
            "scopes": SCOPES,
            "created": created,
            "error": error,
            "name": name,
        },
        status_code=status_code,
    )


@router.get("/settings/api-keys", name="web-api-keys")
def api_keys(request: Request, session: SessionDep, user: AdminUser) -> HTMLResponse:
    return _keys_page(request, session, user.org_id)


@router.post("/settings/api-keys")
def create_api_key(
    request: Request, session: SessionDep, user: AdminUser, form: FormDep
) -> HTMLResponse:
    name = str(form.get("name") or "").strip()[:200]
    scopes = [s for s in form.getlist("scopes") if isinstance(s, str)]
    if not name:
        return _keys_page(
            request,
            session,
            user.org_id,
            error="Name the key after what will use it.",
            status_code=422,
        )
    try:
        record, key = orgs_service.create_api_key(
            session, org_id=user.org_id, name=name, scopes=scopes
        )
    except UnprocessableContent:
        return _keys_page(
            request,
            session,
            user.org_id,
            error="Choose at least one scope.",
            name=name,
            status_code=422,
        )
    audit.record(
        session,
        org_id=user.org_id,
        actor=user.actor,
        action="api_key.created",
        target=f"api_key:{record.id}",
        detail={"name": record.name, "prefix": record.prefix, "scopes": record.scope_list},
    )
    return _keys_page(request, session, user.org_id, created={"record": record, "key": key})


@router.post("/settings/api-keys/{key_id}/revoke")
def revoke_api_key(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    key_id: Annotated[str, Path(max_length=64)],
) -> RedirectResponse:
    try:
        record = orgs_service.revoke_api_key(session, org_id=user.org_id, key_id=key_id)
    except NotFound as exc:
        raise PageNotFound() from exc
    audit.record(
        session,
        org_id=user.org_id,
        actor=user.actor,
        action="api_key.revoked",
        target=f"api_key:{record.id}",
        detail={"name": record.name, "prefix": record.prefix},
    )
    request.session["flash"] = f"Key “{record.name}” (ft_{record.prefix}_…) is revoked."
    return RedirectResponse("/settings/api-keys", status_code=303)
