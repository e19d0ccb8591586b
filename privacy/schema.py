"""Tables of the data database and of the key store (SQLAlchemy Core).

Columns holding personal or health data are LargeBinary ciphertexts (see crypto.py);
lookups go through blind-index columns (keyed HMACs), never through plaintext.
The key store is a separate database so that backups of the data never carry keys.
"""
from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

data = MetaData(naming_convention=NAMING)

# A data subject: a patient, or a conversation not (yet) linked to one. Each has its own data key.
subjects = Table(
    "subjects", data,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("linked_to", String(40), ForeignKey("subjects.id"), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
)

patients = Table(
    "patients", data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, unique=True),
    Column("name", LargeBinary, nullable=False),
    Column("birth_date", LargeBinary, nullable=False),
    Column("phone", LargeBinary),
    Column("email", LargeBinary),
    Column("address", LargeBinary),
    Column("phone_index", String(64), index=True),
    Column("email_index", String(64), index=True),
    Column("name_birth_index", String(64), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

appointments = Table(
    "appointments", data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("provider", String(80), nullable=False),
    Column("visit_type", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Intake answers, symptoms, medications, allergies, conditions.
health_records = Table(
    "health_records", data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("category", String(32), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("appointment_id", String(40), ForeignKey("appointments.id"), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A conversation: its id is a keyed HMAC of the channel's sender id; the sender id itself is encrypted.
conversations = Table(
    "conversations", data,
    Column("id", String(64), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("sender", LargeBinary, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("session_start", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per Rasa event, encrypted with the conversation's key; only the event type is plain.
conversation_events = Table(
    "conversation_events", data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(64), ForeignKey("conversations.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type_name", String(48), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("data", LargeBinary, nullable=False),
    UniqueConstraint("conversation_id", "seq", name="uq_conversation_events_conversation_seq"),
)

# Append-only, chained: each entry carries the keyed hash of the one before.
audit_log = Table(
    "audit_log", data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(48), nullable=False),
    Column("subject", String(64)),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),
    # Unique: two writers appending after the same entry cannot both succeed.
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
)

keys = MetaData(naming_convention=NAMING)

data_keys = Table(
    "data_keys", keys,
    Column("id", String(36), primary_key=True),
    Column("subject_id", String(40), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("kek_id", String(64), nullable=False, index=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# What remains of a destroyed key: the fact, never the key.
erased_keys = Table(
    "erased_keys", keys,
    Column("id", String(36), primary_key=True),
    Column("subject_id", String(40), nullable=False, index=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)

# One value per key-encryption key, sealed with it, to detect a wrong key at start.
kek_checks = Table(
    "kek_checks", keys,
    Column("kek_id", String(64), primary_key=True),
    Column("check_value", LargeBinary, nullable=False),
)

# The audit chain's latest hash and length, kept apart from the data so truncation shows.
audit_head = Table(
    "audit_head", keys,
    Column("id", Integer, primary_key=True),
    Column("length", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
