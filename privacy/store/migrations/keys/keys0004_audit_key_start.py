"""audit key start

The audit chain's HMAC moves from a key derived from VAULT_INDEX_KEY to VAULT_AUDIT_KEY. The
vault's upgrade (`python -m privacy migrate`) records here, sealed with the audit key, the first
entry hashed with it: the chain's end at that moment. Stop the processes of the older code first,
so that none appends after that point with the index key.

Revision ID: keys0004
Revises: keys0003
Create Date: 2026-12-02 00:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'keys0004'
down_revision = 'keys0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_key_from', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('audit_key_after', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('audit_key_seal', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('audit_key_seal')
        batch_op.drop_column('audit_key_after')
        batch_op.drop_column('audit_key_from')
