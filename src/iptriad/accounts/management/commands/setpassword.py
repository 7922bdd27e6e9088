"""`iptriad changepassword EMAIL` (and `iptriad setpassword EMAIL`): the operator sets a new password.

Django's own changepassword only stored the hash; this one also ends the account's sessions and revokes its API
tokens, audited (issue 16, item 8). The `iptriad` command sends `changepassword` here (iptriad.cli).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.services import password_set_by_operator


class Command(BaseCommand):
    help = (
        "Set a new password for an account (asked twice, or read from the first line of standard input). Every "
        "session and API token of the account ends; the authenticator app stays."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's e-mail address")

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._read_password()
        try:
            user, ended = password_set_by_operator(email=options["email"], new_password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        sessions = f"{ended} open session{'s' if ended != 1 else ''}"
        self.stdout.write(f"Password changed for {user.email}; {sessions} and every API token ended.")

    def _read_password(self) -> str:
        if sys.stdin.isatty():
            password = getpass.getpass("New password: ")
            if password != getpass.getpass("New password (again): "):
                raise CommandError("The two passwords differ.")
            return password
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("Give the new password on standard input.")
        return password
