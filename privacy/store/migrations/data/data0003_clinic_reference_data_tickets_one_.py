"""clinic reference data, tickets, one booking per slot

The clinic's providers, their hours, closed days and the billing answers are seeded here;
a change to them is a new migration.

Revision ID: data0003
Revises: data0002
Create Date: 2026-11-25 15:09:14.863796
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

# weekday: Monday 0 ... Friday 4; minutes after midnight, clinic time (America/Chicago).
PROVIDERS = [
    (
        "patel",
        "Dr. Maya Patel",
        "family medicine",
        "in_person,video,phone",
        True,
        [(d, 8 * 60, 12 * 60) for d in range(5)] + [(d, 13 * 60, 17 * 60) for d in range(5)],
    ),
    (
        "okafor",
        "Dr. Daniel Okafor",
        "internal medicine",
        "in_person,video",
        False,
        [(d, 9 * 60, 17 * 60) for d in (0, 1, 3)] + [(2, 12 * 60, 17 * 60)],
    ),
    ("ramirez", "Dr. Sofia Ramirez", "pediatrics", "in_person,video", True, [(d, 8 * 60, 16 * 60) for d in range(4)]),
    (
        "brooks",
        "Dr. Ethan Brooks",
        "dermatology",
        "in_person,video",
        True,
        [(1, 9 * 60, 15 * 60), (3, 9 * 60, 15 * 60), (4, 9 * 60, 12 * 60)],
    ),
    (
        "kim",
        "Grace Kim, NP",
        "family nurse practitioner",
        "in_person,video,phone",
        True,
        [(d, 10 * 60, 18 * 60) for d in range(5)],
    ),
]
CLOSURES = [
    (date(2026, 11, 26), "Thanksgiving"),
    (date(2026, 11, 27), "Day after Thanksgiving"),
    (date(2026, 12, 24), "Christmas Eve"),
    (date(2026, 12, 25), "Christmas Day"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 1, 18), "Martin Luther King Jr. Day"),
    (date(2027, 5, 31), "Memorial Day"),
    (date(2027, 7, 5), "Independence Day (observed)"),
    (date(2027, 9, 6), "Labor Day"),
    (date(2027, 11, 25), "Thanksgiving"),
    (date(2027, 11, 26), "Day after Thanksgiving"),
    (date(2027, 12, 24), "Christmas Eve"),
]
BILLING = [
    (
        "prices",
        "Visit prices without insurance: in person at the Frisco office $150, video visit $95, "
        "phone visit $65. With insurance you pay your plan's copay or coinsurance.",
    ),
    (
        "insurance",
        "We accept Aetna, Blue Cross Blue Shield of Texas, Cigna, UnitedHealthcare, Humana, "
        "Medicare and Texas Medicaid. Bring your insurance card to your visit.",
    ),
    (
        "payment",
        "You can pay by credit or debit card, HSA or FSA card, or cash at the front desk. "
        "We send a secure payment link for video and phone visits; never send card numbers in a message.",
    ),
    (
        "assistance",
        "If you have trouble paying, ask our billing team about a payment plan or our financial assistance program.",
    ),
]


revision = 'data0003'
down_revision = 'data0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'billing_info',
        sa.Column('topic', sa.String(length=32), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('topic', name=op.f('pk_billing_info')),
    )
    op.create_table(
        'closures',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_closures')),
    )
    op.create_table(
        'providers',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('specialty', sa.String(length=80), nullable=False),
        sa.Column('visit_types', sa.String(length=64), nullable=False),
        sa.Column('sees_children', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    )
    op.create_table(
        'provider_hours',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('provider_id', sa.String(length=32), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('start_minute', sa.Integer(), nullable=False),
        sa.Column('end_minute', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['provider_id'], ['providers.id'], name=op.f('fk_provider_hours_provider_id_providers')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_hours')),
    )
    with op.batch_alter_table('provider_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_hours_provider_id'), ['provider_id'], unique=False)

    op.create_table(
        'tickets',
        sa.Column('id', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('conversation_id', sa.String(length=64), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('summary', sa.LargeBinary(), nullable=False),
        sa.Column('emergency', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=80), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_tickets_subject_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_subject_id'), ['subject_id'], unique=False)

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(
            'uq_appointments_booked_slot',
            ['provider', 'starts_at'],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.create_foreign_key(batch_op.f('fk_appointments_provider_providers'), 'providers', ['provider'], ['id'])

    providers = sa.table(
        "providers",
        sa.column("id"),
        sa.column("name"),
        sa.column("specialty"),
        sa.column("visit_types"),
        sa.column("sees_children", sa.Boolean),
    )
    hours = sa.table(
        "provider_hours",
        sa.column("provider_id"),
        sa.column("weekday"),
        sa.column("start_minute"),
        sa.column("end_minute"),
    )
    op.bulk_insert(
        providers, [dict(id=p[0], name=p[1], specialty=p[2], visit_types=p[3], sees_children=p[4]) for p in PROVIDERS]
    )
    op.bulk_insert(
        hours,
        [
            dict(provider_id=p[0], weekday=d, start_minute=start, end_minute=end)
            for p in PROVIDERS
            for d, start, end in p[5]
        ],
    )
    op.bulk_insert(
        sa.table("closures", sa.column("day", sa.Date), sa.column("reason")),
        [dict(day=day, reason=reason) for day, reason in CLOSURES],
    )
    op.bulk_insert(
        sa.table("billing_info", sa.column("topic"), sa.column("answer")),
        [dict(topic=topic, answer=answer) for topic, answer in BILLING],
    )


def downgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointments_provider_providers'), type_='foreignkey')
        batch_op.drop_index(
            'uq_appointments_booked_slot',
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_subject_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_status'))
        batch_op.drop_index(batch_op.f('ix_tickets_conversation_id'))

    op.drop_table('tickets')
    with op.batch_alter_table('provider_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_hours_provider_id'))

    op.drop_table('provider_hours')
    op.drop_table('providers')
    op.drop_table('closures')
    op.drop_table('billing_info')
