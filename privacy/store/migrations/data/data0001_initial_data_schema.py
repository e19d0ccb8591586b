"""initial data schema

Revision ID: data0001
Revises:
Create Date: 2026-11-25 14:18:50.253858
"""

import sqlalchemy as sa
from alembic import op

revision = 'data0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('action', sa.String(length=48), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
        sa.UniqueConstraint('hash', name=op.f('uq_audit_log_hash')),
        sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_log_prev_hash')),
        sa.UniqueConstraint('seq', name=op.f('uq_audit_log_seq')),
    )
    op.create_table(
        'subjects',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('linked_to', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['linked_to'], ['subjects.id'], name=op.f('fk_subjects_linked_to_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subjects')),
    )
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subjects_linked_to'), ['linked_to'], unique=False)

    op.create_table(
        'appointments',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('provider', sa.String(length=80), nullable=False),
        sa.Column('visit_type', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_appointments_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'conversations',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('sender', sa.LargeBinary(), nullable=False),
        sa.Column('event_count', sa.Integer(), nullable=False),
        sa.Column('session_start', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_conversations_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'patients',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('name', sa.LargeBinary(), nullable=False),
        sa.Column('birth_date', sa.LargeBinary(), nullable=False),
        sa.Column('phone', sa.LargeBinary(), nullable=True),
        sa.Column('email', sa.LargeBinary(), nullable=True),
        sa.Column('address', sa.LargeBinary(), nullable=True),
        sa.Column('phone_index', sa.String(length=64), nullable=True),
        sa.Column('email_index', sa.String(length=64), nullable=True),
        sa.Column('name_birth_index', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_patients_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
        sa.UniqueConstraint('subject_id', name=op.f('uq_patients_subject_id')),
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_email_index'), ['email_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_patients_name_birth_index'), ['name_birth_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_patients_phone_index'), ['phone_index'], unique=False)

    op.create_table(
        'conversation_events',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('conversation_id', sa.String(length=64), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('type_name', sa.String(length=48), nullable=False),
        sa.Column('timestamp', sa.Float(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_events_conversation_id_conversations')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_events')),
        sa.UniqueConstraint('conversation_id', 'seq', name='uq_conversation_events_conversation_seq'),
    )
    op.create_table(
        'health_records',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('value', sa.LargeBinary(), nullable=False),
        sa.Column('appointment_id', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['appointment_id'], ['appointments.id'], name=op.f('fk_health_records_appointment_id_appointments')
        ),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_health_records_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_health_records')),
    )
    with op.batch_alter_table('health_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_records_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_records_subject_id'), ['subject_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('health_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_records_subject_id'))
        batch_op.drop_index(batch_op.f('ix_health_records_appointment_id'))

    op.drop_table('health_records')
    op.drop_table('conversation_events')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_phone_index'))
        batch_op.drop_index(batch_op.f('ix_patients_name_birth_index'))
        batch_op.drop_index(batch_op.f('ix_patients_email_index'))

    op.drop_table('patients')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_subject_id'))

    op.drop_table('conversations')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_subject_id'))

    op.drop_table('appointments')
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subjects_linked_to'))

    op.drop_table('subjects')
    op.drop_table('audit_log')
