from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.selectors import user_by_email
from iptriad.accounts.services import sessions_end_for_everyone, sessions_end_for_user_by_operator


class Command(BaseCommand):
    help = (
        "Log a person out of every session they have open (a lost or shared device), or everyone at once with "
        "--all (after a suspected breach). Accounts stay active; audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", nargs="?", help="The account's e-mail address")
        parser.add_argument("--all", action="store_true", help="End every session of every account")

    def handle(self, *args: Any, **options: Any) -> None:
        email, everyone = options["email"], options["all"]
        if bool(email) == everyone:
            raise CommandError("Give one account's e-mail address, or --all for every account (not both).")
        if everyone:
            ended = sessions_end_for_everyone()
            self.stdout.write(f"Ended every session: {ended} open session{'s' if ended != 1 else ''}.")
            return
        user = user_by_email(email=email)
        if user is None:
            raise CommandError("No account has this e-mail address.")
        ended = sessions_end_for_user_by_operator(user)
        self.stdout.write(f"Logged {user.email} out everywhere: {ended} open session{'s' if ended != 1 else ''}.")
