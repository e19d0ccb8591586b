"""The vault's command line: python -m privacy <command>. Errors are one clear line."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from privacy import backup
from privacy.compliance.retention import RULES
from privacy.compliance.rights import fhir_export
from privacy.config import VaultConfig
from privacy.crypto import keyring_file
from privacy.errors import InvalidInput, VaultError
from privacy.store import migrate
from privacy.store.private_files import open_private
from privacy.store.schema import conversations, data_keys, health_records, patients
from privacy.vault import Vault
from settings import ENV_FILE


def cmd_migrate(args) -> None:
    vault = Vault.open(VaultConfig.from_env(owner=True), upgrade=True)
    data, keys = migrate.current(vault.data), migrate.current(vault.keys)
    vault.audit.append(_officer(args), "vault.migrate", None, "schema upgrade", {"data": data, "keys": keys})
    print(f"data schema {data}, key store schema {keys}: up to date")


def cmd_status(args) -> None:
    vault = Vault.open()
    with vault.data.connect() as db:
        counts = {
            name: db.execute(select(func.count()).select_from(table)).scalar()
            for name, table in (
                ("patients", patients),
                ("health records", health_records),
                ("conversations", conversations),
            )
        }
    with vault.keys.connect() as db:
        counts["data keys"] = db.execute(select(func.count()).select_from(data_keys)).scalar()
    print(f"data schema {migrate.current(vault.data)}, key store schema {migrate.current(vault.keys)}")
    print(", ".join(f"{n} {name}" for name, n in counts.items()))
    print(
        f"active key-encryption key {vault.keystore.provider.active_key_id}; data keys per key: "
        + (", ".join(f"{k} {n}" for k, n in vault.keystore.usage().items()) or "none")
    )
    print(vault.audit.verify())
    vault.audit.append(_officer(args), "officer.status", None, "status")


def cmd_rotate_keys(args) -> None:
    if args.new_key:
        key_id = keyring_file.add_key(args.env_file)
        print(f"added key-encryption key {key_id} to {args.env_file}; it is now the active key")
    vault = Vault.open()
    active = vault.keystore.provider.active_key_id
    rewrapped = vault.keystore.rewrap(batch=args.batch, max_batches=args.max_batches)
    left = vault.keystore.outdated()
    vault.audit.append(
        _officer(args), "keys.rotate", None, "key rotation", {"active": active, "rewrapped": rewrapped, "left": left}
    )
    print(
        f"re-wrapped {rewrapped} data keys under {active}; {left} left"
        + (" (run rotate-keys again to finish)" if left else "")
    )


def cmd_retire_key(args) -> None:
    vault = Vault.open()
    vault.keystore.retire(args.key_id)
    keyring_file.remove_key(args.env_file, args.key_id)
    vault.audit.append(_officer(args), "keys.retire", None, "key rotation finished", {"key": args.key_id})
    print(f"retired key-encryption key {args.key_id}")


def cmd_verify_audit(args) -> None:
    vault = Vault.open()
    verdict = vault.audit.verify()
    print(verdict)
    if not verdict.ok:
        sys.exit(1)
    vault.audit.append(_officer(args), "audit.verify", None, str(verdict))


def cmd_backup(args) -> None:
    rows = backup.backup(Vault.open(), args.file)
    print(f"backed up {rows} rows to {args.file} (the key store is not in it: back it up separately)")


def cmd_restore(args) -> None:
    report = backup.restore(Vault.open(), args.file)
    print(f"restored {report.rows} rows; removed {report.erased_subjects_removed} rows of erased subjects")


def _officer(args) -> str:
    return f"privacy_officer:{args.as_ or getpass.getuser()}"


def _show_request(vault: Vault, request) -> None:
    overdue = " OVERDUE" if request.overdue(vault.now()) else ""
    print(
        f"{request.id}  {request.kind:18} {request.status:19} due {request.due_at:%Y-%m-%d}{overdue}  "
        f"subject {request.subject_id}"
    )


def cmd_requests(args) -> None:
    vault = Vault.open()
    officer = _officer(args)
    if args.action == "list":
        requests = vault.rights.list(open_only=not args.all)
        for request in requests:
            _show_request(vault, request)
        print(f"{len(requests)} request(s)")
        vault.audit.append(officer, "officer.list_requests", None, "rights queue")
        return
    if not args.id:
        raise InvalidInput(f"requests {args.action} needs a request id.")
    if args.action == "show":
        request = vault.rights.get(args.id)
        _show_request(vault, request)
        for step in vault.rights.history(args.id):
            print(f"  {step.at:%Y-%m-%d %H:%M} {step.status:19} {step.actor:28} {step.note}")
        if request.outcome:
            print(f"  outcome: {json.dumps(request.outcome)}")
        vault.audit.append(officer, "officer.view_request", request.subject_id, "rights queue", {"request": args.id})
    elif args.action == "approve":
        if args.verified_in_person:
            vault.rights.confirm_identity(args.id, actor=officer, how=args.verified_in_person)
        result = vault.rights.approve(args.id, actor=officer)
        _show_request(vault, result.request)
        if result.download_token:
            print(
                f"  download link token (valid until {result.request.outcome['download_expires'][:16]} UTC): "
                f"{result.download_token}"
            )
    else:
        if not args.reason:
            raise InvalidInput("requests deny needs --reason, the reason the patient is given.")
        _show_request(vault, vault.rights.deny(args.id, actor=officer, reason=args.reason))


def cmd_consent(args) -> None:
    vault = Vault.open()
    for entry in vault.consent.history(args.subject):
        print(
            f"{entry.at:%Y-%m-%d %H:%M} {entry.purpose:20} {'granted' if entry.granted else 'withdrawn':9} "
            f"{entry.channel:5} by {entry.acted_by}  [{entry.policy_version}] \"{entry.wording}\""
        )
    print("now: " + ", ".join(f"{p} {'on' if on else 'off'}" for p, on in vault.consent.state(args.subject).items()))
    vault.audit.append(_officer(args), "officer.view_consent", args.subject, "consent ledger")


def cmd_export(args) -> None:
    vault = Vault.open()
    held = vault.rights.held(args.subject, actor=_officer(args))
    bundle = fhir_export.bundle(
        held.patient, held.records, held.appointments, held.consent_history, held.transcript, vault.now()
    )
    token, expires = vault.exports.create(args.subject, bundle)
    print(f"FHIR R4 bundle ready; download link token (valid until {expires:%Y-%m-%d %H:%M} UTC): {token}")


def cmd_retention(args) -> None:
    vault = Vault.open()
    if args.action == "rules":
        for rule in RULES:
            print(f"- {rule.category}: {rule.period} ({rule.reason})")
        vault.audit.append(_officer(args), "officer.view_retention", None, "retention rules")
        return
    print(vault.retention.sweep(dry_run=args.dry_run, actor=_officer(args)))


def cmd_research_export(args) -> None:
    vault = Vault.open()
    export = vault.research.export(k=args.k, actor=_officer(args))
    with open_private(args.file) as out:
        out.write(json.dumps(export, indent=2))
    manifest = export["manifest"]
    print(
        f"{manifest['people_released']} of {manifest['people_consented']} consenting people released to {args.file}; "
        f"{manifest['k_anonymity']['groups_suppressed']} group(s) under k={args.k} withheld"
    )


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
    for name, handler, text in (
        ("backup", cmd_backup, "write the data (not the keys) to FILE"),
        ("restore", cmd_restore, "load FILE into an empty data database"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("file", type=Path)
        command.set_defaults(func=handler)
    requests = commands.add_parser("requests", help="the data-subject request queue")
    requests.add_argument("action", choices=("list", "show", "approve", "deny"))
    requests.add_argument("id", nargs="?")
    requests.add_argument("--all", action="store_true", help="list closed requests too")
    requests.add_argument("--reason", help="why a request is denied (the patient is told)")
    requests.add_argument("--verified-in-person", metavar="HOW", help="identity confirmed by staff, and how")
    requests.set_defaults(func=cmd_requests)
    consent = commands.add_parser("consent", help="a subject's consent ledger")
    consent.add_argument("action", choices=("show",))
    consent.add_argument("subject")
    consent.set_defaults(func=cmd_consent)
    export = commands.add_parser("export", help="a subject's data as a FHIR bundle behind a download link")
    export.add_argument("subject")
    export.set_defaults(func=cmd_export)
    retention = commands.add_parser("retention", help="retention rules and the sweep")
    retention.add_argument("action", choices=("rules", "sweep"))
    retention.add_argument("--dry-run", action="store_true")
    retention.set_defaults(func=cmd_retention)
    research = commands.add_parser("research-export", help="anonymized research data (Safe Harbor, k-anonymity)")
    research.add_argument("file", type=Path)
    research.add_argument("--k", type=int, default=5)
    research.set_defaults(func=cmd_research_export)
    for command in commands.choices.values():
        command.add_argument("--env-file", type=Path, default=ENV_FILE, help=argparse.SUPPRESS)
        command.add_argument("--as", dest="as_", metavar="NAME", help="who you are (default: your login name)")
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
