"""inbound integrations: connections, deliveries, unmatched mail, provider links

Revision ID: 20261130_integr_1
Revises: 20261130_hooks_1
Create Date: 2026-11-30 11:05:07.426089
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261130_integr_1'
down_revision: str | None = '20261130_hooks_1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('integration_connections',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret_sealed', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_integration_connections_org_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_connections'))
    )
    with op.batch_alter_table('integration_connections', schema=None) as batch_op:
        batch_op.create_index('ix_integration_connections_org_id', ['org_id'], unique=False)

    op.create_table('integration_deliveries',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('nonce', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('event_ids', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['integration_connections.id'], name=op.f('fk_integration_deliveries_connection_id_integration_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_integration_deliveries_org_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_deliveries')),
    sa.UniqueConstraint('connection_id', 'key', name=op.f('uq_integration_deliveries_connection_id_key')),
    sa.UniqueConstraint('connection_id', 'nonce', name=op.f('uq_integration_deliveries_connection_id_nonce'))
    )
    with op.batch_alter_table('integration_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_integration_deliveries_connection_received', ['connection_id', 'received_at'], unique=False)

    op.create_table('integration_links',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_integration_links_candidate_id_candidates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_integration_links_org_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_links')),
    sa.UniqueConstraint('org_id', 'provider', 'ref', name=op.f('uq_integration_links_org_id_provider_ref'))
    )
    with op.batch_alter_table('integration_links', schema=None) as batch_op:
        batch_op.create_index('ix_integration_links_candidate_id', ['candidate_id'], unique=False)

    op.create_table('integration_unmatched_mail',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=True),
    sa.Column('sender', sa.String(length=320), nullable=True),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('assigned', sa.Boolean(), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=True),
    sa.Column('event_external_id', sa.String(length=200), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_integration_unmatched_mail_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['connection_id'], ['integration_connections.id'], name=op.f('fk_integration_unmatched_mail_connection_id_integration_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_integration_unmatched_mail_org_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_unmatched_mail'))
    )
    with op.batch_alter_table('integration_unmatched_mail', schema=None) as batch_op:
        batch_op.create_index('ix_integration_unmatched_mail_connection', ['connection_id', 'assigned', 'received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('integration_unmatched_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_integration_unmatched_mail_connection')

    op.drop_table('integration_unmatched_mail')
    with op.batch_alter_table('integration_links', schema=None) as batch_op:
        batch_op.drop_index('ix_integration_links_candidate_id')

    op.drop_table('integration_links')
    with op.batch_alter_table('integration_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_integration_deliveries_connection_received')

    op.drop_table('integration_deliveries')
    with op.batch_alter_table('integration_connections', schema=None) as batch_op:
        batch_op.drop_index('ix_integration_connections_org_id')

    op.drop_table('integration_connections')
