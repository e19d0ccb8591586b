"""sms senders and received messages

Revision ID: data0004
Revises: data0003
Create Date: 2026-11-25 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'data0004'
down_revision = 'data0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sms_senders',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('phone', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_sms_senders_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_senders')),
    )
    op.create_index(op.f('ix_sms_senders_subject_id'), 'sms_senders', ['subject_id'], unique=False)
    op.create_table(
        'sms_received',
        sa.Column('message_sid', sa.String(length=64), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('message_sid', name=op.f('pk_sms_received')),
    )
    op.create_index(op.f('ix_sms_received_received_at'), 'sms_received', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sms_received_received_at'), table_name='sms_received')
    op.drop_table('sms_received')
    op.drop_index(op.f('ix_sms_senders_subject_id'), table_name='sms_senders')
    op.drop_table('sms_senders')
