"""Tables of the data database and of the key store (SQLAlchemy Core).

Columns holding personal or health data are LargeBinary ciphertexts (see privacy/crypto/envelope.py);
lookups go through blind-index columns (keyed HMACs), never through plaintext.
The key store is a separate database so that backups of the data never carry keys.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
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
    "subjects",
    data,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("linked_to", String(40), ForeignKey("subjects.id"), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
    # Set when erasure had to wait for a legal retention period: no processing until then.
    Column("restricted_until", DateTime(timezone=True)),
    Column("restriction_rule", String(120)),
)

patients = Table(
    "patients",
    data,
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

# The clinic's reference data (seeded by migration): providers, their hours, closed days, prices.
providers = Table(
    "providers",
    data,
    Column("id", String(32), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("specialty", String(80), nullable=False),
    Column("visit_types", String(64), nullable=False),
    Column("sees_children", Boolean, nullable=False),
)

provider_hours = Table(
    "provider_hours",
    data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider_id", String(32), ForeignKey("providers.id"), nullable=False, index=True),
    Column("weekday", Integer, nullable=False),
    Column("start_minute", Integer, nullable=False),
    Column("end_minute", Integer, nullable=False),
)

closures = Table("closures", data, Column("day", Date, primary_key=True), Column("reason", String(80), nullable=False))

billing_info = Table(
    "billing_info", data, Column("topic", String(32), primary_key=True), Column("answer", Text, nullable=False)
)

appointments = Table(
    "appointments",
    data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("provider", String(80), ForeignKey("providers.id"), nullable=False),
    Column("visit_type", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Two patients can never hold the same provider's slot.
    Index(
        "uq_appointments_booked_slot",
        "provider",
        "starts_at",
        unique=True,
        sqlite_where=text("status = 'booked'"),
        postgresql_where=text("status = 'booked'"),
    ),
)

# Work for people: a handed-off conversation, a refill for the care team, a billing question.
tickets = Table(
    "tickets",
    data,
    Column("id", String(16), primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("conversation_id", String(64), index=True),
    Column("channel", String(16), nullable=False),
    Column("summary", LargeBinary, nullable=False),
    Column("emergency", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_by", String(80)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
)

# Intake answers, symptoms, medications, allergies, conditions.
health_records = Table(
    "health_records",
    data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("category", String(32), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("appointment_id", String(40), ForeignKey("appointments.id"), index=True),
    # An amendment points to the record it corrects; the original is kept (HIPAA amendment rule).
    Column("amends", String(40), ForeignKey("health_records.id"), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A conversation: its id is a keyed HMAC of the channel's sender id; the sender id itself is encrypted.
conversations = Table(
    "conversations",
    data,
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
    "conversation_events",
    data,
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
    "audit_log",
    data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(48), nullable=False, index=True),
    Column("subject", String(64), index=True),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),
    # Unique: two writers appending after the same entry cannot both succeed.
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
)

# Append-only: the current consent of a subject for a purpose is its latest entry.
consent_ledger = Table(
    "consent_ledger",
    data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("purpose", String(32), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("wording", Text, nullable=False),
    Column("acted_by", String(80), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# A parent or guardian who acts for a patient under 18.
representatives = Table(
    "representatives",
    data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("representative_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("relationship", String(32), nullable=False),
    Column("recorded_by", String(80), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("subject_id", "representative_id", name="uq_representatives_pair"),
)

rights_requests = Table(
    "rights_requests",
    data,
    Column("id", String(16), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("status", String(24), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("requested_by", String(80), nullable=False),
    # Details (what to correct...) are sealed with the patient's key and erased with them; the
    # outcome and history are sealed with the request's own key and kept as proof of handling.
    Column("record_subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("details", LargeBinary),
    Column("outcome", LargeBinary),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False, index=True),
    Column("closed_at", DateTime(timezone=True)),
)

request_history = Table(
    "request_history",
    data,
    Column("id", String(40), primary_key=True),
    Column("request_id", String(16), ForeignKey("rights_requests.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("status", String(24), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("note", LargeBinary),
    Column("at", DateTime(timezone=True), nullable=False),
)

one_time_codes = Table(
    "one_time_codes",
    data,
    Column("id", String(40), primary_key=True),
    # None: the claimed identity matches no patient (privacy/subjects/identity.py)
    Column("subject_id", String(40), ForeignKey("subjects.id"), index=True),
    # keyed hashes of the claimed identity and of the conversation, for the limits
    Column("claim_hash", String(64), nullable=False, index=True),
    Column("conversation_hash", String(64), index=True),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", DateTime(timezone=True)),
    Column("sent", Boolean, nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# Messages waiting to be delivered (SMS, e-mail); recipient and body encrypted.
outbox = Table(
    "outbox",
    data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("recipient", LargeBinary, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
)

# Phone numbers that texted the clinic, under their pseudonymous sender id (the conversation's key).
sms_senders = Table(
    "sms_senders",
    data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("phone", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Twilio message ids already handled: a retried webhook is answered once.
# Twilio messages received: each handled once. Until it is handled, the request is kept
# (sealed with the conversation's key) and claimed by one process for a short lease that the
# process renews while it lives; a message whose lease ran out is taken over by another.
sms_received = Table(
    "sms_received",
    data,
    Column("message_sid", String(64), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
    Column("sender_id", String(40)),
    Column("request", LargeBinary),
    Column("handled_at", DateTime(timezone=True)),
    Column("claimed_by", String(32)),
    Column("claimed_until", DateTime(timezone=True), index=True),
    Index("ix_sms_received_sender_id_received_at", "sender_id", "received_at"),  # a sender's earlier messages
)

# Every MessageSid ever received, as a keyed hash, kept for good: a captured signed request
# replayed after its sms_received row is gone is still refused. No patient data.
sms_seen = Table("sms_seen", data, Column("message_sid_hash", String(64), primary_key=True))

# Staff of the console (privacy/clinic/staff.py); the TOTP secret is sealed with the account's own key.
staff_accounts = Table(
    "staff_accounts",
    data,
    Column("id", String(24), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(24), nullable=False),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("totp_secret", LargeBinary),
    Column("totp_step", Integer),  # the time step of the last code accepted: a code works once
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Console sessions: the SHA-256 of the browser's token, never the token.
staff_sessions = Table(
    "staff_sessions",
    data,
    Column("id", String(64), primary_key=True),
    Column("staff_id", String(24), ForeignKey("staff_accounts.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

# Accounting of disclosures: every share with a provider or service provider.
disclosures = Table(
    "disclosures",
    data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("recipient", String(120), nullable=False),
    Column("basis", String(24), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("categories", String(200), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# A correction keeps the old and the new value, both encrypted.
corrections = Table(
    "corrections",
    data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("request_id", String(16), ForeignKey("rights_requests.id")),
    Column("target", String(80), nullable=False),
    Column("old_value", LargeBinary),
    Column("new_value", LargeBinary, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Portable copies waiting to be downloaded: encrypted, reachable by a token that expires.
exports = Table(
    "exports",
    data,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("request_id", String(16), ForeignKey("rights_requests.id")),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("downloaded_at", DateTime(timezone=True)),
)

legal_holds = Table(
    "legal_holds",
    data,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(40), ForeignKey("subjects.id"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("placed_by", String(80), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True)),
)

keys = MetaData(naming_convention=NAMING)

data_keys = Table(
    "data_keys",
    keys,
    Column("id", String(36), primary_key=True),
    Column("subject_id", String(40), nullable=False, index=True),
    # "main" (identity, health data, conversation) or "contact" (phone, e-mail, address, messages):
    # contact details can be erased while medical records must still be kept.
    Column("scope", String(16), nullable=False, server_default="main"),
    Column("version", Integer, nullable=False),
    Column("kek_id", String(64), nullable=False, index=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # What the wrapping's associated data binds: 1, the key's id and version; 2, also its subject
    # and scope (privacy/crypto/keystore.py). Rows of version 1 are re-wrapped by `migrate`.
    Column("aad_version", Integer, nullable=False, server_default="1"),
)

# What remains of a destroyed key: the fact, never the key.
erased_keys = Table(
    "erased_keys",
    keys,
    Column("id", String(36), primary_key=True),
    Column("subject_id", String(40), nullable=False, index=True),
    Column("scope", String(16), nullable=False, server_default="main"),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)

# One value per key-encryption key, sealed with it, to detect a wrong key at start.
kek_checks = Table(
    "kek_checks",
    keys,
    Column("kek_id", String(64), primary_key=True),
    Column("check_value", LargeBinary, nullable=False),
)

# The audit chain's latest hash and length, kept apart from the data so truncation shows;
# and its base: the last entry removed by retention, which the oldest kept entry chains to.
audit_head = Table(
    "audit_head",
    keys,
    Column("id", Integer, primary_key=True),
    Column("length", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("base_seq", Integer, nullable=False, server_default="0"),
    Column("base_hash", String(64), nullable=False, server_default="0" * 64),
    # Where the audit key starts: entries from audit_key_from on are hashed with VAULT_AUDIT_KEY,
    # older ones with the index key's derivation; audit_key_after is the hash of the entry before
    # it, and audit_key_seal the audit key's HMAC of both, so the start cannot be moved without it.
    Column("audit_key_from", Integer),
    Column("audit_key_after", String(64)),
    Column("audit_key_seal", String(64)),
)

# Seeded by migrations rather than written by the application: not part of a backup.
REFERENCE_TABLES = (providers, provider_hours, closures, billing_info)
