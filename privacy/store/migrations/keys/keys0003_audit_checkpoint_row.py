"""audit checkpoint row

The key store holds the audit chain's checkpoint in one row. Creating it here, not on
the first append, means concurrent first appends only ever update it.

Revision ID: keys0003
Revises: keys0002
Create Date: 2026-11-25 22:20:00
"""

from alembic import op

revision = 'keys0003'
down_revision = 'keys0002'
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.execute(
        "INSERT INTO audit_head (id, length, hash, base_seq, base_hash) "
        f"SELECT 1, 0, '{GENESIS}', 0, '{GENESIS}' WHERE NOT EXISTS (SELECT 1 FROM audit_head)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM audit_head WHERE length = 0")
