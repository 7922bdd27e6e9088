"""The scale data generator: an organisation with N synthetic clients spread over therapists, in bulk.

Used by the benchmarks; fictional names only. Idempotent per organisation slug: tops up to N clients.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction

from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.clients.models import Client, ClientStatus

BATCH = 5_000
THERAPISTS = 40


def scale_organisation(slug: str, clients: int, password: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": f"Scale {slug}"})
    # The benchmarks log in with the password alone: they time pages, not the authenticator step.
    Organisation.objects.filter(pk=organisation.pk).update(mfa_required=False)
    therapists = []
    for number in range(THERAPISTS):
        email = f"therapist{number}@{slug}.bench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=password, full_name=f"Bench Therapist {number}"
        )
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Role.THERAPIST})
        therapists.append(user)
    for role in (Role.SUPERVISOR, Role.ADMIN):
        email = f"{role.value}@{slug}.bench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=password, full_name=f"Bench {role.label}"
        )
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})
    existing = Client.objects.filter(organisation=organisation).count()
    rng = random.Random(slug)  # noqa: S311 (synthetic data, not secrets)
    today = dt.date(2026, 11, 26)
    for start in range(existing, clients, BATCH):
        batch = [
            Client(
                organisation=organisation,
                identifier=f"S-{number:07d}",
                given_name=rng.choice(("Amara", "Bram", "Chiara", "Dev", "Esme", "Finn", "Gita", "Hugo")),
                family_name=f"Benchton{rng.randint(0, 99_999):05d}",
                date_of_birth=today - dt.timedelta(days=rng.randint(13 * 365, 80 * 365)),
                therapist=therapists[number % THERAPISTS],
                consent_to_treatment=True,
                consent_to_treatment_on=today,
                status=ClientStatus.ACTIVE,
            )
            for number in range(start, min(start + BATCH, clients))
        ]
        for client in batch:
            client.refresh_search_text()
        with transaction.atomic():
            Client.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        # Autovacuum would gather statistics within minutes in production; a benchmark right after a bulk
        # load must not measure plans made without them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE clients_client")
    return organisation
