"""The vault's entry point: `Vault.open()` checks keys and schema, then offers the sub-APIs.

vault = Vault.open()
patient = vault.patients.register("Ada Lovelace", date(1990, 12, 10), phone="469 555 0100",
                                  actor="staff:grace", reason="new patient at the front desk")
vault.records.put(patient.subject_id, "allergy", "penicillin", actor="patient", reason="intake")
vault.subjects.erase(patient.subject_id, actor="privacy_officer:ida", reason="deletion request 42")
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Callable, Optional

from privacy.clinic.appointments import Appointments
from privacy.clinic.reference import Clinic
from privacy.clinic.staff import StaffAccounts
from privacy.clinic.tickets import Tickets
from privacy.clock import utc_now
from privacy.compliance.audit import AuditLog
from privacy.compliance.consent import Consent
from privacy.compliance.disclosures import Disclosures
from privacy.compliance.retention import Retention
from privacy.compliance.rights.exports import Exports
from privacy.compliance.rights.lifecycle import Rights
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
        clock: Callable[[], datetime] = utc_now,
        key_provider: Optional[KeyProvider] = None,
        upgrade: bool = False,
    ):
        self.config = config
        self.now = clock
        self.data = make_engine(config.database_url)
        self.keys = make_engine(config.keystore_url, key_store=True)
        for part, engine in (("data", self.data), ("keys", self.keys)):
            if upgrade:
                migrate.upgrade(part, engine)
            else:
                migrate.check(part, engine)
        self.keystore = KeyStore(self.keys, key_provider or KeyRing(config.key_ring))
        self.keystore.check_keys()
        self.indexer = Indexer(config.index_key)
        self.sealer = Sealer(self.keystore)
        self.audit = AuditLog(self.data, self.keys, self.indexer, clock)
        self.subjects = Subjects(self)
        self.patients = Patients(self)
        self.records = Records(self)
        self.conversations = Conversations(self)
        self.consent = Consent(self)
        self.outbox = Outbox(self)
        self.identity = Identity(self)
        self.exports = Exports(self)
        self.disclosures = Disclosures(self)
        self.retention = Retention(self)
        self.rights = Rights(self)
        self.clinic = Clinic(self)
        self.appointments = Appointments(self)
        self.tickets = Tickets(self)
        self.sms = SmsSenders(self)
        self.sms_inbox = SmsInbox(self)
        self.staff = StaffAccounts(self)

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
