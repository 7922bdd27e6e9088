import io

import pytest
from django.core.management import call_command

from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.audit.models import AuditEvent
from iptriad.clients.models import Client
from iptriad.demo.data import DEMO_CLIENT_COUNT, demo_load

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Client.objects.count(),
        AuditEvent.objects.count(),
    )


def test_it_creates_a_member_in_every_role_and_about_30_clients():
    demo_load()
    demo = Organisation.objects.get(slug="demo")
    roles = set(Membership.objects.filter(organisation=demo).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert Membership.objects.filter(organisation=demo, role=Role.THERAPIST).count() == 2
    assert Client.objects.filter(organisation=demo).count() == DEMO_CLIENT_COUNT == 30
    ages = {client.age_group for client in Client.objects.filter(organisation=demo)}
    assert ages == {"adult", "adolescent"}


def test_running_it_twice_changes_nothing():
    demo_load()
    first = _snapshot()
    demo_load()
    assert _snapshot() == first


def test_the_command_prints_the_logins():
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "therapist@demo.iptriad.example" in out.getvalue()
    assert "password for all" in out.getvalue()


def test_it_creates_courses_in_every_phase_and_every_problem_area_with_one_open_alert():
    from iptriad.core.protocol import Phase, ProblemAreaCode
    from iptriad.courses.models import Course, ProblemAreaChoice
    from iptriad.measures.models import RiskAlert

    demo_load()
    assert set(Course.objects.values_list("phase", flat=True)) == {phase.value for phase in Phase}
    assert set(ProblemAreaChoice.objects.values_list("area", flat=True)) == {area.value for area in ProblemAreaCode}
    assert RiskAlert.objects.filter(closed_at__isnull=True).count() == 1
    middle = Course.objects.filter(phase=Phase.MIDDLE).first()
    assert middle is not None
    assert middle.treatment_context.administrations.count() == middle.sessions.count()
