"""dirty candidates remember the first instant their new facts affect

Revision ID: 20261130_incr_1
Revises: 20261130_perf_1
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_incr_1"
down_revision: str | None = "20261130_perf_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL (every mark made before this revision too) means: rebuild from the first event.
    op.add_column(
        "dirty_candidates", sa.Column("affected_from", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("dirty_candidates") as batch:
        batch.drop_column("affected_from")
