"""consent, rights, retention

Revision ID: data0002
Revises: data0001
Create Date: 2026-11-25 14:55:38.123724
"""

import sqlalchemy as sa
from alembic import op

revision = 'data0002'
down_revision = 'data0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'consent_ledger',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('policy_version', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('wording', sa.Text(), nullable=False),
        sa.Column('acted_by', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_consent_ledger_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_ledger')),
    )
    with op.batch_alter_table('consent_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_ledger_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'disclosures',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('recipient', sa.String(length=120), nullable=False),
        sa.Column('basis', sa.String(length=24), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('categories', sa.String(length=200), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_disclosures_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures')),
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosures_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'legal_holds',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('placed_by', sa.String(length=80), nullable=False),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_legal_holds_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds')),
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'one_time_codes',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_one_time_codes_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_codes')),
    )
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_codes_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'outbox',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('recipient', sa.LargeBinary(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_outbox_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'representatives',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('representative_id', sa.String(length=40), nullable=False),
        sa.Column('relationship', sa.String(length=32), nullable=False),
        sa.Column('recorded_by', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['representative_id'], ['subjects.id'], name=op.f('fk_representatives_representative_id_subjects')
        ),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_representatives_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_representatives')),
        sa.UniqueConstraint('subject_id', 'representative_id', name='uq_representatives_pair'),
    )
    with op.batch_alter_table('representatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_representatives_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'rights_requests',
        sa.Column('id', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.String(length=80), nullable=False),
        sa.Column('record_subject_id', sa.String(length=40), nullable=False),
        sa.Column('details', sa.LargeBinary(), nullable=True),
        sa.Column('outcome', sa.LargeBinary(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['record_subject_id'], ['subjects.id'], name=op.f('fk_rights_requests_record_subject_id_subjects')
        ),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_rights_requests_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_requests')),
    )
    with op.batch_alter_table('rights_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_requests_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_requests_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'corrections',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('request_id', sa.String(length=16), nullable=True),
        sa.Column('target', sa.String(length=80), nullable=False),
        sa.Column('old_value', sa.LargeBinary(), nullable=True),
        sa.Column('new_value', sa.LargeBinary(), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['request_id'], ['rights_requests.id'], name=op.f('fk_corrections_request_id_rights_requests')
        ),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_corrections_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections')),
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'exports',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('request_id', sa.String(length=16), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['request_id'], ['rights_requests.id'], name=op.f('fk_exports_request_id_rights_requests')
        ),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_exports_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exports')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_exports_token_hash')),
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exports_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exports_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'request_history',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('request_id', sa.String(length=16), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('note', sa.LargeBinary(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['request_id'], ['rights_requests.id'], name=op.f('fk_request_history_request_id_rights_requests')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_history')),
    )
    with op.batch_alter_table('request_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_history_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_subject'), ['subject'], unique=False)

    with op.batch_alter_table('health_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amends', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_health_records_amends'), ['amends'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_health_records_amends_health_records'), 'health_records', ['amends'], ['id']
        )

    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('restriction_rule', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_column('restriction_rule')
        batch_op.drop_column('restricted_until')

    with op.batch_alter_table('health_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_health_records_amends_health_records'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_health_records_amends'))
        batch_op.drop_column('amends')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_subject'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    with op.batch_alter_table('request_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_history_request_id'))

    op.drop_table('request_history')
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_subject_id'))
        batch_op.drop_index(batch_op.f('ix_exports_expires_at'))

    op.drop_table('exports')
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_subject_id'))

    op.drop_table('corrections')
    with op.batch_alter_table('rights_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_requests_subject_id'))
        batch_op.drop_index(batch_op.f('ix_rights_requests_status'))
        batch_op.drop_index(batch_op.f('ix_rights_requests_due_at'))

    op.drop_table('rights_requests')
    with op.batch_alter_table('representatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_representatives_subject_id'))

    op.drop_table('representatives')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_subject_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_codes_subject_id'))

    op.drop_table('one_time_codes')
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_holds_subject_id'))

    op.drop_table('legal_holds')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosures_subject_id'))

    op.drop_table('disclosures')
    with op.batch_alter_table('consent_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_ledger_subject_id'))

    op.drop_table('consent_ledger')
