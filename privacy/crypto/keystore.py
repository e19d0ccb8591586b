"""The key store: each subject's data key, wrapped by a key-encryption key.

It lives in its own database (KEYSTORE_URL) so that a backup of the data never
carries the keys: destroying a subject's data key here makes every copy of its
records unreadable (crypto-shredding). A wrapped key's associated data binds it to its
row's id, version, subject and scope, so a row moved to another subject or scope does not
unwrap. Unwrapped keys are cached briefly in memory; CACHE_SECONDS bounds how long another
process may still use a key destroyed here.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from privacy.crypto import envelope
from privacy.crypto.keyring import KeyProvider
from privacy.errors import ConfigurationError, NotFound, SubjectErased, TamperedError
from privacy.store.schema import data_keys, erased_keys, kek_checks

CACHE_SECONDS = 30.0
_CHECK = b"healthtigo key-encryption key check"
MAIN, CONTACT = "main", "contact"
AAD_VERSION = 2  # new keys' associated data: id, version, subject and scope (1: id and version)


@dataclass(frozen=True)
class DataKey:
    id: uuid.UUID
    version: int
    key: bytes


def _wrap_aad(row: Mapping[str, Any]) -> bytes:
    """The associated data of a data_keys row's wrapped key: its id and version, and with
    aad_version 2 its subject and scope too."""
    bound = f"data_keys|{row['id']}|{row['version']}"
    if row["aad_version"] == 2:
        bound += f"|{row['subject_id']}|{row['scope']}"
    return bound.encode()


class KeyStore:
    def __init__(self, engine: Engine, provider: KeyProvider):
        self.engine = engine
        self.provider = provider
        self._cache: dict[str, tuple[DataKey, float]] = {}
        self._lock = threading.Lock()

    # -- key-encryption keys -------------------------------------------------
    def check_keys(self) -> None:
        """Fail unless every key-encryption key in use is present and is the right key."""
        with self.engine.begin() as db:
            checks = dict(db.execute(select(kek_checks.c.kek_id, kek_checks.c.check_value)).all())
            in_use = {row[0] for row in db.execute(select(data_keys.c.kek_id).distinct())}
            missing = sorted(in_use - set(self.provider.key_ids()))
            if missing:
                raise ConfigurationError(
                    f"VAULT_KEYS lacks key-encryption key(s) {', '.join(missing)} that wrap data keys."
                )
            for kek_id, check_value in checks.items():
                if kek_id in self.provider.key_ids():
                    self._check_kek(kek_id, check_value)
            if self.provider.active_key_id not in checks:
                kek_id, wrapped = self.provider.wrap(_CHECK, _CHECK)
                db.execute(insert(kek_checks).values(kek_id=kek_id, check_value=wrapped))

    def _check_kek(self, kek_id: str, check_value: bytes) -> None:
        """Fail unless `check_value` opens with the key-encryption key `kek_id`."""
        try:
            self.provider.unwrap(kek_id, check_value, _CHECK)
        except TamperedError:
            raise ConfigurationError(
                f"Key-encryption key {kek_id!r} in VAULT_KEYS is not the key the key store was written with."
            ) from None

    def usage(self) -> dict[str, int]:
        """How many data keys each key-encryption key wraps."""
        with self.engine.connect() as db:
            rows = db.execute(select(data_keys.c.kek_id, func.count()).group_by(data_keys.c.kek_id)).all()
        return {kek_id: count for kek_id, count in rows}

    def _outdated(self):
        """The data keys not wrapped the current way: by an older key-encryption key or AAD version."""
        return or_(data_keys.c.kek_id != self.provider.active_key_id, data_keys.c.aad_version != AAD_VERSION)

    def outdated(self) -> int:
        """How many data keys `rewrap` has still to re-wrap."""
        with self.engine.connect() as db:
            return db.execute(select(func.count()).select_from(data_keys).where(self._outdated())).scalar()

    def rewrap(self, batch: int = 200, max_batches: int | None = None) -> int:
        """Re-wrap the outdated data keys under the active key and the current associated data, one
        committed batch at a time; resumable."""
        return self._rewrap(self._outdated(), batch, max_batches)

    def upgrade_wrapping(self) -> int:
        """Re-wrap the data keys wrapped with older associated data (the vault's upgrade)."""
        return self._rewrap(data_keys.c.aad_version != AAD_VERSION)

    def _rewrap(self, which, batch: int = 200, max_batches: int | None = None) -> int:
        """Re-wrap the data keys `which` selects, a committed batch at a time; returns how many."""
        done, batches = 0, 0
        while max_batches is None or batches < max_batches:
            with self.engine.begin() as db:
                rows = db.execute(select(data_keys).where(which).limit(batch)).all()
                for row in rows:
                    db.execute(update(data_keys).where(data_keys.c.id == row.id).values(self._rewrapped(row._mapping)))
            done += len(rows)
            batches += 1
            if len(rows) < batch:
                break
        return done

    def _rewrapped(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The new values of a row whose key is re-wrapped under the active key and current AAD."""
        key = self._unwrap(row)
        kek_id, wrapped = self.provider.wrap(key, _wrap_aad({**row, "aad_version": AAD_VERSION}))
        return {"kek_id": kek_id, "wrapped": wrapped, "aad_version": AAD_VERSION}

    def retire(self, kek_id: str) -> None:
        """Forget a key-encryption key once no data key depends on it."""
        if kek_id == self.provider.active_key_id:
            raise ConfigurationError(f"{kek_id!r} is the active key; rotate to a new key first.")
        if self.usage().get(kek_id):
            raise ConfigurationError(f"{kek_id!r} still wraps data keys: run rotate-keys to finish re-wrapping.")
        with self.engine.begin() as db:
            db.execute(delete(kek_checks).where(kek_checks.c.kek_id == kek_id))

    # -- data keys -----------------------------------------------------------
    def for_subject(self, subject_id: str, scope: str = MAIN) -> DataKey:
        """The subject's data key for `scope` (to encrypt); made on first use, never after erasure."""
        name = f"{subject_id}/{scope}"
        cached = self._recall(name)
        if cached:
            return cached
        with self.engine.begin() as db:
            row = db.execute(
                select(data_keys.c.id)
                .where(data_keys.c.subject_id == subject_id, data_keys.c.scope == scope)
                .order_by(data_keys.c.version.desc())
                .limit(1)
            ).first()
            if row is None:
                erased = db.execute(
                    select(erased_keys.c.erased_at)
                    .where(erased_keys.c.subject_id == subject_id, erased_keys.c.scope == scope)
                    .limit(1)
                ).first()
                if erased:
                    raise SubjectErased(f"This data was erased on {erased[0]:%Y-%m-%d}: its key was destroyed.")
                data_key = self._create(db, subject_id, scope)
        if row is not None:
            data_key = self.get(uuid.UUID(row[0]))
        self._remember(name, data_key)
        return data_key

    def _create(self, db, subject_id: str, scope: str) -> DataKey:
        key_id, key = uuid.uuid4(), envelope.new_key()
        row = dict(id=str(key_id), subject_id=subject_id, scope=scope, version=1, aad_version=AAD_VERSION)
        kek_id, wrapped = self.provider.wrap(key, _wrap_aad(row))
        db.execute(
            insert(data_keys).values(**row, kek_id=kek_id, wrapped=wrapped, created_at=datetime.now(timezone.utc))
        )
        return DataKey(key_id, row["version"], key)

    def get(self, key_id: uuid.UUID) -> DataKey:
        """A data key by id (to decrypt)."""
        cached = self._recall(str(key_id))
        if cached:
            return cached
        with self.engine.connect() as db:
            row = db.execute(select(data_keys).where(data_keys.c.id == str(key_id))).first()
        if row is None:
            self._raise_missing(str(key_id))
        data_key = DataKey(key_id, row.version, self._unwrap(row._mapping))
        self._remember(str(key_id), data_key)
        return data_key

    def _unwrap(self, row: Mapping[str, Any]) -> bytes:
        """The data key of a data_keys row; TamperedError if the row was altered or moved."""
        try:
            return self.provider.unwrap(row["kek_id"], row["wrapped"], _wrap_aad(row))
        except TamperedError:
            raise TamperedError(
                f"Data key {row['id']} does not unwrap: its row in the key store was altered or moved "
                "to another subject or scope."
            ) from None

    def destroy(self, subject_ids: list[str], scopes: tuple[str, ...] = (MAIN, CONTACT)) -> int:
        """Destroy the data keys of these subjects in these scopes; returns how many were destroyed.

        A scope with no key yet gets a tombstone too, so that no key is ever made for it again."""
        now = datetime.now(timezone.utc)
        with self.engine.begin() as db:
            rows = db.execute(
                select(data_keys.c.id, data_keys.c.subject_id, data_keys.c.scope).where(
                    data_keys.c.subject_id.in_(subject_ids), data_keys.c.scope.in_(scopes)
                )
            ).all()
            have = {(subject, scope) for _, subject, scope in rows}
            tombstones = [
                {"id": key_id, "subject_id": subject, "scope": scope, "erased_at": now}
                for key_id, subject, scope in rows
            ]
            tombstones += [
                {"id": str(uuid.uuid4()), "subject_id": subject, "scope": scope, "erased_at": now}
                for subject in subject_ids
                for scope in scopes
                if (subject, scope) not in have
            ]
            db.execute(insert(erased_keys), tombstones)
            db.execute(delete(data_keys).where(data_keys.c.subject_id.in_(subject_ids), data_keys.c.scope.in_(scopes)))
        with self._lock:
            for key_id, _subject, _scope in rows:
                self._cache.pop(key_id, None)
            for subject in subject_ids:
                for scope in scopes:
                    self._cache.pop(f"{subject}/{scope}", None)
        return len(rows)

    def erased_subjects(self, scope: str = MAIN) -> set[str]:
        """Subjects whose key for `scope` was destroyed."""
        with self.engine.connect() as db:
            return {
                row[0]
                for row in db.execute(select(erased_keys.c.subject_id).where(erased_keys.c.scope == scope).distinct())
            }

    def _raise_missing(self, key_id: str):
        with self.engine.connect() as db:
            erased = db.execute(select(erased_keys.c.erased_at).where(erased_keys.c.id == key_id)).first()
        if erased:
            raise SubjectErased(f"This data was erased on {erased[0]:%Y-%m-%d}: its key was destroyed.")
        raise NotFound("No data key for this record: the key store does not belong to this data.")

    def _remember(self, name: str, data_key: DataKey) -> None:
        with self._lock:
            self._cache[name] = (data_key, time.monotonic() + CACHE_SECONDS)

    def _recall(self, name: str) -> DataKey | None:
        with self._lock:
            hit = self._cache.get(name)
        return hit[0] if hit and hit[1] > time.monotonic() else None
