"""Sending the weekly report over a real SMTP server (aiosmtpd), once per recruiter and week."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from app.core.db import create_sessionmaker, transaction
from app.core.settings import get_settings
from app.reports.cli import register
from app.reports.models import ReportSend
from app.reports.send import SendOutcome, SmtpConfigError, parse_smtp_url, send_weekly_reports
from tests.reports.conftest import Seeded, SmtpServer
from tests.reports.seed import WEEK

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
MAIL_FROM = "Followthrough <reports@followthrough.test>"


def _send(
    engine: Engine,
    org_id: str,
    smtp_url: str | None,
    *,
    week: str | None = WEEK,
    now: datetime = NOW,
    dry_run: bool = False,
) -> tuple[str, list[SendOutcome]]:
    return send_weekly_reports(
        create_sessionmaker(engine),
        org_id=org_id,
        week=week,
        smtp_url=smtp_url,
        mail_from=MAIL_FROM,
        base_url="https://followthrough.test",
        dry_run=dry_run,
        now=now,
    )


def _sends(engine: Engine, org_id: str) -> list[tuple[str, str, str]]:
    with transaction(create_sessionmaker(engine)) as session:
        rows = session.scalars(
            select(ReportSend)
            .where(ReportSend.org_id == org_id)
            .order_by(ReportSend.recruiter_external_id)
        )
        return [(r.recruiter_external_id, r.week, r.recipient) for r in rows]


def _parse(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_each_recruiter_gets_their_report(
    engine: Engine, seeded: Seeded, smtp_server: SmtpServer
) -> None:
    week, outcomes = _send(engine, seeded.org.org_id, smtp_server.url)
    assert week == WEEK
    assert {o.recruiter_external_id: o.status for o in outcomes} == {
        "rec-ana": "sent",
        "rec-ben": "sent",
    }, "rec-cy has no email address"
    envelopes = smtp_server.mailbox.envelopes
    assert sorted(e.rcpt_tos[0] for e in envelopes) == ["ana@example.com", "ben@example.com"]

    ana_raw = next(e for e in envelopes if e.rcpt_tos == ["ana@example.com"]).content
    assert isinstance(ana_raw, bytes)
    ana = _parse(ana_raw)
    assert ana["To"] == "Ana Alvarez <ana@example.com>"
    assert ana["From"] == MAIL_FROM
    # Jordan's last message (an apology and "will get it to you soon") asks nothing, so since
    # contract rev. 2 (`needs_reply`) it no longer opens the waiting-on-us clock.
    assert ana["Subject"] == f"Followthrough {WEEK}: 1 newly flagged, 2 waiting on us"
    assert ana["Message-ID"]

    html_part = ana.get_body(preferencelist=("html",))
    text_part = ana.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    html, text = html_part.get_content(), text_part.get_content()
    assert "Jordan Example" in html and "Jordan Example" in text
    assert "Pat Promised" in text, "Ana's overdue promise is listed"
    assert "Wren Waiting" not in text, "Ben's candidate is not in Ana's report"
    assert "<script" not in html.lower()

    attachments = list(ana.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"followthrough-{WEEK}-rec-ana.csv"]
    assert attachments[0].get_content_type() == "text/csv"
    content = attachments[0].get_content()
    if isinstance(content, bytes):
        content = content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["category"], r["external_id"]) for r in rows] == [("newly_flagged", "s1-pr-lead")]

    ben_raw = next(e for e in envelopes if e.rcpt_tos == ["ben@example.com"]).content
    assert isinstance(ben_raw, bytes)
    ben = _parse(ben_raw)
    assert ben["Subject"].startswith(f"Followthrough {WEEK}: 0 newly flagged")
    ben_body = ben.get_body(preferencelist=("plain",))
    assert ben_body is not None
    ben_text = ben_body.get_content()
    assert "Nobody was newly flagged this week." in ben_text
    assert "Wren Waiting" in ben_text

    assert _sends(engine, seeded.org.org_id) == [
        ("rec-ana", WEEK, "ana@example.com"),
        ("rec-ben", WEEK, "ben@example.com"),
    ]


def test_sending_twice_delivers_once(
    engine: Engine, seeded: Seeded, smtp_server: SmtpServer
) -> None:
    _send(engine, seeded.org.org_id, smtp_server.url)
    _, again = _send(engine, seeded.org.org_id, smtp_server.url)
    assert {o.status for o in again} == {"already_sent"}
    assert len(smtp_server.mailbox.envelopes) == 2
    # A different week is a different report.
    _, other_week = _send(engine, seeded.org.org_id, smtp_server.url, week="2026-W46")
    assert {o.status for o in other_week} == {"sent"}
    assert len(smtp_server.mailbox.envelopes) == 4


def test_smtp_down_records_nothing_and_the_next_run_delivers(
    engine: Engine, seeded: Seeded, smtp_server: SmtpServer, closed_smtp_url: str
) -> None:
    _, outcomes = _send(engine, seeded.org.org_id, closed_smtp_url)
    assert {o.status for o in outcomes} == {"failed"}
    for outcome in outcomes:
        assert outcome.error is not None
        assert closed_smtp_url in outcome.error
        assert "refused" in outcome.error.lower()
    assert _sends(engine, seeded.org.org_id) == []

    _, retried = _send(engine, seeded.org.org_id, smtp_server.url)
    assert {o.status for o in retried} == {"sent"}
    assert len(smtp_server.mailbox.envelopes) == 2


def test_dry_run_sends_and_records_nothing(
    engine: Engine, seeded: Seeded, smtp_server: SmtpServer
) -> None:
    _, outcomes = _send(engine, seeded.org.org_id, None, dry_run=True)
    assert {o.status for o in outcomes} == {"dry_run"}
    assert all(o.subject and WEEK in o.subject for o in outcomes)
    assert smtp_server.mailbox.envelopes == []
    assert _sends(engine, seeded.org.org_id) == []


def test_week_defaults_to_the_last_completed_week(
    engine: Engine, seeded: Seeded, smtp_server: SmtpServer
) -> None:
    monday = datetime(2026, 11, 23, 13, tzinfo=UTC)  # Monday 08:00 in New York
    week, outcomes = _send(engine, seeded.org.org_id, smtp_server.url, week=None, now=monday)
    assert week == WEEK
    assert {o.status for o in outcomes} == {"sent"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("smtp", "mail.example.com", 25, None, None)),
        (
            "smtps://u%40x:p%3Aw@mail.example.com:2465",
            ("smtps", "mail.example.com", 2465, "u@x", "p:w"),
        ),
        ("smtp+starttls://a:b@h", ("smtp+starttls", "h", 587, "a", "b")),
    ],
)
def test_parse_smtp_url(url: str, expected: tuple[object, ...]) -> None:
    target = parse_smtp_url(url)
    assert (target.scheme, target.host, target.port, target.username, target.password) == expected
    assert "p:w" not in target.display and "%3A" not in target.display


@pytest.mark.parametrize("url", [None, "", "http://mail", "smtp://", "smtp://h:notaport"])
def test_bad_smtp_url(url: str | None) -> None:
    with pytest.raises(SmtpConfigError):
        parse_smtp_url(url)


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, smtp_server: SmtpServer
) -> Iterator[typer.Typer]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    monkeypatch.setenv("MAIL_FROM", MAIL_FROM)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    app = typer.Typer()
    register(app)
    yield app
    get_settings.cache_clear()


def test_cli_send_and_weekly(
    cli_env: typer.Typer, seeded: Seeded, smtp_server: SmtpServer, tmp_path: Path, engine: Engine
) -> None:
    runner = CliRunner()
    org_args = ["--org", seeded.org.org_id, "--week", WEEK, "--as-of", "2026-11-25T12:00:00Z"]

    dry = runner.invoke(cli_env, ["report", "send", *org_args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would send" in dry.output and "ana@example.com" in dry.output
    assert smtp_server.mailbox.envelopes == []

    sent = runner.invoke(cli_env, ["report", "send", *org_args])
    assert sent.exit_code == 0, sent.output
    assert sent.output.count(": sent") == 2
    again = runner.invoke(cli_env, ["report", "send", *org_args])
    assert again.output.count("already sent") == 2
    assert len(smtp_server.mailbox.envelopes) == 2

    out = tmp_path / "report.csv"
    weekly = runner.invoke(
        cli_env,
        [
            "report",
            "weekly",
            *org_args,
            "--recruiter",
            "rec-ana",
            "--format",
            "csv",
            "--out",
            str(out),
        ],
    )
    assert weekly.exit_code == 0, weekly.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["external_id"] for r in rows] == ["s1-pr-lead"]

    as_json = runner.invoke(cli_env, ["report", "weekly", *org_args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert '"week": "2026-W47"' in as_json.output

    bad = runner.invoke(cli_env, ["report", "weekly", "--org", seeded.org.org_id, "--week", "47"])
    assert bad.exit_code != 0
    assert "ISO week" in bad.output


def test_cli_send_reports_smtp_failure(
    monkeypatch: pytest.MonkeyPatch, cli_env: typer.Typer, seeded: Seeded, closed_smtp_url: str
) -> None:
    monkeypatch.setenv("SMTP_URL", closed_smtp_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(
        cli_env,
        [
            "report",
            "send",
            "--org",
            seeded.org.org_id,
            "--week",
            WEEK,
            "--as-of",
            "2026-11-25T12:00:00Z",
        ],
    )
    assert result.exit_code == 1
    assert "FAILED" in result.output and "nothing recorded" in result.output


def test_two_senders_at_once_deliver_once(
    engine: Engine, seeded: Seeded, smtp_server: SmtpServer
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: _send(engine, seeded.org.org_id, smtp_server.url), range(2)))
    statuses = sorted(o.status for _, outcomes in runs for o in outcomes)
    assert statuses == ["already_sent", "already_sent", "sent", "sent"]
    assert sorted(e.rcpt_tos[0] for e in smtp_server.mailbox.envelopes) == [
        "ana@example.com",
        "ben@example.com",
    ]


def _add_legacy_recruiter(engine: Engine, org_id: str, external_id: str, **fields: str) -> None:
    """A recruiter stored before names and ids were checked (the API now refuses these)."""
    from app.recruiters.models import Recruiter

    with transaction(create_sessionmaker(engine)) as session:
        session.add(Recruiter(org_id=org_id, external_id=external_id, **fields))


def test_one_failing_recruiter_does_not_stop_the_others(
    cli_env: typer.Typer, engine: Engine, seeded: Seeded, smtp_server: SmtpServer
) -> None:
    """CR/LF in a stored name or address: the mail goes out safely or fails alone."""
    org_id = seeded.org.org_id
    # Sorted before the seeded recruiters, so they are sent after the failures.
    _add_legacy_recruiter(
        engine,
        org_id,
        "rec-aa-crlf-name",
        name="Eve\r\nBcc: all@example.com",
        email="eve@example.com",
    )
    _add_legacy_recruiter(
        engine, org_id, "rec-ab-crlf-address", name="Mal", email="mal\r\nBcc: x@example.com"
    )
    result = CliRunner().invoke(
        cli_env,
        ["report", "send", "--org", org_id, "--week", WEEK, "--as-of", "2026-11-25T12:00:00Z"],
    )
    assert result.exit_code == 1, result.output
    assert "rec-ab-crlf-address" in result.output and "FAILED" in result.output
    assert result.output.count(": sent") == 3, result.output

    recipients = sorted(r for e in smtp_server.mailbox.envelopes for r in e.rcpt_tos)
    assert recipients == ["ana@example.com", "ben@example.com", "eve@example.com"]
    eve_raw = next(e for e in smtp_server.mailbox.envelopes if e.rcpt_tos == ["eve@example.com"])
    assert isinstance(eve_raw.content, bytes)
    eve = _parse(eve_raw.content)
    assert (
        eve["To"] == "Eve Bcc: all@example.com <eve@example.com>"
        or eve["To"].addresses[0].addr_spec == "eve@example.com"
    )
    assert eve["Bcc"] is None
    assert [r for r, _, _ in _sends(engine, org_id)] == ["rec-aa-crlf-name", "rec-ana", "rec-ben"]
