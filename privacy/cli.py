"""The vault's command line: python -m privacy <command>. Errors are one clear line."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from privacy import backup, keyring_file, migrate
from privacy.config import ENV_FILE
from privacy.errors import VaultError
from privacy.schema import conversations, data_keys, health_records, patients
from privacy.vault import Vault


def cmd_migrate(args) -> None:
    vault = Vault.open(upgrade=True)
    print(f"data schema {migrate.current(vault.data)}, key store schema {migrate.current(vault.keys)}: up to date")


def cmd_status(args) -> None:
    vault = Vault.open()
    with vault.data.connect() as db:
        counts = {name: db.execute(select(func.count()).select_from(table)).scalar()
                  for name, table in (("patients", patients), ("health records", health_records),
                                      ("conversations", conversations))}
    with vault.keys.connect() as db:
        counts["data keys"] = db.execute(select(func.count()).select_from(data_keys)).scalar()
    print(f"data schema {migrate.current(vault.data)}, key store schema {migrate.current(vault.keys)}")
    print(", ".join(f"{n} {name}" for name, n in counts.items()))
    print(f"active key-encryption key {vault.keystore.provider.active_key_id}; data keys per key: "
          + (", ".join(f"{k} {n}" for k, n in vault.keystore.usage().items()) or "none"))
    print(vault.audit.verify())


def cmd_rotate_keys(args) -> None:
    if args.new_key:
        key_id = keyring_file.add_key(args.env_file)
        print(f"added key-encryption key {key_id} to {args.env_file}; it is now the active key")
    vault = Vault.open()
    active = vault.keystore.provider.active_key_id
    rewrapped = vault.keystore.rewrap(batch=args.batch, max_batches=args.max_batches)
    left = sum(n for k, n in vault.keystore.usage().items() if k != active)
    vault.audit.append("system", "keys.rotate", None, "key rotation",
                       {"active": active, "rewrapped": rewrapped, "left": left})
    print(f"re-wrapped {rewrapped} data keys under {active}; {left} left"
          + (" (run rotate-keys again to finish)" if left else ""))


def cmd_retire_key(args) -> None:
    vault = Vault.open()
    vault.keystore.retire(args.key_id)
    keyring_file.remove_key(args.env_file, args.key_id)
    vault.audit.append("system", "keys.retire", None, "key rotation finished", {"key": args.key_id})
    print(f"retired key-encryption key {args.key_id}")


def cmd_verify_audit(args) -> None:
    verdict = Vault.open().audit.verify()
    print(verdict)
    if not verdict.ok:
        sys.exit(1)


def cmd_backup(args) -> None:
    rows = backup.backup(Vault.open(), args.file)
    print(f"backed up {rows} rows to {args.file} (the key store is not in it: back it up separately)")


def cmd_restore(args) -> None:
    report = backup.restore(Vault.open(), args.file)
    print(f"restored {report.rows} rows; removed {report.erased_subjects_removed} rows of erased subjects")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m privacy", description="The Healthtigo vault.")
    commands = root.add_subparsers(dest="command", required=True)
    for name in ("migrate", "init-db"):
        commands.add_parser(name, help="create or upgrade both databases").set_defaults(func=cmd_migrate)
    commands.add_parser("status", help="schema, counts, keys, audit chain").set_defaults(func=cmd_status)
    rotate = commands.add_parser("rotate-keys", help="re-wrap every data key under the active key-encryption key")
    rotate.add_argument("--new-key", action="store_true", help="first add a fresh key to the env file (development)")
    rotate.add_argument("--batch", type=int, default=200)
    rotate.add_argument("--max-batches", type=int, default=None, help="stop after this many batches (resume later)")
    rotate.set_defaults(func=cmd_rotate_keys)
    retire = commands.add_parser("retire-key", help="forget a key-encryption key no data key uses")
    retire.add_argument("key_id")
    retire.set_defaults(func=cmd_retire_key)
    commands.add_parser("verify-audit", help="check the audit chain").set_defaults(func=cmd_verify_audit)
    for name, func, text in (("backup", cmd_backup, "write the data (not the keys) to FILE"),
                             ("restore", cmd_restore, "load FILE into an empty data database")):
        command = commands.add_parser(name, help=text)
        command.add_argument("file", type=Path)
        command.set_defaults(func=func)
    for command in commands.choices.values():
        command.add_argument("--env-file", type=Path, default=ENV_FILE, help=argparse.SUPPRESS)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except VaultError as error:
        sys.exit(f"error: {error}")
    except SQLAlchemyError as error:
        sys.exit(f"error: the database cannot be used ({type(error).__name__}): check DATABASE_URL and KEYSTORE_URL")
    except OSError as error:
        sys.exit(f"error: {error.strerror or error}: {getattr(error, 'filename', '')}")
