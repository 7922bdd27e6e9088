from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation, Role, User
from iptriad.accounts.services import member_add


class Command(BaseCommand):
    help = (
        "Add a person to an organisation with a role, creating their account if needed. "
        "A new account's password is asked for (or read from the first line of standard input)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--org", required=True, help="The organisation's slug")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="Full name (required for a new account)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug {options['org']!r}.")
        email = User.objects.normalize_email(options["email"]).lower()
        password = None
        if not User.objects.filter(email=email).exists():
            if not options["name"]:
                raise CommandError("A new account needs --name.")
            password = self._read_password()
        try:
            membership = member_add(
                actor=Actor.operator(organisation),
                email=email,
                full_name=options["name"],
                role=options["role"],
                password=password,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Added {membership.user.email} to {organisation.name} as {membership.get_role_display()}.")

    def _read_password(self) -> str:
        if sys.stdin.isatty():
            first = getpass.getpass("Password for the new account: ")
            if getpass.getpass("Again: ") != first:
                raise CommandError("The two passwords differ.")
            return first
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise CommandError("Give the new account's password on standard input.")
        return line
