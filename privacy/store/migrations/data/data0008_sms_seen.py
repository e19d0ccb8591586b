"""sms seen

A keyed hash of every MessageSid received, kept for good: a replayed request is refused after
its sms_received row is deleted.

Revision ID: data0008
Revises: data0007
Create Date: 2026-12-01 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'data0008'
down_revision = 'data0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sms_seen', sa.Column('message_sid_hash', sa.String(length=64), primary_key=True))


def downgrade() -> None:
    op.drop_table('sms_seen')
