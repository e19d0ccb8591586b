"""staff accounts and sessions

Revision ID: data0005
Revises: data0004
Create Date: 2026-11-25 17:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'data0005'
down_revision = 'data0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_accounts',
        sa.Column('id', sa.String(length=24), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=24), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('totp_secret', sa.LargeBinary(), nullable=True),
        sa.Column('totp_step', sa.Integer(), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_staff_accounts_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_accounts')),
        sa.UniqueConstraint('username', name=op.f('uq_staff_accounts_username')),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('staff_id', sa.String(length=24), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['staff_id'], ['staff_accounts.id'], name=op.f('fk_staff_sessions_staff_id_staff_accounts')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    )
    op.create_index(op.f('ix_staff_sessions_staff_id'), 'staff_sessions', ['staff_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_staff_sessions_staff_id'), table_name='staff_sessions')
    op.drop_table('staff_sessions')
    op.drop_table('staff_accounts')
