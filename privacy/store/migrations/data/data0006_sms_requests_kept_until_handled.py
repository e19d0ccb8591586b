"""sms requests kept until handled

Revision ID: data0006
Revises: data0005
Create Date: 2026-11-25 19:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'data0006'
down_revision = 'data0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sms_received') as batch:
        batch.add_column(sa.Column('sender_id', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('request', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('claimed_by', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f('ix_sms_received_claimed_until'), ['claimed_until'], unique=False)
    op.execute("UPDATE sms_received SET handled_at = received_at")  # received before: handled


def downgrade() -> None:
    with op.batch_alter_table('sms_received') as batch:
        batch.drop_index(batch.f('ix_sms_received_claimed_until'))
        for column in ('claimed_until', 'claimed_by', 'handled_at', 'request', 'sender_id'):
            batch.drop_column(column)
