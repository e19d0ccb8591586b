"""People who text the clinic: a pseudonymous sender id per phone number, the number itself
encrypted under the conversation's key, their STOP / START choice, and the Twilio messages
received: each handled once, and kept (sealed) until it is, so that a message whose process
died before answering it is answered by another.

The sender id ("sms_" + a keyed HMAC of the E.164 number) is what the tracker, the logs and
the metrics see; only this module turns it back into a number, to send a reply.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from privacy.clock import as_utc
from privacy.compliance.consent import ConsentRequired
from privacy.crypto.keystore import CONTACT
from privacy.errors import SubjectErased
from privacy.store.schema import sms_received, sms_senders
from privacy.subjects import contact

if TYPE_CHECKING:
    from privacy.vault import Vault

logger = logging.getLogger(__name__)
PREFIX = "sms_"


class SmsSenders:
    def __init__(self, vault: "Vault"):
        self.vault = vault

    def pseudonym(self, phone: str) -> str:
        """The sender id of a phone number: "sms_" and a keyed hash of its E.164 form."""
        return PREFIX + self.vault.indexer.digest("sms_sender", contact.phone(phone))[:32]

    def sender_for(self, phone: str) -> str:
        """The pseudonymous sender id of a phone number; the number is stored encrypted."""
        number = contact.phone(phone)
        sender_id = self.pseudonym(number)
        subject_id = self.vault.conversations.ensure(sender_id)
        with self.vault.data.connect() as db:
            known = db.execute(select(sms_senders.c.subject_id).where(sms_senders.c.id == sender_id)).scalar()
        if known != subject_id:
            sealed = self.vault.sealer.seal(subject_id, "sms_senders", "phone", sender_id, number, CONTACT)
            try:
                with self.vault.data.begin() as db:
                    if known is not None:  # the earlier conversation was erased; this is a new one
                        db.execute(sms_senders.delete().where(sms_senders.c.id == sender_id))
                    db.execute(
                        insert(sms_senders).values(
                            id=sender_id, subject_id=subject_id, phone=sealed, created_at=self.vault.now()
                        )
                    )
            except IntegrityError:  # a concurrent message from the same number stored it first
                pass
        return sender_id

    def phone_of(self, sender_id: str) -> Optional[str]:
        """The phone number behind a sender id, to reply to it; None when unknown or erased."""
        with self.vault.data.connect() as db:
            row = db.execute(select(sms_senders.c.phone).where(sms_senders.c.id == sender_id)).first()
        return self.vault.sealer.open(row.phone, "sms_senders", "phone", sender_id) if row else None

    def patient_of(self, sender_id: str) -> Optional[str]:
        """The subject id of the registered patient whose phone number this sender texts from."""
        phone = self.phone_of(sender_id)
        return self.vault.patients.find_subject(phone=phone) if phone else None

    def opted_out(self, sender_id: str) -> bool:
        """Whether the number replied STOP (and not START since): nothing more may be sent to it."""
        subject_id = self.vault.conversations.subject_of(sender_id)
        return subject_id is not None and self.vault.consent.latest(subject_id, "sms") is False

    def stop(self, sender_id: str, wording: str) -> None:
        """STOP: withdraw SMS consent for the number and for the patient it belongs to."""
        self._record(sender_id, self.vault.consent.withdraw, wording)

    def start(self, sender_id: str, wording: str) -> None:
        """START: the number (and its patient) may receive messages again."""
        self._record(sender_id, self.vault.consent.grant, wording)

    def _record(self, sender_id: str, record, wording: str) -> None:
        record(self.vault.conversations.ensure(sender_id), "sms", channel="sms", wording=wording)
        patient = self.patient_of(sender_id)
        if patient:
            try:
                record(patient, "sms", channel="sms", wording=wording)
            except (
                ConsentRequired
            ):  # a minor's number: the choice holds for the number, a guardian decides for the patient
                logger.info("SMS choice of a minor's number recorded for the number only.")

    def receive(self, message_sid: str, sender_id: str, request: str, owner: str, lease: timedelta) -> bool:
        """Keep a Twilio request (sealed) until it is handled, claimed by `owner` for `lease`;
        False when the message was received before (a retried webhook)."""
        now = self.vault.now()
        sealed = self.vault.sealer.seal(
            self.vault.conversations.ensure(sender_id), "sms_received", "request", message_sid, request
        )
        try:
            with self.vault.data.begin() as db:
                db.execute(
                    insert(sms_received).values(
                        message_sid=message_sid,
                        received_at=now,
                        sender_id=sender_id,
                        request=sealed,
                        claimed_by=owner,
                        claimed_until=now + lease,
                    )
                )
        except IntegrityError:
            return False
        return True

    def handled(self, message_sid: str) -> None:
        """The message was answered: its request is dropped, its id kept against retries."""
        with self.vault.data.begin() as db:
            db.execute(
                update(sms_received)
                .where(sms_received.c.message_sid == message_sid)
                .values(handled_at=self.vault.now(), request=None, claimed_by=None, claimed_until=None)
            )

    def renew(self, owner: str, lease: timedelta) -> None:
        """Extend the lease on every message `owner` has claimed and not yet handled."""
        with self.vault.data.begin() as db:
            db.execute(
                update(sms_received)
                .where(sms_received.c.claimed_by == owner, sms_received.c.handled_at.is_(None))
                .values(claimed_until=self.vault.now() + lease)
            )

    def take_over(self, owner: str, lease: timedelta, limit: int = 100) -> list[tuple[str, str, str]]:
        """Claim the messages whose owner stopped renewing (it died before answering them),
        oldest first; returns (message_sid, sender_id, request) of each."""
        now = self.vault.now()
        with self.vault.data.connect() as db:
            abandoned = db.execute(
                select(
                    sms_received.c.message_sid,
                    sms_received.c.sender_id,
                    sms_received.c.request,
                    sms_received.c.claimed_by,
                    sms_received.c.claimed_until,
                )
                .where(sms_received.c.handled_at.is_(None), sms_received.c.claimed_until < now)
                .order_by(sms_received.c.received_at)
                .limit(limit)
            ).all()
        taken = [(row.message_sid, row.sender_id, self._claim(row, owner, now + lease)) for row in abandoned]
        return [message for message in taken if message[2] is not None]

    def earlier(
        self, message_sid: str, sender_id: str, owner: str, lease: timedelta
    ) -> Optional[list[tuple[str, str, bool]]]:
        """The sender's messages received before `message_sid` and not yet handled, for `owner`
        to answer first, oldest first, as (message_sid, request, whether it was taken over from
        a process that died). None while another living process holds one: ask again."""
        now = self.vault.now()
        received = select(sms_received.c.received_at).where(sms_received.c.message_sid == message_sid).scalar_subquery()
        with self.vault.data.connect() as db:
            waiting = db.execute(
                select(
                    sms_received.c.message_sid,
                    sms_received.c.request,
                    sms_received.c.claimed_by,
                    sms_received.c.claimed_until,
                )
                .where(
                    sms_received.c.sender_id == sender_id,
                    sms_received.c.handled_at.is_(None),
                    sms_received.c.received_at < received,
                )
                .order_by(sms_received.c.received_at)
            ).all()
        if any(row.claimed_by != owner and as_utc(row.claimed_until) >= now for row in waiting):
            return None
        found = []
        for row in waiting:
            request = self._claim(row, owner, now + lease)
            if request is None and row.claimed_by != owner:
                return None  # another process won it, or it was erased: ask again
            if request is not None:
                found.append((row.message_sid, request, row.claimed_by != owner))
        return found

    def _claim(self, row: Row, owner: str, until: datetime) -> Optional[str]:
        """Claim one unhandled message for `owner` (one process wins it) and open its request;
        None when another process won it, or the patient's data was erased meanwhile (then
        there is nothing to answer, and it counts as handled)."""
        if row.claimed_by != owner:
            with self.vault.data.begin() as db:
                won = db.execute(
                    update(sms_received)
                    .where(
                        sms_received.c.message_sid == row.message_sid, sms_received.c.claimed_until == row.claimed_until
                    )
                    .values(claimed_by=owner, claimed_until=until)
                ).rowcount
            if not won:
                return None
        try:
            return self.vault.sealer.open(row.request, "sms_received", "request", row.message_sid)
        except SubjectErased:
            self.handled(row.message_sid)
            return None
