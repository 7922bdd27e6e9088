"""`iptriad programme create|add-organisation|remove-organisation|add-lead|remove-lead|list`: programmes, which
join organisations for their lead's aggregates, managed by an operator only (docs/operators/programmes.md)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.models import User
from iptriad.outcomes.programmes import (
    programme_create,
    programme_lead_add,
    programme_lead_remove,
    programme_organisation_add,
    programme_organisation_remove,
    programmes_all,
)


class Command(BaseCommand):
    help = (
        "Programmes: organisations whose outcome aggregates (never their records) their leads see together. "
        "Every change is recorded in the audit trail of each organisation concerned."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="Create a programme (no organisation and no lead yet).")
        create.add_argument("slug", help="Short name used by the other subcommands and in the page's address")
        create.add_argument("--name", required=True, help="The programme's name, e.g. 'Northern Region IPT'")
        for name, text in (
            ("add-organisation", "Join an organisation: its aggregates count in the programme's."),
            ("remove-organisation", "Take an organisation out of the programme."),
        ):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("slug", help="The programme's slug")
            sub.add_argument("organisation", help="The organisation's slug")
        add_lead = commands.add_parser(
            "add-lead",
            help="Name a programme lead. A new account needs --name; its password is asked for (or read from the "
            "first line of standard input). A lead needs no membership in any organisation.",
        )
        add_lead.add_argument("slug", help="The programme's slug")
        add_lead.add_argument("email", help="The lead's e-mail address")
        add_lead.add_argument("--name", default="", help="Full name (only for a new account)")
        remove_lead = commands.add_parser("remove-lead", help="Stop a person leading the programme.")
        remove_lead.add_argument("slug", help="The programme's slug")
        remove_lead.add_argument("email", help="The lead's e-mail address")
        commands.add_parser("list", help="List the programmes with their organisations and leads.")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "create": self._create,
            "add-organisation": self._add_organisation,
            "remove-organisation": self._remove_organisation,
            "add-lead": self._add_lead,
            "remove-lead": self._remove_lead,
            "list": self._list,
        }
        try:
            handlers[options["command"]](options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _create(self, options: dict[str, Any]) -> None:
        programme = programme_create(slug=options["slug"], name=options["name"])
        self.stdout.write(f"Created programme {programme.name!r} with slug {programme.slug!r}.")

    def _add_organisation(self, options: dict[str, Any]) -> None:
        programme, organisation = programme_organisation_add(
            programme_slug=options["slug"], organisation_slug=options["organisation"]
        )
        self.stdout.write(f"{organisation.name} is now in {programme.name}.")

    def _remove_organisation(self, options: dict[str, Any]) -> None:
        programme, organisation = programme_organisation_remove(
            programme_slug=options["slug"], organisation_slug=options["organisation"]
        )
        self.stdout.write(f"{organisation.name} is no longer in {programme.name}.")

    def _add_lead(self, options: dict[str, Any]) -> None:
        email = User.objects.normalize_email(options["email"]).lower()
        password = None
        if options["name"] and not User.objects.filter(email=email).exists():
            password = self._read_password()
        programme, user, created = programme_lead_add(
            programme_slug=options["slug"], email=email, full_name=options["name"], password=password
        )
        made = " (a new account)" if created else ""
        self.stdout.write(f"{user.email}{made} now leads {programme.name}.")

    def _remove_lead(self, options: dict[str, Any]) -> None:
        programme, user = programme_lead_remove(programme_slug=options["slug"], email=options["email"])
        self.stdout.write(f"{user.email} no longer leads {programme.name}.")

    def _list(self, options: dict[str, Any]) -> None:
        programmes = list(programmes_all())
        if not programmes:
            self.stdout.write("No programmes yet: `iptriad programme create SLUG --name NAME` makes one.")
            return
        for programme in programmes:
            self.stdout.write(f"{programme.slug}: {programme.name}")
            organisations = ", ".join(f"{o.name} ({o.slug})" for o in programme.organisations.all()) or "none"
            leads = ", ".join(lead.email for lead in programme.leads.all()) or "none"
            self.stdout.write(f"  organisations: {organisations}")
            self.stdout.write(f"  leads: {leads}")

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
