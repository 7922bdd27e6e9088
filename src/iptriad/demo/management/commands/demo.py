from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from iptriad.demo.data import DEMO_STAFF, SECOND_ORGANISATION, demo_load, demo_password
from iptriad.demo.groups import WALKTHROUGH_GROUP
from iptriad.demo.programme import DEMO_LEAD, DEMO_PROGRAMME


class Command(BaseCommand):
    help = "Load the demo organisation with staff in every role and synthetic clients (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # Fictional accounts with a published password have no place on a server with real records.
            raise CommandError(
                "The demo makes accounts whose password is published: it does not run when IPTRIAD_ENV=production."
            )
        result = demo_load()
        self.stdout.write(
            f"Demo organisation {result.organisation.name!r} (slug {result.organisation.slug!r}): "
            f"{result.created_users} users, {result.created_clients} clients and {result.created_courses} IPT courses "
            "created now."
        )
        self.stdout.write(
            f"Group IPT: {result.created_groups} groups created now at two sites, led by the facilitator "
            f"(forming, running, ending and closed); {WALKTHROUGH_GROUP!r} has session 3 due today, and one member of "
            "'Market day group' is held for clinical review. Programme counts: /groups/programme/."
        )
        self.stdout.write(
            "Not on track: DEMO-0019 (early non-response), DEMO-0022 (reliable deterioration), DEMO-0025 (two missed "
            "sessions) and DEMO-0028 (never reviewed in supervision); each course page shows its flags."
        )
        self.stdout.write(
            f"Fidelity: {result.created_ratings} session ratings created now (self-ratings and the supervisor's "
            "sample); each person's agreement over time: /fidelity/."
        )
        self.stdout.write(
            "Outcomes: 20 courses that ended over the past year besides the closed group; "
            "`iptriad report outcomes --org demo --format json` prints the report."
        )
        self.stdout.write(
            "Competency records: training and certifications for the staff at /competency/; one refresher is overdue."
        )
        self.stdout.write("Demo logins (password for all: " + demo_password() + "):")
        for person in DEMO_STAFF:
            self.stdout.write(f"  {person.role.label:<18} {person.email}")
        self.stdout.write(f"  The supervisor also belongs to {SECOND_ORGANISATION[0]!r}: use the switcher.")
        self.stdout.write(
            f"  {'Programme lead':<18} {DEMO_LEAD[0]} (of {DEMO_PROGRAMME[1]!r}: both organisations' outcome "
            "figures, no record)"
        )
        self.stdout.write(
            "Two-step sign-in (an authenticator app code) is switched OFF for the demo organisations, so the "
            "password alone logs in. To try it, log in as the administrator and tick 'Require an authenticator "
            "app' under Settings; anyone can also set one up on their account page (click your name). "
            "Organisations made with `iptriad createorg` require it from the start."
        )
