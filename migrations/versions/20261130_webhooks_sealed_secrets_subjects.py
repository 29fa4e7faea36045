"""webhooks: signing secrets sealed at rest (secret -> secret_sealed); message subjects

Revision ID: 20261130_hooks_2
Revises: 20261130_fair_1
Create Date: 2026-11-30 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.sealing import seal, unseal
from app.core.settings import get_settings

revision: str = '20261130_hooks_2'
down_revision: str | None = '20261130_fair_1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTEXT = b"followthrough/webhooks/signing-secret/v1"


def _secret_key() -> str:
    return get_settings().secret_key.get_secret_value()


def upgrade() -> None:
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_sealed', sa.Text(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT id, secret FROM webhook_subscriptions')).all()
    for row in rows:
        conn.execute(
            sa.text('UPDATE webhook_subscriptions SET secret_sealed = :s WHERE id = :id'),
            {"s": seal(row.secret, secret_key=_secret_key(), context=CONTEXT), "id": row.id},
        )
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.alter_column('secret_sealed', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('secret')
    with op.batch_alter_table('webhook_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.String(length=32), nullable=True))
        batch_op.create_index(
            'ix_webhook_messages_org_subject', ['org_id', 'subject_id', 'created_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('webhook_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_messages_org_subject')
        batch_op.drop_column('subject_id')
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.String(length=100), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT id, secret_sealed FROM webhook_subscriptions')).all()
    for row in rows:
        secret = unseal(row.secret_sealed, secret_key=_secret_key(), context=CONTEXT)
        conn.execute(
            sa.text('UPDATE webhook_subscriptions SET secret = :s WHERE id = :id'),
            {"s": secret or "", "id": row.id},
        )
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_column('secret_sealed')
