"""Dialect-aware INSERT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite)."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(
    session: Session,
    model: Any,
    values: dict[str, Any],
    *,
    conflict_columns: list[str],
) -> bool:
    """Insert one row unless it conflicts on `conflict_columns`; return whether it was new.

    Concurrent inserts of the same key are resolved by the database: exactly one wins, the
    others wait for it and then do nothing.
    """
    rows = insert_many_ignore(session, model, [values], conflict_columns=conflict_columns)
    return rows == 1


def insert_many_ignore(
    session: Session,
    model: Any,
    rows: list[dict[str, Any]],
    *,
    conflict_columns: list[str],
) -> int:
    """Insert rows, skipping those that conflict; return how many were inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    full_rows = [_with_defaults(model, r) for r in rows]
    module: Any = postgresql if dialect == "postgresql" else sqlite
    key = next(iter(model.__table__.primary_key.columns))
    stmt = (
        module.insert(model).on_conflict_do_nothing(index_elements=conflict_columns).returning(key)
    )
    # RETURNING names exactly the rows inserted; rowcount is unreliable for executemany.
    result = session.connection().execute(stmt, full_rows)
    return len(result.fetchall())


def _with_defaults(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Fill Python-side column defaults, which Core inserts with explicit rows would skip."""
    out = dict(values)
    for column in model.__table__.columns:
        if column.key in out or column.default is None:
            continue
        default = column.default
        if default.is_callable:
            out[column.key] = default.arg(None)
        elif default.is_scalar:
            out[column.key] = default.arg
    return out
