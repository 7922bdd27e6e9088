"""The test personas: two organisations, a member in every role, a client each.

Organisation A ("Alpha Clinic") has an admin, a supervisor, two therapists and a facilitator; organisation B
("Beta Service") has an admin and a therapist. Each organisation has one client assigned to a therapist.

The personas are written once per test module, not once per test (tests/shared_data.py): every test of a module
whose tests use them runs with them in the database, and each test gets its own copy of the objects. A test that
commits (`transactional_db`, `live_server`) gets personas of its own instead, removed by the flush after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]
from django_otp.oath import totp  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from iptriad.accounts.actors import Actor
from iptriad.accounts.middleware import SESSION_ORGANISATION_KEY
from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.audit import refusals
from iptriad.clients.models import Client
from iptriad.flags.dashboard import cache as dashboard_cache
from tests.shared_data import SharedTransaction, copy_for_test, runs_in_a_test_transaction

# The permission matrix's objects (`objects`), written once per module like the personas, for the security, API
# and audit tests; and the demo (`demo`), loaded once for all the tests that read it.
pytest_plugins = ("tests.security.matrix_objects", "tests.demo.shared")

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


def build_personas() -> Personas:
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


@dataclass
class ModuleCast:
    """The personas written for one test module, and the transaction that removes them after its last test."""

    personas: Personas
    shared: SharedTransaction
    objects: Any = None  # the permission matrix's objects, once a test asks for them (tests/security/matrix_objects.py)

    current: ClassVar[ModuleCast | None] = None  # the cast of the module whose tests are running, if any

    @property
    def is_open(self) -> bool:
        return self.shared.is_open

    def serves(self, request: pytest.FixtureRequest) -> bool:
        """Whether the test gets copies of the module's shared objects rather than objects of its own."""
        return self.is_open and runs_in_a_test_transaction(request.node)


_MODULES_USING = pytest.StashKey[dict[str, set[str]]]()


def modules_using(session: pytest.Session, fixture: str) -> set[str]:
    """The modules where a test run in a test transaction uses the fixture (read once the tests are chosen)."""
    found = session.stash.setdefault(_MODULES_USING, {})
    if fixture not in found:
        found[fixture] = {
            module.nodeid
            for item in session.items
            if fixture in getattr(item, "fixturenames", ()) and runs_in_a_test_transaction(item)
            if (module := item.getparent(pytest.Module)) is not None
        }
    return found[fixture]


CORE_DIR = Path(__file__).parent / "core"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, leave out the tests no database can change: they ran, the same, on the SQLite run.

    Those are the pure core's (tests/core: no Django, no database) and the modules marked `database_independent`
    (their commands run in a clean environment on a SQLite file of their own). Such a test asking for the database
    is an error, so the mark cannot hide a test that PostgreSQL could fail.
    """
    independent = []
    for item in items:
        if item.path.is_relative_to(CORE_DIR):
            item.add_marker(pytest.mark.database_independent)
        if item.get_closest_marker("database_independent") is None:
            continue
        if item.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
            getattr(item, "fixturenames", ())
        ):
            raise pytest.UsageError(f"{item.nodeid} uses the database but is marked database_independent")
        independent.append(item)
    if independent and connection.vendor == "postgresql":
        config.hook.pytest_deselected(items=independent)
        left_out = set(independent)
        items[:] = [item for item in items if item not in left_out]


@pytest.fixture(scope="module", autouse=True)
def module_cast(request: pytest.FixtureRequest) -> Iterator[ModuleCast | None]:
    """The module's personas, written before its first test when one of its tests uses them.

    Every test of such a module (run in a test transaction) sees them in the database, whether it asks for them
    or not, so the tests of a module do not depend on their order.
    """
    if request.node.nodeid not in modules_using(request.session, "personas"):
        yield None
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with SharedTransaction(blocker) as shared:
        with blocker.unblock():
            ModuleCast.current = ModuleCast(build_personas(), shared)
        yield ModuleCast.current
        ModuleCast.current = None


@pytest.fixture(autouse=True)
def _no_refusals_counted_across_tests() -> Iterator[None]:
    """Refusals a process counts but has not written yet (iptriad.audit.refusals) belong to one test's data."""
    yield
    refusals.forget_pending()


@pytest.fixture(autouse=True)
def _no_dashboard_kept_across_tests() -> Iterator[None]:
    """Dashboards a process keeps (iptriad.flags.dashboard.cache) belong to one test's data: rolled-back rows and
    frozen clocks could give another test's dashboard the same version."""
    yield
    dashboard_cache.forget_kept()


@pytest.fixture(autouse=True)
def _shared_data_only_under_test_transactions(request: pytest.FixtureRequest) -> None:
    """Before a test that commits, or needs no database, roll back the module's shared transaction first."""
    SharedTransaction.roll_back_before(request.node)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Once a test's own transaction is rolled back, let the connection open again if the test closed it."""
    yield
    SharedTransaction.roll_back_if_closed()


@pytest.fixture
def personas(request: pytest.FixtureRequest, db: None, module_cast: ModuleCast | None) -> Personas:
    """The module's personas, copied for this test; or personas of its own for a test that commits."""
    if module_cast is not None and module_cast.serves(request):
        return copy_for_test(request, module_cast.personas, *filter(None, [module_cast.objects]))
    return build_personas()


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
