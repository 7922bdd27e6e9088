import io

import pytest
from django.core.management import call_command
from django.utils import timezone

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


def test_it_creates_a_member_in_every_role_and_about_30_clients(demo):
    demo = Organisation.objects.get(slug="demo")
    roles = set(Membership.objects.filter(organisation=demo).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert Membership.objects.filter(organisation=demo, role=Role.THERAPIST).count() == 2
    assert Client.objects.filter(organisation=demo, identifier__startswith="DEMO-").count() == DEMO_CLIENT_COUNT == 30
    ages = {client.age_group for client in Client.objects.filter(organisation=demo)}
    assert ages == {"adult", "adolescent"}


def test_running_it_twice_changes_nothing(demo):
    first = _snapshot()
    demo_load()
    assert _snapshot() == first


def test_the_command_prints_the_logins(demo):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "therapist@demo.iptriad.example" in out.getvalue()
    assert "password for all" in out.getvalue()


def test_it_creates_courses_in_every_phase_and_every_problem_area_with_one_open_alert(demo):
    from iptriad.core.protocol import Phase, ProblemAreaCode
    from iptriad.courses.models import Course, ProblemAreaChoice
    from iptriad.measures.models import RiskAlert

    assert set(Course.objects.values_list("phase", flat=True)) == {phase.value for phase in Phase}
    assert set(ProblemAreaChoice.objects.values_list("area", flat=True)) == {area.value for area in ProblemAreaCode}
    # One open alert in the courses (the groups' held member has her own, tested below).
    assert RiskAlert.objects.filter(closed_at__isnull=True, context__kind="course").count() == 1
    middle = Course.objects.filter(phase=Phase.MIDDLE).first()
    assert middle is not None
    assert middle.treatment_context.administrations.count() == middle.sessions.count()


def test_it_creates_groups_in_every_phase_for_the_facilitator_with_one_held_member_and_one_outreach_task(demo):
    from iptriad.groups.models import Group, GroupMember, OutreachTask, Referral
    from iptriad.groups.selectors.programme import programme_counts

    demo = Organisation.objects.get(slug="demo")
    groups = Group.objects.filter(organisation=demo, facilitator__email="facilitator@demo.iptriad.example")
    assert groups.count() == 5
    assert set(groups.values_list("status", flat=True)) == {"forming", "running", "closed"}
    walkthrough = groups.get(name="Riverside women's group")
    assert walkthrough.members.filter(status="joined").count() == 12
    assert list(walkthrough.sessions.filter(held_on__isnull=False).values_list("number", flat=True)) == [1, 2]
    assert walkthrough.sessions.get(number=3).planned_on == timezone.localdate()
    held = [member for member in GroupMember.objects.filter(organisation=demo) if member.is_held]
    assert len(held) == 1
    assert held[0].held_alert is not None
    assert held[0].held_alert.is_open
    assert OutreachTask.objects.filter(organisation=demo, done_at__isnull=True).count() == 1
    assert Referral.objects.filter(organisation=demo, reason="needs_other_care").count() == 1
    admin = Membership.objects.select_related("user", "organisation").get(
        organisation=demo, user__email="supervisor@demo.iptriad.example"
    )
    from iptriad.accounts.actors import Actor

    counts = programme_counts(Actor.for_membership(admin), groups)
    completed = counts.outcomes[2]
    assert completed.paired >= 5
    assert completed.change_mean is not None
    assert completed.change_mean < 0, "scores fall on average over the groups"


def test_the_command_prints_a_line_about_the_groups(demo):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Riverside women's group" in out.getvalue()
