"""Time to complete an access request and an export (portability) request for one patient,
with 10, 1,000 and 100,000 other patients in the database, on SQLite and PostgreSQL.

The other patients are seeded in bulk, encrypted like real ones (their own data keys,
sealed fields, blind indexes, an audit entry, a consent entry and a health record each),
so that every query the requests make runs against full tables. If the figures grow
with the database, a query scans instead of using an index.
Run: .venv/bin/python bench/rights_bench.py [--sizes 10 1000 100000]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from sqlalchemy import Table, insert  # noqa: E402

from harness.databases import create_pg_database, drop_pg_database, postgres_available  # noqa: E402
from harness.rights import downloaded  # noqa: E402
from privacy import Vault  # noqa: E402
from privacy.config import VaultConfig  # noqa: E402
from privacy.crypto import envelope  # noqa: E402
from privacy.crypto.keystore import AAD_VERSION, CONTACT, MAIN, _wrap_aad  # noqa: E402
from privacy.store.schema import (  # noqa: E402
    audit_log,
    consent_ledger,
    data_keys,
    health_records,
    patients,
    subjects,
)

BATCH = 2000
SEED_SEQ = 10**9  # audit entries outside the live chain's numbering; not verified here
# The data database's tables seeded, in the order written (a subject before the rows naming it).
DATA_TABLES = (subjects, patients, health_records, consent_ledger, audit_log)


def seed(vault: Vault, count: int) -> None:
    """`count` encrypted patients, written in bulk."""
    now = datetime.now(timezone.utc)
    for start in range(0, count, BATCH):
        rows = {table: [] for table in (data_keys, *DATA_TABLES)}
        for i in range(start, min(start + BATCH, count)):
            for table, row in other_patient_rows(vault, i, now):
                rows[table].append(row)
        with vault.keys.begin() as db:
            db.execute(insert(data_keys), rows[data_keys])
        with vault.data.begin() as db:
            for table in DATA_TABLES:
                db.execute(insert(table), rows[table])


def other_patient_rows(vault: Vault, i: int, now: datetime) -> list[tuple[Table, dict]]:
    """The rows of the `i`th other patient: two data keys (main and contact), the subject, the
    patient, a health record, a consent entry and an audit entry."""
    subject = f"s_{uuid.uuid4().hex}"
    keys = {scope: (uuid.uuid4(), envelope.new_key()) for scope in (MAIN, CONTACT)}
    return [
        *((data_keys, data_key_row(vault, subject, scope, *keys[scope], now)) for scope in keys),
        (subjects, dict(id=subject, kind="patient", created_at=now)),
        (patients, patient_row(vault, keys, subject, i, now)),
        (health_records, health_record_row(keys, subject, now)),
        (consent_ledger, consent_row(subject, now)),
        (audit_log, audit_row(subject, SEED_SEQ + 1 + i, now)),
    ]


def data_key_row(vault: Vault, subject: str, scope: str, key_id: uuid.UUID, key: bytes, now: datetime) -> dict:
    """A data key of `subject`, wrapped by the key ring as the key store wraps it."""
    row = dict(id=str(key_id), subject_id=subject, scope=scope, version=1, aad_version=AAD_VERSION)
    kek_id, wrapped = vault.keystore.provider.wrap(key, _wrap_aad(row))
    return dict(row, kek_id=kek_id, wrapped=wrapped, created_at=now)


def sealed(keys: dict, scope: str, table: str, column: str, row: str, value: str) -> bytes:
    """`value` encrypted with the subject's `scope` key, as the vault seals `table.column` of `row`."""
    key_id, key = keys[scope]
    return envelope.seal(key, key_id, 1, value.encode(), envelope.place(table, column, row))


def patient_row(vault: Vault, keys: dict, subject: str, i: int, now: datetime) -> dict:
    """The `i`th patient: name, birth date, phone and e-mail sealed, with their blind indexes."""
    patient_id, index = f"p_{uuid.uuid4().hex}", vault.indexer.digest
    phone, email = f"+1214{i:07d}", f"person{i}@example.org"

    def seal(column: str, value: str, scope: str = MAIN) -> bytes:
        return sealed(keys, scope, "patients", column, patient_id, value)

    return dict(
        id=patient_id,
        subject_id=subject,
        name=seal("name", f"Person {i}"),
        birth_date=seal("birth_date", "1970-01-01"),
        phone=seal("phone", phone, CONTACT),
        email=seal("email", email, CONTACT),
        address=None,
        phone_index=index("phone", phone),
        email_index=index("email", email),
        name_birth_index=index("name+birth", f"person {i}|1970-01-01"),
        created_at=now,
        updated_at=now,
    )


def health_record_row(keys: dict, subject: str, now: datetime) -> dict:
    """One sealed symptom."""
    record_id = f"r_{uuid.uuid4().hex}"
    return dict(
        id=record_id,
        subject_id=subject,
        category="symptom",
        created_at=now,
        value=sealed(keys, MAIN, "health_records", "value", record_id, "a cough"),
    )


def consent_row(subject: str, now: datetime) -> dict:
    """Consent to care, given on the web."""
    return dict(
        subject_id=subject,
        purpose="care",
        granted=True,
        policy_version="v",
        channel="web",
        wording="yes",
        acted_by="self",
        at=now,
    )


def audit_row(subject: str, seq: int, now: datetime) -> dict:
    """The audit entry of the patient's registration, numbered `seq`."""
    return dict(
        seq=seq,
        at=now,
        actor="staff:seed",
        action="patient.register",
        subject=subject,
        reason="seed",
        detail="{}",
        prev_hash=f"{seq:064d}",
        hash=f"h{seq:063d}",
    )


def one_request(vault: Vault, subject: str, kind: str) -> float:
    """Seconds from opening the request to the patient's download."""
    start = time.perf_counter()
    request = vault.rights.open(subject, kind, channel="web").request
    code_id = vault.identity.send_code(subject)
    code = re.search(r"\d{6}", vault.outbox.messages(subject)[0].body).group(0)
    vault.rights.verify_identity(request.id, code_id, code)
    token = vault.rights.approve(request.id, actor="privacy_officer:bench").download_token
    downloaded(vault, token, subject)
    return time.perf_counter() - start


def measure(label: str, config: VaultConfig, others: int) -> None:
    vault = Vault(config, upgrade=True)
    try:
        seed_start = time.perf_counter()
        seed(vault, others)
        seeded = time.perf_counter() - seed_start
        times = {"access": [], "portability": []}
        for round_ in range(4):
            for n, kind in enumerate(times):  # a patient per request: each needs two one-time codes
                patient = vault.patients.register(
                    f"Bench Patient {round_} {kind}",
                    date(1980, 1, 1),
                    phone=f"+1972555{round_ * 2 + n:04d}",
                    actor="staff:bench",
                    reason="bench",
                )
                vault.records.put(patient.subject_id, "allergy", "latex", actor="patient", reason="bench")
                times[kind].append(one_request(vault, patient.subject_id, kind))
        best = {kind: min(values[1:]) * 1000 for kind, values in times.items()}  # first round warms caches
        print(
            f"{label:10} {others:>7} others (seeded in {seeded:5.1f} s): access {best['access']:6.1f} ms, "
            f"export {best['portability']:6.1f} ms"
        )
    finally:
        vault.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 100000])
    sizes = parser.parse_args().sizes
    pg = postgres_available()
    with tempfile.TemporaryDirectory() as tmp:
        for others in sizes:
            keys = {"kek-bench": os.urandom(32)}
            folder = Path(tmp) / str(others)
            folder.mkdir()
            measure(
                "SQLite",
                VaultConfig(
                    f"sqlite:///{folder / 'v.db'}", f"sqlite:///{folder / 'k.db'}", keys, os.urandom(32), os.urandom(32)
                ),
                others,
            )
            if pg:
                continue
            names = [f"ht_bench_{part}_{uuid.uuid4().hex[:8]}" for part in ("data", "keys")]
            try:
                urls = [create_pg_database(name) for name in names]
                measure("PostgreSQL", VaultConfig(urls[0], urls[1], keys, os.urandom(32), os.urandom(32)), others)
            finally:
                for name in names:
                    drop_pg_database(name)
    if pg:
        print(f"PostgreSQL skipped: {pg}")


if __name__ == "__main__":
    main()
