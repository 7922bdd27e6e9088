"""The test personas, created once per test: two organisations, a member in every role, a client each.

Organisation A ("Alpha Clinic") has an admin, a supervisor, two therapists and a facilitator; organisation B
("Beta Service") has an admin and a therapist. Each organisation has one client assigned to a therapist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]
from django_otp.oath import totp  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from iptriad.accounts.actors import Actor
from iptriad.accounts.middleware import SESSION_ORGANISATION_KEY
from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.clients.models import Client

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Personas:
    org_a: Organisation
    org_b: Organisation
    admin_a: User
    supervisor_a: User
    therapist_a: User
    therapist_a2: User
    facilitator_a: User
    admin_b: User
    therapist_b: User
    client_a: Client
    client_b: Client

    def member_of_a(self, role: Role) -> User:
        return {
            Role.ADMIN: self.admin_a,
            Role.SUPERVISOR: self.supervisor_a,
            Role.THERAPIST: self.therapist_a,
            Role.FACILITATOR: self.facilitator_a,
        }[role]

    def actor(self, user: User, organisation: Organisation | None = None) -> Actor:
        organisation = organisation or self.org_a
        return Actor.for_membership(
            Membership.objects.select_related("user", "organisation").get(user=user, organisation=organisation)
        )


def make_user(email: str, name: str, organisation: Organisation, role: Role) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=name)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_client(organisation: Organisation, identifier: str, therapist: User | None, **fields: object) -> Client:
    values: dict[str, object] = {
        "given_name": "Robin",
        "family_name": "Sampleton",
        "date_of_birth": dt.date(1990, 4, 1),
        "consent_to_treatment": True,
        "consent_to_treatment_on": dt.date(2026, 1, 5),
    }
    values.update(fields)
    client = Client(organisation=organisation, identifier=identifier, therapist=therapist, **values)
    client.refresh_search_text()
    client.save()
    return client


@pytest.fixture
def personas(db: None) -> Personas:
    org_a = Organisation.objects.create(name="Alpha Clinic", slug="alpha", time_zone="Europe/London")
    org_b = Organisation.objects.create(name="Beta Service", slug="beta", time_zone="Africa/Kampala")
    therapist_a = make_user("therapist.a@alpha.example", "Tara Alpha", org_a, Role.THERAPIST)
    therapist_b = make_user("therapist.b@beta.example", "Tomas Beta", org_b, Role.THERAPIST)
    return Personas(
        org_a=org_a,
        org_b=org_b,
        admin_a=make_user("admin.a@alpha.example", "Adele Alpha", org_a, Role.ADMIN),
        supervisor_a=make_user("supervisor.a@alpha.example", "Sunil Alpha", org_a, Role.SUPERVISOR),
        therapist_a=therapist_a,
        therapist_a2=make_user("therapist.a2@alpha.example", "Tove Alpha", org_a, Role.THERAPIST),
        facilitator_a=make_user("facilitator.a@alpha.example", "Femi Alpha", org_a, Role.FACILITATOR),
        admin_b=make_user("admin.b@beta.example", "Anna Beta", org_b, Role.ADMIN),
        therapist_b=therapist_b,
        client_a=make_client(org_a, "A-0001", therapist_a, given_name="Casey", family_name="Alphason"),
        client_b=make_client(org_b, "B-0001", therapist_b, given_name="Corin", family_name="Betason"),
    )


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator device, created on first use (as if they had enrolled)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def logged_in(
    user: User, organisation: Organisation | None = None, *, verified: bool = True, enforce_csrf_checks: bool = False
) -> HttpClient:
    """A test HTTP client logged in as the user, working in the given organisation.

    `verified`: the session has also passed the authenticator code (the user gets a device), as a real
    login must where MFA is required; False gives a session that has typed the password only.
    """
    http = HttpClient(enforce_csrf_checks=enforce_csrf_checks)
    http.force_login(user)  # starts the session clocks (iptriad.accounts.signals)
    session = http.session
    if verified:
        device = totp_device(user)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if organisation is not None:
        session[SESSION_ORGANISATION_KEY] = organisation.pk
    session.save()
    return http
