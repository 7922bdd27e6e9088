from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.services import user_deactivate


class Command(BaseCommand):
    help = (
        "Deactivate an account: it can no longer log in, and every session it has open ends now. "
        "Its records and audit trail stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's e-mail address")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, ended = user_deactivate(email=options["email"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Deactivated {user.email}; {ended} open session{'s' if ended != 1 else ''} ended.")
