"""score staleness indexes

Revision ID: 20261122_0002
Revises: 20261122_0001
Create Date: 2026-11-22 01:22:46.860572
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261122_0002'
down_revision: str | None = '20261122_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('candidate_scores', schema=None) as batch_op:
        batch_op.create_index('ix_candidate_scores_org_computed_as_of', ['org_id', 'computed_as_of'], unique=False)
        batch_op.create_index('ix_candidate_scores_org_settings_version', ['org_id', 'settings_version'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('candidate_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_candidate_scores_org_settings_version')
        batch_op.drop_index('ix_candidate_scores_org_computed_as_of')

