"""data key aad version

A data key's wrapping binds its subject and scope too (associated data version 2). The keys
wrapped before keep version 1 and open as before until the vault's upgrade (`python -m privacy
migrate`) or `rotate-keys` re-wraps them.

Revision ID: keys0005
Revises: keys0004
Create Date: 2026-12-02 00:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'keys0005'
down_revision = 'keys0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aad_version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.drop_column('aad_version')
