"""one-time codes per claim

A code row for every identity check, matched or not: the keyed hash of the claimed identity and
of the conversation (for the limits), when it last failed, and whether a code was sent. Codes
outstanding at the upgrade are dropped (they last 10 minutes): the patient asks for a new one.

Revision ID: data0009
Revises: data0008
Create Date: 2026-12-02 01:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'data0009'
down_revision = 'data0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM one_time_codes"))
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.alter_column('subject_id', existing_type=sa.String(length=40), nullable=True)
        batch_op.add_column(sa.Column('claim_hash', sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column('conversation_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sent', sa.Boolean(), nullable=False))
        batch_op.create_index(batch_op.f('ix_one_time_codes_claim_hash'), ['claim_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_codes_conversation_hash'), ['conversation_hash'], unique=False)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM one_time_codes"))
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_codes_conversation_hash'))
        batch_op.drop_index(batch_op.f('ix_one_time_codes_claim_hash'))
        batch_op.drop_column('sent')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('conversation_hash')
        batch_op.drop_column('claim_hash')
        batch_op.alter_column('subject_id', existing_type=sa.String(length=40), nullable=False)
