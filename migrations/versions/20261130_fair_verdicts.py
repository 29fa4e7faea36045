"""fair verdicts: events.needs_reply, events.body_key, exchanges.counts_for_latency

`needs_reply` and `body_key` are read from the text at ingest (the body may be redacted
afterwards); rows stored before this revision are filled from what is still stored.

Revision ID: 20261130_fair_1
Revises: 20261130_lang_1
Create Date: 2026-11-30 11:30:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_fair_1"
down_revision: str | None = "20261130_lang_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("needs_reply", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("body_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counts_for_latency", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    _backfill()


def _backfill() -> None:
    from app.events.domain import body_key_of, detect_needs_reply

    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id", sa.String),
        sa.column("direction", sa.String),
        sa.column("type", sa.String),
        sa.column("outcome", sa.String),
        sa.column("auto_reply", sa.Boolean),
        sa.column("subject", sa.Text),
        sa.column("body", sa.Text),
        sa.column("intents", sa.JSON),
        sa.column("needs_reply", sa.Boolean),
        sa.column("body_key", sa.String),
    )
    rows = bind.execute(
        sa.select(
            events.c.id,
            events.c.direction,
            events.c.type,
            events.c.outcome,
            events.c.auto_reply,
            events.c.subject,
            events.c.body,
            events.c.intents,
        )
    ).all()
    updates: list[dict[str, Any]] = []
    for row in rows:
        intents = row.intents
        if isinstance(intents, str):
            intents = json.loads(intents)
        updates.append(
            {
                "row_id": row.id,
                "needs_reply": detect_needs_reply(
                    direction=row.direction,
                    type_=row.type,
                    outcome=row.outcome,
                    auto_reply=bool(row.auto_reply),
                    text=row.body if row.body is not None else row.subject,
                    intents=[
                        (str(i.get("intent")), str(i.get("evidence") or ""))
                        for i in intents or []
                    ],
                ),
                "body_key": body_key_of(row.body),
            }
        )
    if updates:
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(needs_reply=sa.bindparam("needs_reply"), body_key=sa.bindparam("body_key")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.drop_column("counts_for_latency")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("body_key")
        batch_op.drop_column("needs_reply")
