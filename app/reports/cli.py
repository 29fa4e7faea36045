"""`followthrough report weekly …` and `followthrough report send …`."""

import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

report_cli = typer.Typer(help="Weekly flagged-candidate reports.", no_args_is_help=True)


class ReportFormat(StrEnum):
    json = "json"
    csv = "csv"
    html = "html"
    text = "text"


def register(cli: typer.Typer) -> None:
    """Add the `report` commands to the `followthrough` command."""
    cli.add_typer(report_cli, name="report")


def _as_of(value: str | None) -> datetime | None:
    """Parse --as-of (RFC 3339 with an offset); None means now."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise typer.BadParameter(
            "needs a timestamp with an offset, e.g. 2026-11-23T08:00:00Z", param_hint="--as-of"
        )
    return parsed


@report_cli.command("weekly")
def report_weekly(
    org: Annotated[str | None, typer.Option(help="Organisation id or name")] = None,
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: last completed week)")
    ] = None,
    recruiter: Annotated[
        str | None, typer.Option(help="Only this recruiter's candidates (external id)")
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="json, csv, html or text")
    ] = ReportFormat.json,
    out: Annotated[Path | None, typer.Option(help="Write to FILE instead of stdout")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Pretend it is this instant, RFC 3339 (default now)")
    ] = None,
) -> None:
    """Print (or write) the weekly report for an organisation or one recruiter."""
    from app.core.db import session_scope
    from app.core.errors import AppError
    from app.core.settings import get_settings
    from app.orgs.commands import resolve_org
    from app.reports import render
    from app.reports import service as reports_service

    now = _as_of(as_of)
    with session_scope() as session:
        org_id = resolve_org(session, org)
        try:
            report = reports_service.weekly_report(
                session, org_id=org_id, week=week, recruiter_external_id=recruiter, now=now
            )
        except AppError as exc:
            raise typer.BadParameter(exc.detail) from exc
    base_url = get_settings().base_url
    if output_format is ReportFormat.csv:
        content = render.render_csv(report)
    elif output_format is ReportFormat.html:
        content = render.render_html(report, base_url=base_url)
    elif output_format is ReportFormat.text:
        content = render.render_text(report, base_url=base_url)
    else:
        content = render.render_json(report) + "\n"
    if out is None:
        sys.stdout.write(content)
    else:
        out.write_text(content, encoding="utf-8", newline="")
        typer.echo(f"wrote {out} ({report.week}, {len(content)} characters)", err=True)


@report_cli.command("send")
def report_send(
    org: Annotated[
        str | None, typer.Option(help="Organisation id or name (default: every organisation)")
    ] = None,
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: last completed week)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Build and list the emails; send and record none")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option(help="Pretend it is this instant, RFC 3339 (default now)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON")] = False,
) -> None:
    """Email each recruiter with an address their weekly report (once per recruiter and week).

    Safe to run repeatedly and from several machines: a report that went out is never sent
    again; one that failed is not recorded and goes out on the next run. Exits 1 if any failed.
    """
    from app.core.db import create_sessionmaker, open_engine, transaction
    from app.orgs import repository as orgs_repository
    from app.orgs.commands import resolve_org

    now = _as_of(as_of)
    engine = open_engine()
    failed = 0
    results: list[dict[str, object]] = []
    try:
        factory = create_sessionmaker(engine)
        with transaction(factory) as session:
            org_ids = (
                [resolve_org(session, org)]
                if org
                else [o.id for o in orgs_repository.list_organisations(session)]
            )
        for org_id in org_ids:
            org_results = _send_org(
                factory, org_id, week=week, dry_run=dry_run, now=now, strict=bool(org)
            )
            results.extend(r for r in org_results if r["status"] != "no_recipients")
            failed += sum(result["status"] == "failed" for result in org_results)
            if not as_json:
                _echo_results(org_id, org_results)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(results, indent=2))
    if failed:
        raise typer.Exit(code=1)


def _send_org(
    factory: "sessionmaker[Session]",
    org_id: str,
    *,
    week: str | None,
    dry_run: bool,
    now: datetime | None,
    strict: bool,
) -> list[dict[str, object]]:
    """Send one organisation's reports; its failure is a result, never the end of the run.

    `strict` (one organisation named on the command line) turns a bad week into a usage error.
    """
    from app.core.errors import AppError
    from app.core.settings import get_settings
    from app.reports.send import SmtpConfigError, send_weekly_reports

    settings = get_settings()
    try:
        label, outcomes = send_weekly_reports(
            factory,
            org_id=org_id,
            week=week,
            smtp_url=settings.smtp_url,
            mail_from=settings.mail_from,
            base_url=settings.base_url,
            dry_run=dry_run,
            now=now,
        )
    except SmtpConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="SMTP_URL") from exc
    except AppError as exc:
        if strict:
            raise typer.BadParameter(exc.detail, param_hint="--week") from exc
        return [{"org_id": org_id, "status": "failed", "error": exc.detail}]
    except Exception as exc:  # one organisation's failure never stops the next ones
        error = f"{exc.__class__.__name__}: {exc}"
        return [{"org_id": org_id, "status": "failed", "error": error}]
    if not outcomes:
        return [{"org_id": org_id, "week": label, "status": "no_recipients"}]
    return [{"org_id": org_id, "week": label, **outcome.__dict__} for outcome in outcomes]


def _echo_results(org_id: str, results: list[dict[str, object]]) -> None:
    """One line per recruiter (or per organisation that failed or has no recipient)."""
    for result in results:
        status = result["status"]
        if "recipient" not in result:
            if status == "no_recipients":
                typer.echo(f"{org_id} {result['week']}: no recruiter has an email address")
            else:
                typer.echo(
                    f"{org_id}: FAILED, {result['error']}; the next run retries it", err=True
                )
            continue
        line = f"{result['week']} {result['recruiter_external_id']} <{result['recipient']}>: "
        if status == "failed":
            line += f"FAILED, {result['error']}; nothing recorded, the next run retries it"
        elif status == "dry_run":
            line += f"would send {result['subject']!r} ({result['flagged']} flagged)"
        else:
            line += str(status).replace("_", " ")
        typer.echo(line, err=status == "failed")
