"""People who text the clinic: a pseudonymous sender id per phone number, the number itself
encrypted under the conversation's key, and their STOP / START choice in the consent ledger.

The sender id ("sms_" + a keyed HMAC of the E.164 number) is what the tracker, the logs and
the metrics see; only this module turns it back into a number, to send a reply. The messages
they send are kept by inbox.py until they are answered.
"""

from __future__ import annotations

import logging
from typing import Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from privacy.clock import Clock
from privacy.compliance.consent import Consent, ConsentRequired
from privacy.crypto.indexer import Indexer
from privacy.crypto.keystore import CONTACT
from privacy.crypto.sealing import Sealer
from privacy.store.schema import sms_senders
from privacy.subjects import contact
from privacy.subjects.conversations import Conversations
from privacy.subjects.patients import Patients

logger = logging.getLogger(__name__)
PREFIX = "sms_"


class SmsSenders:
    def __init__(
        self,
        data: Engine,
        clock: Clock,
        indexer: Indexer,
        sealer: Sealer,
        conversations: Conversations,
        patients: Patients,
        consent: Consent,
    ):
        self.data = data
        self.now = clock
        self.indexer = indexer
        self.sealer = sealer
        self.conversations = conversations
        self.patients = patients
        self.consent = consent

    def pseudonym(self, phone: str) -> str:
        """The sender id of a phone number: "sms_" and a keyed hash of its E.164 form."""
        return PREFIX + self.indexer.digest("sms_sender", contact.phone(phone))[:32]

    def sender_for(self, phone: str) -> str:
        """The pseudonymous sender id of a phone number; the number is stored encrypted."""
        number = contact.phone(phone)
        sender_id = self.pseudonym(number)
        subject_id = self.conversations.ensure(sender_id)
        with self.data.connect() as db:
            known = db.execute(select(sms_senders.c.subject_id).where(sms_senders.c.id == sender_id)).scalar()
        if known != subject_id:
            sealed = self.sealer.seal(subject_id, "sms_senders", "phone", sender_id, number, CONTACT)
            try:
                with self.data.begin() as db:
                    if known is not None:  # the earlier conversation was erased; this is a new one
                        db.execute(sms_senders.delete().where(sms_senders.c.id == sender_id))
                    db.execute(
                        insert(sms_senders).values(
                            id=sender_id, subject_id=subject_id, phone=sealed, created_at=self.now()
                        )
                    )
            except IntegrityError:  # a concurrent message from the same number stored it first
                pass
        return sender_id

    def phone_of(self, sender_id: str) -> Optional[str]:
        """The phone number behind a sender id, to reply to it; None when unknown or erased."""
        with self.data.connect() as db:
            row = db.execute(select(sms_senders.c.phone).where(sms_senders.c.id == sender_id)).first()
        return self.sealer.open(row.phone, "sms_senders", "phone", sender_id) if row else None

    def patient_of(self, sender_id: str) -> Optional[str]:
        """The subject id of the registered patient whose phone number this sender texts from."""
        phone = self.phone_of(sender_id)
        return self.patients.find_subject(phone=phone) if phone else None

    def opted_out(self, sender_id: str) -> bool:
        """Whether the number replied STOP (and not START since): nothing more may be sent to it."""
        subject_id = self.conversations.subject_of(sender_id)
        return subject_id is not None and self.consent.latest(subject_id, "sms") is False

    def stop(self, sender_id: str, wording: str) -> None:
        """STOP: withdraw SMS consent for the number and for the patient it belongs to."""
        self._record(sender_id, self.consent.withdraw, wording)

    def start(self, sender_id: str, wording: str) -> None:
        """START: the number (and its patient) may receive messages again."""
        self._record(sender_id, self.consent.grant, wording)

    def _record(self, sender_id: str, record, wording: str) -> None:
        record(self.conversations.ensure(sender_id), "sms", channel="sms", wording=wording)
        patient = self.patient_of(sender_id)
        if patient:
            try:
                record(patient, "sms", channel="sms", wording=wording)
            except (
                ConsentRequired
            ):  # a minor's number: the choice holds for the number, a guardian decides for the patient
                logger.info("SMS choice of a minor's number recorded for the number only.")
