"""Migrations: the real ones build the schema, downgrade cleanly, and match the models."""

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.core import migrate
from app.core.db import create_engine_for
from app.models import Base


@pytest.fixture
def scratch_engine(engine: Engine, tmp_path: object) -> Iterator[Engine]:
    """An empty database of the same kind as the test database."""
    if engine.dialect.name == "sqlite":
        scratch = create_engine_for(f"sqlite:///{tmp_path}/scratch.db")
        yield scratch
        scratch.dispose()
        return
    name = f"ft_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = create_engine_for(make_url(engine.url).set(database=name).render_as_string(False))
    try:
        yield scratch
    finally:
        scratch.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_upgrade_from_empty_downgrade_and_upgrade_again(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    tables = set(inspect(scratch_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    migrate.downgrade(scratch_engine, "base")
    assert set(inspect(scratch_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(scratch_engine)
    assert set(Base.metadata.tables) <= set(inspect(scratch_engine).get_table_names())


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_table_carries_org_id() -> None:
    for name, table in Base.metadata.tables.items():
        if name == "organisations":
            continue
        assert "org_id" in table.columns, name
