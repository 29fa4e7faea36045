"""Accounts: argon2id hashing, duplicate emails, lockout, and `followthrough user create`."""

from datetime import timedelta

import pytest
import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.core.db import create_sessionmaker, transaction
from app.core.errors import UnprocessableContent
from app.core.ids import utcnow
from app.core.ratelimit import RateLimiter
from app.core.settings import get_settings
from app.orgs import service as orgs_service
from app.users import service as users_service
from app.users.service import LOCKOUT, MAX_FAILED_LOGINS, LoginOutcome
from app.web.cli import register
from tests.factories import OrgContext, unique


@pytest.fixture
def session(engine: Engine) -> Session:
    with transaction(create_sessionmaker(engine)) as session:
        yield session  # type: ignore[misc]


@pytest.fixture
def counters() -> RateLimiter:
    return RateLimiter()


def _org(session: Session) -> str:
    org, _ = orgs_service.create_organisation(session, name="Lockout Org")
    return org.id


def _email() -> str:
    return f"{unique('person')}@example.com"


def test_passwords_are_hashed_with_argon2id(session: Session, org: OrgContext) -> None:
    user = users_service.create_user(
        session, org_id=org.org_id, email=_email(), password="s3cret-pass"
    )
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-pass" not in user.password_hash
    assert users_service.verify_password(user.password_hash, "s3cret-pass")
    assert not users_service.verify_password(user.password_hash, "s3cret-pasS")
    assert not users_service.verify_password("not a hash", "s3cret-pass")
    assert user.role == "recruiter"


def test_email_is_normalised_and_unique(
    session: Session, org: OrgContext, other_org: OrgContext
) -> None:
    email = _email()
    user = users_service.create_user(
        session, org_id=org.org_id, email=f"  {email.upper()} ", password="password-1"
    )
    assert user.email == email
    with pytest.raises(UnprocessableContent) as exc:
        users_service.create_user(session, org_id=other_org.org_id, email=email, password="x" * 9)
    assert exc.value.errors == [{"field": "email", "message": "already in use"}]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"password": "short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "owner"}, "role"),
    ],
)
def test_invalid_accounts_are_refused(
    session: Session, org: OrgContext, fields: dict[str, str], field: str
) -> None:
    data = {"email": _email(), "password": "long-enough", **fields}
    with pytest.raises(UnprocessableContent) as exc:
        users_service.create_user(session, org_id=org.org_id, **data)
    assert exc.value.errors is not None
    assert exc.value.errors[0]["field"] == field


def test_authenticate_locks_after_repeated_failures(
    session: Session, org: OrgContext, counters: RateLimiter
) -> None:
    email = _email()
    users_service.create_user(session, org_id=org.org_id, email=email, password="right-password")
    now = utcnow()
    for _ in range(MAX_FAILED_LOGINS - 1):
        result = users_service.authenticate(
            session, email=email, password="wrong", now=now, counters=counters
        )
        assert result.outcome is LoginOutcome.INVALID
    locked = users_service.authenticate(
        session, email=email, password="wrong", now=now, counters=counters
    )
    assert locked.outcome is LoginOutcome.LOCKED
    assert locked.locked_until == now + LOCKOUT
    still = users_service.authenticate(
        session,
        email=email,
        password="right-password",
        now=now + LOCKOUT - timedelta(seconds=1),
        counters=counters,
    )
    assert still.outcome is LoginOutcome.LOCKED
    later = users_service.authenticate(
        session, email=email, password="right-password", now=now + LOCKOUT, counters=counters
    )
    assert later.outcome is LoginOutcome.OK
    assert later.user is not None
    assert later.user.failed_logins == 0
    assert later.user.locked_until is None
    assert later.user.last_login_at == now + LOCKOUT


def test_a_success_resets_the_failure_count(
    session: Session, org: OrgContext, counters: RateLimiter
) -> None:
    email = _email()
    users_service.create_user(session, org_id=org.org_id, email=email, password="right-password")
    for _ in range(MAX_FAILED_LOGINS - 1):
        users_service.authenticate(session, email=email, password="wrong", counters=counters)
    assert users_service.authenticate(
        session, email=email, password="right-password", counters=counters
    ).user
    for _ in range(MAX_FAILED_LOGINS - 1):
        result = users_service.authenticate(
            session, email=email, password="wrong", counters=counters
        )
        assert result.outcome is LoginOutcome.INVALID


def test_unknown_email_locks_like_an_account(session: Session, counters: RateLimiter) -> None:
    known = _email()
    users_service.create_user(session, org_id=_org(session), email=known, password="right-pass")
    outcomes: dict[str, list[LoginOutcome]] = {}
    for email in (known, _email()):  # the second has no account
        outcomes[email] = [
            users_service.authenticate(
                session, email=email, password="wrong", counters=counters
            ).outcome
            for _ in range(MAX_FAILED_LOGINS + 1)
        ]
    expected = [LoginOutcome.INVALID] * (MAX_FAILED_LOGINS - 1) + [LoginOutcome.LOCKED] * 2
    assert list(outcomes.values()) == [expected, expected]


# --- CLI -------------------------------------------------------------------------------------


@pytest.fixture
def cli_app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    app = typer.Typer()
    app.command("noop")(lambda: None)
    register(app)
    yield app  # type: ignore[misc]
    get_settings.cache_clear()


def test_cli_user_create(cli_app: typer.Typer, org: OrgContext, engine: Engine) -> None:
    email = _email()
    result = CliRunner().invoke(
        cli_app,
        [
            "user",
            "create",
            "--org",
            org.org_id,
            "--email",
            email,
            "--admin",
            "--name",
            "Ada Admin",
            "--recruiter",
            "rec-7",
            "--password",
            "long-password",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"user {email} (admin) created" in result.output
    with transaction(create_sessionmaker(engine)) as session:
        user = users_service.get_user_by_email(session, email=email)
        assert user is not None
        assert (user.role, user.name, user.recruiter_external_id, user.org_id) == (
            "admin",
            "Ada Admin",
            "rec-7",
            org.org_id,
        )
        assert (
            users_service.authenticate(
                session, email=email, password="long-password", counters=RateLimiter()
            ).outcome
            is LoginOutcome.OK
        )


def test_cli_user_create_prompts_for_the_password(
    cli_app: typer.Typer, org: OrgContext, engine: Engine
) -> None:
    email = _email()
    result = CliRunner().invoke(
        cli_app,
        ["user", "create", "--org", org.org_id, "--email", email],
        input="prompted-secret\nprompted-secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "prompted-secret" not in result.output
    with transaction(create_sessionmaker(engine)) as session:
        assert (
            users_service.authenticate(
                session, email=email, password="prompted-secret", counters=RateLimiter()
            ).outcome
            is LoginOutcome.OK
        )


def test_cli_user_create_refuses_duplicates_and_short_passwords(
    cli_app: typer.Typer, org: OrgContext
) -> None:
    email = _email()
    args = ["user", "create", "--org", org.org_id, "--email", email]
    assert CliRunner().invoke(cli_app, [*args, "--password", "long-password"]).exit_code == 0
    duplicate = CliRunner().invoke(cli_app, [*args, "--password", "long-password"])
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output
    short = CliRunner().invoke(
        cli_app, ["user", "create", "--org", org.org_id, "--email", _email(), "--password", "x"]
    )
    assert short.exit_code != 0
    assert "at least 8" in short.output
