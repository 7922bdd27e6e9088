from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.services import organisation_create


class Command(BaseCommand):
    help = "Create an organisation (a clinic, service or programme)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The organisation's name, e.g. 'Northside Wellbeing Service'")
        parser.add_argument("--slug", default="", help="Short name used by other commands (default: from the name)")
        parser.add_argument("--time-zone", default="UTC", help="IANA time zone for showing dates (default UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_create(
                name=options["name"], slug=options["slug"], time_zone=options["time_zone"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Created organisation {organisation.name!r} with slug {organisation.slug!r}.")
