"""key scopes, audit base

Revision ID: keys0002
Revises: keys0001
Create Date: 2026-11-25 14:46:22.943216
"""

import sqlalchemy as sa
from alembic import op

revision = 'keys0002'
down_revision = 'keys0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base_seq', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(
            sa.Column(
                'base_hash',
                sa.String(length=64),
                server_default='0000000000000000000000000000000000000000000000000000000000000000',
                nullable=False,
            )
        )

    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='main', nullable=False))

    with op.batch_alter_table('erased_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='main', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('erased_keys', schema=None) as batch_op:
        batch_op.drop_column('scope')

    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.drop_column('scope')

    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('base_hash')
        batch_op.drop_column('base_seq')
