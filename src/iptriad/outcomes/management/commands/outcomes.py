"""`iptriad outcomes refresh [--org SLUG]`: recompute the stored outcome rows, e.g. after an upgrade that changed the
definitions (METRICS_VERSION) or to fill them for records made before outcome reports existed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.models import Organisation
from iptriad.outcomes.services import outcomes_contexts_of, outcomes_refresh


class Command(BaseCommand):
    help = "Recompute the outcome rows of every course and group place (of one organisation, or all)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        refresh = commands.add_parser("refresh", help="Recompute and store the outcome rows; safe to run at any time.")
        refresh.add_argument("--org", help="The organisation's slug (default: every organisation)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation_id = None
        if options.get("org"):
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"No organisation has the slug {options['org']!r}.")
            organisation_id = organisation.pk
        written = outcomes_refresh(outcomes_contexts_of(organisation_id=organisation_id))
        self.stdout.write(f"Outcomes refreshed for {written} course(s) and group place(s).")
