"""Backup and restore of the data database; the key store is never part of it.

A backup is a JSON-lines file: a header, then one line per row, table by table
(the clinic's reference data, seeded by migrations, is not included)
(binary values base64, times ISO 8601). Sensitive columns are ciphertexts, so the
file is only readable together with the key store. A restore loads a backup into
an empty database at the same schema, then removes the rows of every subject whose
key was destroyed since the backup was taken: erasure stays final.

It works on the whole vault (every table, the key store's tombstones, the audit chain), so it
takes the Vault and sits beside vault.py rather than in store/.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, LargeBinary, func, insert, select, update

from privacy.errors import InvalidInput
from privacy.store import migrate
from privacy.store.private_files import open_private
from privacy.store.schema import REFERENCE_TABLES, data, subjects
from privacy.vault import Vault

FORMAT = "healthtigo-vault-backup"


def _backed_up_tables():
    """The tables a backup holds, parents before children; reference data comes from migrations."""
    return [t for t in data.sorted_tables if t not in REFERENCE_TABLES]


@dataclass(frozen=True)
class RestoreReport:
    rows: int
    erased_subjects_removed: int


def _encode(column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode()
    if isinstance(column.type, DateTime):
        return value.isoformat()
    return value


def _decode(column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    return value


def backup(vault: Vault, path: Path) -> int:
    """Write every row of the data database to `path` (created with mode 0600); returns the number of rows."""
    rows = 0
    with vault.data.connect() as db, open_private(path) as out:
        out.write(
            json.dumps({"format": FORMAT, "schema": migrate.current(vault.data), "created_at": vault.now().isoformat()})
            + "\n"
        )
        for table in _backed_up_tables():
            for row in db.execute(select(table)):
                values = {c.name: _encode(c, row._mapping[c.name]) for c in table.columns}
                out.write(json.dumps({"table": table.name, "row": values}) + "\n")
                rows += 1
    vault.audit.append("system", "vault.backup", None, "backup", {"rows": rows})
    return rows


def restore(vault: Vault, path: Path) -> RestoreReport:
    """Load `path` into the (empty) data database; erased subjects do not come back."""
    with path.open() as source:
        header = json.loads(source.readline() or "{}")
        if header.get("format") != FORMAT:
            raise InvalidInput(f"{path} is not a vault backup.")
        if header.get("schema") != migrate.current(vault.data):
            raise InvalidInput(f"The backup is at schema {header.get('schema')}; migrate the database to it first.")
        with vault.data.connect() as db:
            if any(db.execute(select(func.count()).select_from(t)).scalar() for t in _backed_up_tables()):
                raise InvalidInput("Restore needs an empty data database.")
        tables, rows, links = {t.name: t for t in _backed_up_tables()}, 0, {}
        with vault.data.begin() as db:
            for line in source:
                item = json.loads(line)
                table = tables[item["table"]]
                values = {c.name: _decode(c, item["row"][c.name]) for c in table.columns}
                if table is subjects and values["linked_to"]:
                    # a conversation may be linked to a patient created after it: link once both exist
                    links[values["id"]] = values.pop("linked_to")
                db.execute(insert(table).values(values))
                rows += 1
            for subject_id, patient_subject_id in links.items():
                db.execute(update(subjects).where(subjects.c.id == subject_id).values(linked_to=patient_subject_id))
    erased = sorted(vault.keystore.erased_subjects())
    removed = vault.subjects.delete_rows(erased) if erased else 0
    lost = vault.audit.rebase_head()
    vault.audit.append(
        "system",
        "vault.restore",
        None,
        "restore from backup",
        {"rows": rows, "erased_rows_removed": removed, "audit_entries_after_backup": lost},
    )
    return RestoreReport(rows, removed)
