from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.mfa import mfa_reset
from iptriad.accounts.selectors import user_by_email


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app and recovery codes, for a lost phone. Where their organisation "
        "requires MFA they set up a new app at their next login. Check who is asking before you run it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's e-mail address")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_by_email(email=options["email"])
        if user is None:
            raise CommandError("No account has this e-mail address.")
        mfa_reset(user=user, ip_address=None, by_operator=True)
        self.stdout.write(f"Removed the authenticator app and recovery codes of {user.email}.")
