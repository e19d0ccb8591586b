"""The key store: each subject's data key, wrapped by a key-encryption key.

It lives in its own database (KEYSTORE_URL) so that a backup of the data never
carries the keys: destroying a subject's data key here makes every copy of its
records unreadable (crypto-shredding). Unwrapped keys are cached briefly in memory;
CACHE_SECONDS bounds how long another process may still use a key destroyed here.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from privacy.crypto import envelope
from privacy.crypto.keyring import KeyProvider
from privacy.errors import ConfigurationError, NotFound, SubjectErased
from privacy.store.schema import data_keys, erased_keys, kek_checks

CACHE_SECONDS = 30.0
_CHECK = b"healthtigo key-encryption key check"
MAIN, CONTACT = "main", "contact"


@dataclass(frozen=True)
class DataKey:
    id: uuid.UUID
    version: int
    key: bytes


def _wrap_aad(key_id: str, version: int) -> bytes:
    return f"data_keys|{key_id}|{version}".encode()


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
                    self.provider.unwrap(kek_id, check_value, _CHECK)  # raises on a wrong key
            if self.provider.active_key_id not in checks:
                kek_id, wrapped = self.provider.wrap(_CHECK, _CHECK)
                db.execute(insert(kek_checks).values(kek_id=kek_id, check_value=wrapped))

    def usage(self) -> dict[str, int]:
        """How many data keys each key-encryption key wraps."""
        with self.engine.connect() as db:
            rows = db.execute(select(data_keys.c.kek_id, func.count()).group_by(data_keys.c.kek_id)).all()
        return {kek_id: count for kek_id, count in rows}

    def rewrap(self, batch: int = 200, max_batches: int | None = None) -> int:
        """Re-wrap data keys under the active key, one committed batch at a time; resumable."""
        active, done, batches = self.provider.active_key_id, 0, 0
        while max_batches is None or batches < max_batches:
            with self.engine.begin() as db:
                rows = db.execute(
                    select(data_keys.c.id, data_keys.c.version, data_keys.c.kek_id, data_keys.c.wrapped)
                    .where(data_keys.c.kek_id != active)
                    .limit(batch)
                ).all()
                for key_id, version, kek_id, wrapped in rows:
                    aad = _wrap_aad(key_id, version)
                    new_kek, new_wrapped = self.provider.wrap(self.provider.unwrap(kek_id, wrapped, aad), aad)
                    db.execute(
                        update(data_keys).where(data_keys.c.id == key_id).values(kek_id=new_kek, wrapped=new_wrapped)
                    )
            done += len(rows)
            batches += 1
            if len(rows) < batch:
                break
        return done

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
        key_id, version, key = uuid.uuid4(), 1, envelope.new_key()
        kek_id, wrapped = self.provider.wrap(key, _wrap_aad(str(key_id), version))
        db.execute(
            insert(data_keys).values(
                id=str(key_id),
                subject_id=subject_id,
                scope=scope,
                version=version,
                kek_id=kek_id,
                wrapped=wrapped,
                created_at=datetime.now(timezone.utc),
            )
        )
        return DataKey(key_id, version, key)

    def get(self, key_id: uuid.UUID) -> DataKey:
        """A data key by id (to decrypt)."""
        cached = self._recall(str(key_id))
        if cached:
            return cached
        with self.engine.connect() as db:
            row = db.execute(
                select(data_keys.c.version, data_keys.c.kek_id, data_keys.c.wrapped).where(
                    data_keys.c.id == str(key_id)
                )
            ).first()
        if row is None:
            self._raise_missing(str(key_id))
        version, kek_id, wrapped = row
        data_key = DataKey(key_id, version, self.provider.unwrap(kek_id, wrapped, _wrap_aad(str(key_id), version)))
        self._remember(str(key_id), data_key)
        return data_key

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
