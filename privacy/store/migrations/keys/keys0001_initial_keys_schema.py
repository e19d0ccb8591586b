"""initial keys schema

Revision ID: keys0001
Revises:
Create Date: 2026-11-25 14:18:50.268152
"""

import sqlalchemy as sa
from alembic import op

revision = 'keys0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('length', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head')),
    )
    op.create_table(
        'data_keys',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('kek_id', sa.String(length=64), nullable=False),
        sa.Column('wrapped', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys')),
    )
    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_keys_kek_id'), ['kek_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_keys_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'erased_keys',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erased_keys')),
    )
    with op.batch_alter_table('erased_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erased_keys_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'kek_checks',
        sa.Column('kek_id', sa.String(length=64), nullable=False),
        sa.Column('check_value', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('kek_id', name=op.f('pk_kek_checks')),
    )


def downgrade() -> None:
    op.drop_table('kek_checks')
    with op.batch_alter_table('erased_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erased_keys_subject_id'))

    op.drop_table('erased_keys')
    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_keys_subject_id'))
        batch_op.drop_index(batch_op.f('ix_data_keys_kek_id'))

    op.drop_table('data_keys')
    op.drop_table('audit_head')
