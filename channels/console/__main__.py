"""Run the staff console, or add a staff account.

    python -m channels.console                      serve on 127.0.0.1:CONSOLE_PORT (make run does it)
    python -m channels.console add-staff NAME --role agent|privacy_officer|admin

The password is asked twice (or read from standard input with --password-stdin); for a
privacy officer or an admin the TOTP secret to enter in an authenticator app is printed once.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

import settings
from bot.plugins.log_messages import TEMPLATES
from privacy import Vault, VaultError, logs
from privacy.clinic.staff import ROLES


def add_staff(args: argparse.Namespace) -> None:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            sys.exit("The two passwords differ.")
    secret = Vault.open().staff.add(args.name, args.role, password)
    print(f"Account {args.name} ({args.role}) created.")
    if secret:
        print(
            f"Second factor: add this key to an authenticator app (TOTP, 6 digits, 30 s): {secret}\n"
            f"  otpauth://totp/Healthtigo:{args.name}?secret={secret}&issuer=Healthtigo"
        )


def serve() -> None:
    if not settings.RASA_API_TOKEN:
        sys.exit("RASA_API_TOKEN is not set: the console answers patients through Rasa's API. Run `make run`.")
    try:
        Vault.open().close()
    except VaultError as error:
        sys.exit(f"The vault cannot be opened: {error}")
    logs.install(TEMPLATES)
    logging.basicConfig(level=settings.LOG_LEVEL.upper())
    from channels.console.app import create_app

    create_app().run(host=settings.HOST, port=settings.CONSOLE_PORT, access_log=False, workers=1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m channels.console", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    add = commands.add_parser("add-staff", help="create a staff account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args()
    try:
        add_staff(args) if args.command == "add-staff" else serve()
    except VaultError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
