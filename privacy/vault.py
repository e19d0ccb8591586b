"""The vault's entry point: `Vault.open()` checks keys and schema, then offers the sub-APIs.

vault = Vault.open()
patient = vault.patients.register("Ada Lovelace", date(1990, 12, 10), phone="469 555 0100",
                                  actor="staff:grace", reason="new patient at the front desk")
vault.records.put(patient.subject_id, "allergy", "penicillin", actor="patient", reason="intake")
vault.subjects.erase(patient.subject_id, actor="privacy_officer:ida", reason="deletion request 42")

This is the one place that sees every part: each sub-API is given what it uses (engines, clock,
sealer, indexer, audit log, other sub-APIs), so they are made here in dependency order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from privacy.clinic.appointments import Appointments
from privacy.clinic.reference import Clinic
from privacy.clinic.staff import StaffAccounts
from privacy.clinic.tickets import Tickets
from privacy.clock import Clock, utc_now
from privacy.compliance.audit import AuditLog
from privacy.compliance.consent import Consent
from privacy.compliance.deidentify import Research
from privacy.compliance.disclosures import Disclosures
from privacy.compliance.retention import Retention
from privacy.compliance.rights.copies import Copies
from privacy.compliance.rights.correction import Correction
from privacy.compliance.rights.deletion import Deletion
from privacy.compliance.rights.exports import Exports
from privacy.compliance.rights.held import HeldData
from privacy.compliance.rights.lifecycle import Rights
from privacy.compliance.rights.requests import Requests
from privacy.config import VaultConfig
from privacy.crypto.indexer import Indexer
from privacy.crypto.keyring import KeyProvider, KeyRing
from privacy.crypto.keystore import KeyStore
from privacy.crypto.sealing import Sealer
from privacy.messaging.inbox import SmsInbox
from privacy.messaging.outbox import Outbox
from privacy.messaging.senders import SmsSenders
from privacy.store import migrate
from privacy.store.db import make_engine
from privacy.subjects.conversations import Conversations
from privacy.subjects.identity import Identity
from privacy.subjects.patients import Patients
from privacy.subjects.records import Records
from privacy.subjects.subjects import Subjects


class Vault:
    def __init__(
        self,
        config: VaultConfig,
        *,
        clock: Clock = utc_now,
        key_provider: Optional[KeyProvider] = None,
        upgrade: bool = False,
    ):
        self.config = config
        self.now = clock
        self.data = make_engine(config.database_url, password=config.database_password)
        self.keys = make_engine(config.keystore_url, key_store=True, password=config.database_password)
        for part, engine in (("data", self.data), ("keys", self.keys)):
            if upgrade:
                migrate.upgrade(part, engine)
            else:
                migrate.check(part, engine)
        self.keystore = KeyStore(self.keys, key_provider or KeyRing(config.key_ring))
        self.keystore.check_keys()
        self.indexer = Indexer(config.index_key)
        self.sealer = Sealer(self.keystore)
        self.audit = AuditLog(self.data, self.keys, Indexer(config.audit_key), self.indexer, clock)
        if upgrade:
            self._upgrade_keys()
        self._wire()

    def _upgrade_keys(self) -> None:
        """What the key store's migrations need the keys for: data keys re-wrapped with the current
        associated data, and the audit key's start recorded."""
        self.keystore.upgrade_wrapping()
        self.audit.start_audit_key()

    def _wire(self) -> None:
        """Make the sub-APIs, each after what it uses."""
        data, clock, indexer, sealer, audit = self.data, self.now, self.indexer, self.sealer, self.audit
        # subjects and what is kept about them
        self.subjects = Subjects(data, clock, self.keystore, audit)
        self.patients = Patients(data, clock, indexer, sealer, audit, self.subjects)
        self.records = Records(data, clock, sealer, audit, self.subjects)
        self.conversations = Conversations(data, clock, indexer, sealer, self.keystore, self.subjects)
        # consent, and the messages it governs (identity codes go out through the outbox)
        self.consent = Consent(data, clock, sealer, audit)
        self.outbox = Outbox(data, clock, sealer, audit, self.consent)
        self.identity = Identity(data, clock, indexer, audit, self.patients, self.outbox)
        self.sms = SmsSenders(data, clock, indexer, sealer, self.conversations, self.patients, self.consent)
        self.sms_inbox = SmsInbox(data, clock, indexer, sealer, self.conversations)
        # copies, disclosures, research, retention
        self.exports = Exports(data, clock, indexer, sealer, audit, self.identity)
        self.disclosures = Disclosures(data, clock, audit, self.consent)
        self.research = Research(data, clock, sealer, audit, self.consent, self.records)
        requests = Requests(data, clock, sealer, audit)  # before retention: its sweep finishes deletions
        forget_sms = self.sms_inbox.forget_before
        self.retention = Retention(data, clock, sealer, self.keystore, audit, self.subjects, requests, forget_sms)
        # data-subject requests: what is held, and how each right is carried out
        held = HeldData(data, audit, self.patients, self.records, self.consent, self.conversations, self.disclosures)
        copies = Copies(clock, requests, held, self.exports)
        correction = Correction(data, clock, sealer, requests, self.patients, self.records)
        deletion = Deletion(data, clock, self.keystore, audit, requests, self.subjects, self.retention)
        self.rights = Rights(
            data, requests, held, self.consent, self.subjects, self.identity, copies, correction, deletion
        )
        # the clinic
        self.clinic = Clinic(data)
        self.appointments = Appointments(data, clock, audit, self.clinic)
        self.tickets = Tickets(data, clock, sealer, audit)
        self.staff = StaffAccounts(data, clock, sealer, audit, self.subjects)

    @classmethod
    def open(cls, config: Optional[VaultConfig] = None, **options) -> "Vault":
        """The vault configured by the environment; raises VaultError with a clear message."""
        return cls(config or VaultConfig.from_env(), **options)

    def close(self) -> None:
        self.data.dispose()
        self.keys.dispose()


@lru_cache(maxsize=1)
def shared_vault() -> Vault:
    """The process's vault, configured by the environment (servers share one: one pool, one key cache)."""
    return Vault.open()
