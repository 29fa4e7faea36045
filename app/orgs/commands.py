"""Helpers for command-line commands that act on one organisation."""

import typer
from sqlalchemy.orm import Session

from app.orgs import repository as orgs_repository


def resolve_org(session: Session, org: str | None) -> str:
    """The id of the organisation named by `--org` (id or name); the only one when omitted."""
    orgs = orgs_repository.list_organisations(session)
    if org is None:
        if len(orgs) != 1:
            raise typer.BadParameter("there are several organisations; name one with --org")
        return orgs[0].id
    for candidate in orgs:
        if org in (candidate.id, candidate.name):
            return candidate.id
    raise typer.BadParameter(f"no organisation with id or name {org!r}")
