"""Email each recruiter their weekly report over SMTP, at most once per (recruiter, week).

For every recruiter with an email address and no recorded send for the week:

1. build the report (its own short transaction; stored scores were refreshed up front);
2. in one transaction: take the (recruiter, week) lock (PostgreSQL advisory lock; SQLite's
   write lock), re-check that nobody sent it meanwhile, insert the `report_sends` row, hand the
   message to the SMTP server, and commit.

A failed delivery raises inside that transaction, so the claim rolls back: nothing is recorded
and the next run retries. The only gap left is a commit that fails *after* the server accepted
the message; that recruiter could then get the report twice (logged as such).

Errors:

    ReportDeliveryError     the SMTP server could not be reached or refused the message
    SmtpConfigError         SMTP_URL missing or malformed
"""

import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Literal
from urllib.parse import unquote, urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import transaction
from app.core.ids import utcnow
from app.core.logging import get_logger
from app.recruiters.models import Recruiter
from app.reports import render, repository
from app.reports import service as reports_service
from app.reports.schemas import WeeklyReportRead

log = get_logger("followthrough.reports")

SMTP_TIMEOUT_SECONDS = 30


class SmtpConfigError(ValueError):
    """SMTP_URL is missing or not smtp://, smtp+starttls:// or smtps://."""


class ReportDeliveryError(RuntimeError):
    """The SMTP server could not be reached, or it refused the message."""


@dataclass(frozen=True)
class SmtpTarget:
    scheme: Literal["smtp", "smtp+starttls", "smtps"]
    host: str
    port: int
    username: str | None
    password: str | None

    @property
    def display(self) -> str:
        """The URL without the password, for messages and logs."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


def parse_smtp_url(url: str | None) -> SmtpTarget:
    """Parse `smtp://host:port`, `smtp+starttls://user:pass@host:587` or `smtps://…:465`."""
    if not url:
        raise SmtpConfigError("SMTP_URL is not set (e.g. smtp://localhost:25).")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise SmtpConfigError(
            "SMTP_URL must look like smtp://host:port, smtp+starttls://user:pass@host:587 "
            "or smtps://user:pass@host:465."
        )
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise SmtpConfigError(f"SMTP_URL has an invalid port: {exc}") from None
    return SmtpTarget(
        scheme=scheme,  # type: ignore[arg-type]
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def build_message(
    report: WeeklyReportRead,
    *,
    recipient: str,
    recipient_name: str | None,
    mail_from: str,
    base_url: str | None,
) -> EmailMessage:
    """HTML with a plain-text alternative, and the flagged candidates attached as CSV."""
    message = EmailMessage()
    message["Subject"] = render.subject_for(report)
    message["From"] = mail_from
    message["To"] = formataddr((_header_safe(recipient_name or ""), recipient))
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(idstring=f"report.{report.week}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render.render_text(report, base_url=base_url))
    message.add_alternative(render.render_html(report, base_url=base_url), subtype="html")
    suffix = f"-{report.recruiter_external_id}" if report.recruiter_external_id else ""
    message.add_attachment(
        render.render_csv(report).encode("utf-8"),
        maintype="text",
        subtype="csv",
        filename=f"followthrough-{report.week}{suffix}.csv",
    )
    return message


def _header_safe(text: str) -> str:
    """Collapse every run of whitespace and control characters to one space (no header breaks)."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def deliver(message: EmailMessage, target: SmtpTarget) -> None:
    """Hand the message to the SMTP server; any failure is a ReportDeliveryError."""
    try:
        client: smtplib.SMTP
        if target.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                target.host,
                target.port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            if target.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if target.username:
                client.login(target.username, target.password or "")
            refused = client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise ReportDeliveryError(
            f"could not deliver to {message['To']} via {target.display}: "
            f"{exc.__class__.__name__}: {exc}"
        ) from exc
    if refused:
        raise ReportDeliveryError(f"{target.display} refused recipients: {sorted(refused)}")


@dataclass
class SendOutcome:
    """What happened to one recruiter's report."""

    recruiter_external_id: str
    recipient: str
    status: Literal["sent", "already_sent", "failed", "dry_run"]
    subject: str | None = None
    message_id: str | None = None
    error: str | None = None
    flagged: int = 0


def send_weekly_reports(
    factory: sessionmaker[Session],
    *,
    org_id: str,
    week: str | None,
    smtp_url: str | None,
    mail_from: str,
    base_url: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> tuple[str, list[SendOutcome]]:
    """Email each recruiter with an address their report for `week`; return (week, outcomes).

    `week` defaults to the last completed week in the org's time zone. A failure (building the
    message or delivering it) is reported in its outcome, not raised, so one recruiter's bad
    address or data does not stop the others.
    """
    now = now or utcnow()
    target = None if dry_run else parse_smtp_url(smtp_url)
    with transaction(factory) as session:
        iso, settings = reports_service.resolve_week(session, org_id=org_id, week=week, now=now)
        as_of = reports_service.report_as_of(iso, now)
        recruiters = repository.recruiters_with_email(session, org_id)
        already = repository.sent_recruiters(session, org_id, iso.label)
        reports_service.refresh(session, org_id=org_id, as_of=as_of, settings=settings)
    outcomes: list[SendOutcome] = []
    for recruiter in recruiters:
        assert recruiter.email is not None
        if recruiter.external_id in already:
            outcomes.append(
                SendOutcome(recruiter.external_id, recruiter.email, status="already_sent")
            )
            continue
        try:
            with transaction(factory) as session:
                report = reports_service.build_report(
                    session,
                    org_id=org_id,
                    week=iso,
                    settings=settings,
                    as_of=as_of,
                    recruiter_external_id=recruiter.external_id,
                    recruiter_name=recruiter.name,
                )
            message = build_message(
                report,
                recipient=recruiter.email,
                recipient_name=recruiter.name,
                mail_from=mail_from,
                base_url=base_url,
            )
        except Exception as exc:  # one recruiter's bad data never stops the others
            log.exception(
                "report_not_built", org_id=org_id, recruiter=recruiter.external_id, week=iso.label
            )
            outcomes.append(
                SendOutcome(
                    recruiter.external_id,
                    recruiter.email,
                    status="failed",
                    error=f"could not build the message: {exc.__class__.__name__}: {exc}",
                )
            )
            continue
        outcome = SendOutcome(
            recruiter.external_id,
            recruiter.email,
            status="dry_run",
            subject=str(message["Subject"]),
            message_id=str(message["Message-ID"]),
            flagged=report.totals.newly_flagged + report.totals.still_flagged,
        )
        outcomes.append(outcome)
        if target is None:
            continue
        _claim_and_deliver(
            factory,
            org_id=org_id,
            week=iso.label,
            recruiter=recruiter,
            message=message,
            target=target,
            outcome=outcome,
        )
    return iso.label, outcomes


def _claim_and_deliver(
    factory: sessionmaker[Session],
    *,
    org_id: str,
    week: str,
    recruiter: Recruiter,
    message: EmailMessage,
    target: SmtpTarget,
    outcome: SendOutcome,
) -> None:
    assert recruiter.email is not None
    delivered = False
    try:
        with transaction(factory) as session:
            repository.lock_recruiter_week(session, org_id, recruiter.external_id, week)
            if repository.get_send(session, org_id, recruiter.external_id, week) is not None:
                outcome.status = "already_sent"
                return
            repository.record_send(
                session,
                org_id=org_id,
                recruiter_external_id=recruiter.external_id,
                week=week,
                recipient=recruiter.email,
                message_id=str(message["Message-ID"]),
            )
            deliver(message, target)
            delivered = True
        outcome.status = "sent"
        log.info("report_sent", org_id=org_id, recruiter=recruiter.external_id, week=week)
    except ReportDeliveryError as exc:
        outcome.status, outcome.error = "failed", str(exc)
        log.warning(
            "report_not_sent",
            org_id=org_id,
            recruiter=recruiter.external_id,
            week=week,
            error=str(exc),
        )
    except IntegrityError as exc:
        if delivered:
            _log_unrecorded(org_id, recruiter.external_id, week, exc)
        # Another sender claimed it between our check and insert (no advisory lock there).
        outcome.status = "already_sent"
    except Exception as exc:
        if delivered:
            _log_unrecorded(org_id, recruiter.external_id, week, exc)
        outcome.status, outcome.error = "failed", f"{exc.__class__.__name__}: {exc}"


def _log_unrecorded(org_id: str, recruiter: str, week: str, exc: Exception) -> None:
    """The mail went out but recording it failed: the next run may send it again."""
    log.error(
        "report_sent_but_not_recorded",
        org_id=org_id,
        recruiter=recruiter,
        week=week,
        error=str(exc)[:300],
    )
