"""`followthrough user …`: web UI accounts."""

from typing import Annotated

import typer


def register(cli: typer.Typer) -> None:
    """Add the `user` command group to the main CLI."""
    user_cli = typer.Typer(help="Web UI accounts.", no_args_is_help=True)
    cli.add_typer(user_cli, name="user")

    @user_cli.command("create")
    def user_create(
        email: Annotated[str, typer.Option(help="Sign-in email (unique)")],
        password: Annotated[
            str,
            typer.Option(
                prompt=True,
                hide_input=True,
                confirmation_prompt=True,
                help="At least 8 characters (prompted when left out)",
            ),
        ],
        org: Annotated[str | None, typer.Option(help="Organisation id or name")] = None,
        admin: Annotated[bool, typer.Option("--admin", help="Make an administrator")] = False,
        name: Annotated[str | None, typer.Option(help="Display name")] = None,
        recruiter: Annotated[
            str | None,
            typer.Option(help="The recruiter's external id (their pipeline is the default view)"),
        ] = None,
    ) -> None:
        """Create a web UI user in an organisation."""
        from app.core.db import session_scope
        from app.core.errors import AppError
        from app.orgs.commands import resolve_org
        from app.users import service as users_service

        with session_scope() as session:
            org_id = resolve_org(session, org)
            try:
                user = users_service.create_user(
                    session,
                    org_id=org_id,
                    email=email,
                    password=password,
                    role="admin" if admin else "recruiter",
                    name=name,
                    recruiter_external_id=recruiter,
                )
            except AppError as exc:
                raise typer.BadParameter(exc.detail) from exc
            summary = f"user {user.email} ({user.role}) created in organisation {org_id}: {user.id}"
        typer.echo(summary)
