"""sms received by sender

A new message first looks up the same sender's earlier messages not yet handled.

Revision ID: data0007
Revises: data0006
Create Date: 2026-11-25 22:40:00
"""

from alembic import op

revision = 'data0007'
down_revision = 'data0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_sms_received_sender_id_received_at', 'sms_received', ['sender_id', 'received_at'])


def downgrade() -> None:
    op.drop_index('ix_sms_received_sender_id_received_at', table_name='sms_received')
