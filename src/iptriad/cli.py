"""The `iptriad` console command: Django's management commands under one name.

`iptriad serve`, `iptriad migrate`, `iptriad demo`, `iptriad createorg NAME` and
`iptriad adduser EMAIL --org SLUG --role ROLE` are management commands, so a deployment needs
no Makefile and no manage.py.
"""

from __future__ import annotations

import os
import sys

# Commands that need no database or settings: answered without starting Django.
PURE_COMMANDS = ("score", "instruments")
# Commands spelt with a hyphen on the command line; Django's command modules need an identifier. `changepassword`
# is ours (accounts' setpassword, which also ends the account's sessions and API tokens), not Django's.
COMMAND_ALIASES = {"rotate-keys": "rotate_keys", "changepassword": "setpassword"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in PURE_COMMANDS:
        from iptriad.core.instruments.cli import main as instruments_main

        raise SystemExit(instruments_main(args))
    if args[:2] == ["rotate-keys", "--new-key"]:
        # A first production key is made before IPTRIAD_ENCRYPTION_KEYS exists, so without loading the settings.
        from iptriad.encryption.keys import new_key_entry

        sys.stdout.write(new_key_entry() + "\n")
        return
    if args and args[0] in COMMAND_ALIASES:
        args = [COMMAND_ALIASES[args[0]], *args[1:]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iptriad.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    from iptriad.env import ConfigurationError

    try:
        execute_from_command_line(["iptriad", *args])
    except ConfigurationError as error:
        # A one-line message naming the variable, not a traceback.
        sys.stderr.write(f"iptriad: configuration error: {error}\n")
        raise SystemExit(2) from None
    except DatabaseError:
        pending = _unapplied_migrations()
        if not pending:
            raise
        # "no such table" on a database never migrated (or one behind the code) says nothing useful to an operator.
        sys.stderr.write(
            f"iptriad: the database is not up to date: {pending} migration(s) not applied. "
            "Run `iptriad migrate` first.\n"
        )
        raise SystemExit(2) from None


def _unapplied_migrations() -> int:
    """How many migrations the database lacks; 0 also when that cannot be told (the original error then stands)."""
    from django.db import DatabaseError

    from iptriad.schema import unapplied_migrations

    try:
        return unapplied_migrations()
    except DatabaseError:
        return 0
