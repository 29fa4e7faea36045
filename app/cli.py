"""The `followthrough` command: serve, migrate, organisations, API keys, demo data, rescoring."""

import json
from datetime import datetime
from typing import Annotated

import typer

from app import audit
from app.core.db import create_sessionmaker, open_engine, session_scope, transaction
from app.core.settings import get_settings
from app.orgs.commands import resolve_org
from app.reports import cli as reports_cli
from app.web import cli as web_cli
from app.webhooks.cli import webhooks_cli

cli = typer.Typer(help="Followthrough: candidate responsiveness tracking.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
org_cli = typer.Typer(help="Organisations.", no_args_is_help=True)
apikey_cli = typer.Typer(help="API keys.", no_args_is_help=True)
demo_cli = typer.Typer(help="Demo data.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(org_cli, name="org")
cli.add_typer(apikey_cli, name="apikey")
cli.add_typer(demo_cli, name="demo")
cli.add_typer(webhooks_cli, name="webhooks")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(help="Server processes (default: CPU count on PostgreSQL, 1 on SQLite)"),
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Apply migrations first")] = True,
) -> None:
    """Apply migrations, then serve the API and web UI (on SQLite, with background tasks)."""
    import os

    import uvicorn

    from app.core.logging import configure_logging
    from app.core.settings import check_secret_for_host

    settings = get_settings()
    if workers is None:
        workers = 1 if settings.is_sqlite else (os.cpu_count() or 1)
    configure_logging(level=settings.log_level, json_logs=settings.log_json)
    try:
        check_secret_for_host(settings, host)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if migrate:
        db_upgrade()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The app applies FORWARDED_ALLOW_IPS itself (ProxyHeadersMiddleware in create_app).
        proxy_headers=False,
        timeout_graceful_shutdown=20,
        access_log=False,
    )


@cli.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once in this process")] = 2,
) -> None:
    """Run background tasks (derivation of changed candidates, periodic jobs) until stopped.

    Start as many as you like on one PostgreSQL database; they share the work.
    """
    import asyncio
    import gc

    from app.core import queue
    from app.core.logging import configure_logging
    from app.worker import TASK_MODULES

    settings = get_settings()
    configure_logging(level=settings.log_level, json_logs=settings.log_json)
    engine = open_engine()
    try:
        queue.ensure_schema(engine)
        app = queue.build_app(settings.database_url, create_sessionmaker(engine))
        typer.echo(f"worker: {len(TASK_MODULES)} task module(s), tasks {sorted(app.tasks)}")
        # Everything loaded so far (modules, language models) lives as long as the process:
        # keep it out of the collector's scans, which derivation's many objects trigger often.
        gc.collect()
        gc.freeze()
        asyncio.run(queue.run_worker(app, concurrency=concurrency))
    finally:
        engine.dispose()


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from app.core import migrate

    engine = open_engine()
    try:
        migrate.upgrade(engine, revision)
    finally:
        engine.dispose()


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Revert migrations down to REVISION (e.g. base)."""
    from app.core import migrate

    engine = open_engine()
    try:
        migrate.downgrade(engine, revision)
    finally:
        engine.dispose()


@org_cli.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="Organisation name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Create an organisation and print its first (admin) API key, shown only once."""
    from app.orgs import service as orgs_service

    with session_scope() as session:
        org, key = orgs_service.create_organisation(session, name=name)
        org_id = org.id
    if as_json:
        typer.echo(json.dumps({"org_id": org_id, "api_key": key}))
    else:
        typer.echo(f"organisation {name!r} created: {org_id}")
        typer.echo(f"admin API key (shown once): {key}")


@org_cli.command("list")
def org_list() -> None:
    """List organisations."""
    from app.orgs import repository as orgs_repository

    with session_scope() as session:
        for org in orgs_repository.list_organisations(session):
            typer.echo(f"{org.id}\t{org.name}")


@apikey_cli.command("create")
def apikey_create(
    org: Annotated[str | None, typer.Option(help="Organisation id or name")] = None,
    name: Annotated[str, typer.Option(help="What the key is for")] = "cli",
    scope: Annotated[
        list[str] | None, typer.Option(help="events:write, read or admin (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API key with scopes; the key is printed once."""
    from app.core.errors import AppError
    from app.orgs import service as orgs_service

    scopes = scope or ["events:write", "read"]
    with session_scope() as session:
        org_id = resolve_org(session, org)
        try:
            record, key = orgs_service.create_api_key(
                session, org_id=org_id, name=name, scopes=scopes
            )
        except AppError as exc:
            raise typer.BadParameter(exc.detail) from exc
        audit.record(
            session,
            org_id=org_id,
            actor=audit.SYSTEM,
            action="api_key.created",
            target=f"api_key:{record.id}",
            detail={"name": record.name, "prefix": record.prefix, "scopes": record.scope_list},
        )
        key_id = record.id
    if as_json:
        typer.echo(json.dumps({"id": key_id, "api_key": key, "scopes": sorted(set(scopes))}))
    else:
        typer.echo(f"key {key_id} ({' '.join(sorted(set(scopes)))}): {key}")


@apikey_cli.command("list")
def apikey_list(
    org: Annotated[str | None, typer.Option(help="Organisation id or name")] = None,
) -> None:
    """List API keys (id, prefix, scopes, state)."""
    from app.orgs import service as orgs_service

    with session_scope() as session:
        org_id = resolve_org(session, org)
        for key in orgs_service.list_api_keys(session, org_id=org_id):
            state = "revoked" if key.revoked_at else "active"
            typer.echo(f"{key.id}\tft_{key.prefix}_…\t{key.scopes}\t{state}\t{key.name}")


@apikey_cli.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument()],
    org: Annotated[str | None, typer.Option(help="Organisation id or name")] = None,
) -> None:
    """Revoke an API key."""
    from app.core.errors import AppError
    from app.orgs import service as orgs_service

    with session_scope() as session:
        org_id = resolve_org(session, org)
        try:
            record = orgs_service.revoke_api_key(session, org_id=org_id, key_id=key_id)
        except AppError as exc:
            raise typer.BadParameter(exc.detail) from exc
        audit.record(
            session,
            org_id=org_id,
            actor=audit.SYSTEM,
            action="api_key.revoked",
            target=f"api_key:{record.id}",
            detail={"name": record.name, "prefix": record.prefix},
        )
    typer.echo(f"revoked {key_id}")


@demo_cli.command("load")
def demo_load(
    force: Annotated[bool, typer.Option(help="Create another demo org even if one exists")] = False,
    seed: Annotated[int, typer.Option(help="Random seed for the generated organisation")] = 7,
) -> None:
    """Create the demo organisation (if absent) with realistic generated data and print a key."""
    from app.demo import loader

    with session_scope() as session:
        result = loader.load_demo(session, force=force, seed=seed)
        existing = loader.find_demo_org(session) if result is None else None
    if result is None:
        typer.echo(f"demo organisation already present: {existing.id if existing else '?'}")
        typer.echo(
            "  (its API key was shown when it was created; make another with "
            f"`followthrough apikey create --org '{loader.DEMO_ORG_NAME}'`)"
        )
        for line in loader.demo_logins(None):
            typer.echo(line)
        return
    typer.echo(f"demo organisation: {result.org_id}")
    typer.echo(f"demo API key (shown once): {result.api_key}")
    for line in result.extra_lines:
        typer.echo(line)


@cli.command()
def rescore(
    org: Annotated[str | None, typer.Option(help="Organisation id or name (default: all)")] = None,
    as_of: Annotated[
        datetime | None, typer.Option(help="Evaluate as of this instant (default now)")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(help="Processes (default: CPU count on PostgreSQL, 1 on SQLite)"),
    ] = None,
) -> None:
    """Rebuild every candidate's derived state (after a settings change), with a progress bar."""
    import os

    from rich.progress import Progress

    from app.candidates import repository as candidates_repository
    from app.core.ids import utcnow
    from app.derivation import rescore as rescoring
    from app.orgs import repository as orgs_repository

    when = as_of or utcnow()
    if when.tzinfo is None:
        raise typer.BadParameter("--as-of needs an offset, e.g. 2026-11-20T12:00:00Z")
    settings = get_settings()
    if processes is None:
        processes = 1 if settings.is_sqlite else (os.cpu_count() or 1)
    engine = open_engine()
    try:
        with transaction(create_sessionmaker(engine)) as session:
            org_ids = (
                [resolve_org(session, org)]
                if org
                else [o.id for o in orgs_repository.list_organisations(session)]
            )
            work = {oid: candidates_repository.all_ids(session, oid) for oid in org_ids}
    finally:
        engine.dispose()
    total = sum(len(v) for v in work.values())
    with Progress() as progress:
        task = progress.add_task("rescoring", total=total)
        rescoring.rescore(
            settings.database_url,
            work,
            when=when,
            processes=max(1, processes),
            progress=lambda n: progress.advance(task, n),
        )
    typer.echo(f"rescored {total} candidates in {len(work)} organisation(s)")


reports_cli.register(cli)
web_cli.register(cli)


def main() -> None:
    cli()
