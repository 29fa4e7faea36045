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

    @user_cli.command("set-password")
    def user_set_password(
        email: Annotated[str, typer.Option(help="The account's sign-in email")],
        password: Annotated[
            str,
            typer.Option(
                prompt=True, hide_input=True, confirmation_prompt=True, help="The new password"
            ),
        ],
    ) -> None:
        """Replace a user's password; every session they have is ended."""
        from app import audit
        from app.core.db import session_scope
        from app.core.errors import AppError
        from app.users import service as users_service

        with session_scope() as session:
            user = users_service.get_user_by_email(session, email=email)
            if user is None:
                raise typer.BadParameter("no user has this email")
            try:
                ended = users_service.set_password(session, user=user, password=password)
            except AppError as exc:
                raise typer.BadParameter(exc.detail) from exc
            audit.record(
                session,
                org_id=user.org_id,
                actor=audit.SYSTEM,
                action="user.password_changed",
                target=f"user:{user.id}",
                detail={"email": user.email, "sessions": ended},
            )
        typer.echo(f"password changed for {email}; {ended} session(s) ended")

    @user_cli.command("sign-out")
    def user_sign_out(
        email: Annotated[str, typer.Option(help="The account's sign-in email")],
    ) -> None:
        """End every session of a user (sign out everywhere)."""
        from app import audit
        from app.core.db import session_scope
        from app.users import service as users_service

        with session_scope() as session:
            user = users_service.get_user_by_email(session, email=email)
            if user is None:
                raise typer.BadParameter("no user has this email")
            ended = users_service.end_all_sessions(session, user_id=user.id)
            audit.record(
                session,
                org_id=user.org_id,
                actor=audit.SYSTEM,
                action="user.signed_out_everywhere",
                target=f"user:{user.id}",
                detail={"email": user.email, "sessions": ended},
            )
        typer.echo(f"{email}: {ended} session(s) ended")
