"""dirty candidates: facts changed, derivation pending

Revision ID: 20261130_perf_1
Revises: 20261130_hooks_2
Create Date: 2026-11-30 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_perf_1"
down_revision: str | None = "20261130_hooks_2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dirty_candidates",
        sa.Column("candidate_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_dirty_candidates_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_dirty_candidates_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_dirty_candidates")),
    )
    op.create_index(
        "ix_dirty_candidates_org_marked", "dirty_candidates", ["org_id", "marked_at"], unique=False
    )
    # Candidates existing before this revision were derived on write; none is pending.


def downgrade() -> None:
    op.drop_index("ix_dirty_candidates_org_marked", table_name="dirty_candidates")
    op.drop_table("dirty_candidates")
