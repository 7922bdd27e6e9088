"""The demo organisation: staff in every role and about 30 synthetic clients with clearly fictional names.

Loading is idempotent: whatever already exists (matched by slug, e-mail or client identifier) is left as it is.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.accounts.services import member_add, organisation_create
from iptriad.clients.models import Client, Sex
from iptriad.clients.services import ClientDetails, client_archive, client_create
from iptriad.demo.competency import demo_competency_load
from iptriad.demo.courses import demo_courses_load
from iptriad.demo.fidelity import demo_fidelity_load
from iptriad.demo.flags import demo_flags_load
from iptriad.demo.groups import demo_groups_load
from iptriad.demo.outcomes import demo_outcomes_load, demo_outcomes_refresh
from iptriad.demo.programme import demo_programme_load
from iptriad.demo.supervision import demo_supervision_load

DEMO_PASSWORD_DEFAULT = "iptriad-demo-only"  # noqa: S105 (printed by `iptriad demo`; demo data only)


def demo_password() -> str:
    return os.environ.get("IPTRIAD_DEMO_PASSWORD") or DEMO_PASSWORD_DEFAULT


@dataclass(frozen=True)
class DemoStaff:
    email: str
    full_name: str
    role: Role


DEMO_ORGANISATION = ("Demo Clinic (fictional)", "demo", "Europe/London")
SECOND_ORGANISATION = ("Demo Outreach Programme (fictional)", "demo-outreach", "Africa/Kampala")

DEMO_STAFF = (
    DemoStaff("admin@demo.iptriad.example", "Ada Administrator", Role.ADMIN),
    DemoStaff("supervisor@demo.iptriad.example", "Sam Supervisor", Role.SUPERVISOR),
    DemoStaff("therapist@demo.iptriad.example", "Theo Therapist", Role.THERAPIST),
    DemoStaff("therapist2@demo.iptriad.example", "Tessa Therapist", Role.THERAPIST),
    DemoStaff("facilitator@demo.iptriad.example", "Fola Facilitator", Role.FACILITATOR),
)
# The supervisor also works for a second organisation, to show the organisation switcher.
SECOND_ORGANISATION_STAFF = (DemoStaff("supervisor@demo.iptriad.example", "Sam Supervisor", Role.SUPERVISOR),)

# Made-up surnames that no reader will take for a real person's.
FAMILY_NAMES = (
    "Sampleton",
    "Democroft",
    "Fictionby",
    "Exampleford",
    "Placeholm",
    "Mockingdale",
    "Testwick",
    "Pretendon",
    "Inventsby",
    "Notreal",
    "Madeupson",
    "Dummington",
)
GIVEN_NAMES = {
    Sex.FEMALE: ("Amara", "Bea", "Chiara", "Dalia", "Esme", "Farah", "Gita", "Hana", "Ines", "Juno"),
    Sex.MALE: ("Arlo", "Bram", "Cyrus", "Dev", "Emre", "Finn", "Goran", "Hugo", "Idris", "Jonas"),
}
LANGUAGES = ("en", "en", "en", "es", "fr", "ar", "pt", "sw")
DEMO_CLIENT_COUNT = 30
SECOND_ORGANISATION_CLIENT_COUNT = 4


@dataclass(frozen=True)
class DemoResult:
    organisation: Organisation
    created_clients: int
    created_users: int
    created_courses: int = 0
    created_groups: int = 0
    created_ratings: int = 0


def _organisation(name: str, slug: str, time_zone: str) -> Organisation:
    existing = Organisation.objects.filter(slug=slug).first()
    # MFA off, so anyone can try the demo with the printed passwords alone (`iptriad demo` says how to switch it on).
    return existing or organisation_create(name=name, slug=slug, time_zone=time_zone, mfa_required=False)


def _staff(organisation: Organisation, staff: tuple[DemoStaff, ...]) -> int:
    created = 0
    operator = Actor.operator(organisation)
    for person in staff:
        is_new_user = not User.objects.filter(email=person.email).exists()
        if not Membership.objects.filter(user__email=person.email, organisation=organisation).exists():
            member_add(
                actor=operator,
                email=person.email,
                full_name=person.full_name,
                role=person.role,
                password=demo_password(),
            )
        created += int(is_new_user)
    return created


def _clients(organisation: Organisation, prefix: str, count: int, therapists: list[User]) -> int:
    # Seeded, so every machine gets the same fictional people; nothing here needs to be unpredictable.
    rng = random.Random(f"iptriad-demo-{organisation.slug}")  # noqa: S311
    operator = Actor.operator(organisation)
    today = timezone.localdate()
    created = 0
    for number in range(1, count + 1):
        identifier = f"{prefix}-{number:04d}"
        sex = rng.choice((Sex.FEMALE, Sex.FEMALE, Sex.MALE))
        given_name = rng.choice(GIVEN_NAMES[sex])
        family_name = rng.choice(FAMILY_NAMES)
        # About one in six is an adolescent (IPT-A), the rest adults of working age and older.
        age = rng.randint(13, 17) if number % 6 == 0 else rng.randint(19, 78)
        born = today - dt.timedelta(days=age * 365 + rng.randint(30, 330))
        consent_on = today - dt.timedelta(days=rng.randint(1, 200))
        therapist = therapists[number % len(therapists)] if number % 10 != 0 else None
        archived = number % 15 == 0
        if Client.objects.filter(organisation=organisation, identifier=identifier).exists():
            continue
        client = client_create(
            actor=operator,
            details=_details(identifier, given_name, family_name, born, sex, number, rng, consent_on, therapist),
        )
        if archived:
            client_archive(actor=operator, client=client)
        created += 1
    return created


def _details(
    identifier: str,
    given_name: str,
    family_name: str,
    born: dt.date,
    sex: Sex,
    number: int,
    rng: random.Random,
    consent_on: dt.date,
    therapist: User | None,
) -> ClientDetails:
    data_use = rng.random() < 0.8
    return ClientDetails(
        identifier=identifier,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=born,
        sex=sex,
        gender="",
        phone=f"+44 7700 900{number:03d}",  # Ofcom's range reserved for drama: never a real line
        email=f"{given_name.lower()}.{family_name.lower()}.{number}@client.iptriad.example",
        preferred_language=rng.choice(LANGUAGES),
        consent_to_treatment=True,
        consent_to_treatment_on=consent_on,
        consent_to_data_use=data_use,
        consent_to_data_use_on=consent_on if data_use else None,
        therapist=therapist,
    )


@transaction.atomic
def demo_load() -> DemoResult:
    organisation = _organisation(*DEMO_ORGANISATION)
    created_users = _staff(organisation, DEMO_STAFF)
    clinicians = list(
        User.objects.filter(
            email__in=[s.email for s in DEMO_STAFF if s.role in (Role.THERAPIST, Role.SUPERVISOR)]
        ).order_by("email")
    )
    created_clients = _clients(organisation, "DEMO", DEMO_CLIENT_COUNT, clinicians)
    created_courses = demo_courses_load(organisation)
    created_groups = demo_groups_load(organisation)
    demo_supervision_load(organisation)  # after the courses and groups it reviews
    # Courses that ended over the past year (none open: the active cases stay), before the flags and ratings read them.
    created_courses += demo_outcomes_load(organisation)
    # Courses off track, then every context's flags stored (a later write refreshes its own context on commit).
    created_courses += demo_flags_load(organisation)
    created_ratings = demo_fidelity_load(organisation)  # after every demo session is held, the off-track ones too
    demo_competency_load(organisation)  # workforce records: nothing a flag reads
    demo_outcomes_refresh(organisation)  # every context's outcome row, the demo's report reads them
    second = _organisation(*SECOND_ORGANISATION)
    created_users += _staff(second, SECOND_ORGANISATION_STAFF)
    supervisor = User.objects.get(email=SECOND_ORGANISATION_STAFF[0].email)
    created_clients += _clients(second, "OUT", SECOND_ORGANISATION_CLIENT_COUNT, [supervisor])
    demo_programme_load([organisation, second], demo_password())  # a lead who is a member of neither
    return DemoResult(
        organisation=organisation,
        created_clients=created_clients,
        created_users=created_users,
        created_courses=created_courses,
        created_groups=created_groups,
        created_ratings=created_ratings,
    )
