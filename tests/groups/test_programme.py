"""Programme counts: screened, joined, reached, completed, reasons, scores at the start and the end; the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.groups.models import Group, GroupMember, ProgrammeSite
from iptriad.groups.selectors.programme import counts_by, programme_counts
from iptriad.groups.services.members import (
    PreGroupDetails,
    member_add,
    member_decide,
    member_drop,
    member_transfer,
    pre_group_record,
)
from iptriad.groups.services.sessions import RosterEntry, session_record
from tests.conftest import logged_in
from tests.groups.factories import PHQ9_MODERATE, joined_members, make_clients, make_group

pytestmark = pytest.mark.django_db

END = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # 6: the end rating, 5 below the screening score of 11


def _screen(actor: Actor, member: GroupMember) -> None:
    pre_group_record(
        actor=actor,
        member=member,
        details=PreGroupDetails(
            held_on=timezone.localdate() - dt.timedelta(days=61),
            screening_answers=PHQ9_MODERATE,
            problem_area="grief",
            goal="Sleep again",
            note="",
            suicide_plan=False,
            recent_attempt=False,
        ),
    )


def _record(
    actor: Actor,
    group: Group,
    number: int,
    statuses: list[tuple[GroupMember, str]],
    answers: list[int] = PHQ9_MODERATE,
) -> None:
    """Session `number` with each member's status; every member present gets a check (END in the last session)."""
    session = group.sessions.get(number=number)
    day = group.starts_on + dt.timedelta(days=7 * (number - 1))
    entries = [
        RosterEntry(
            member_id=member.pk,
            status=status,
            answers=answers if status in ("present", "make_up") else None,
            made_up_on=day if status == "make_up" else None,
        )
        for member, status in statuses
    ]
    session_record(actor=actor, session=session, held_on=day, entries=entries)


@pytest.fixture
def programme(personas):
    """A WHO 8-session group run to its end: three complete it, one comes once and drops out, one never comes; one
    person screened did not join and one awaits their meeting."""
    admin = personas.actor(personas.admin_a)
    facilitator = personas.actor(personas.facilitator_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    clients = make_clients(personas.org_a, 7)
    members = joined_members(admin, facilitator, group, clients[:5])
    declined = member_add(actor=admin, group=group, client=clients[5])
    _screen(facilitator, declined)
    member_decide(actor=facilitator, member=declined, joins=False, reason_code="declined")
    member_add(actor=admin, group=group, client=clients[6])
    completers, once, never = members[:3], members[3], members[4]
    _record(facilitator, group, 1, [*((m, "present") for m in completers), (once, "present"), (never, "excused")])
    _record(facilitator, group, 2, [*((m, "make_up") for m in completers), (once, "excused"), (never, "excused")])
    member_drop(actor=facilitator, member=once, reason_code="moved", left_on=group.starts_on + dt.timedelta(days=8))
    for number in range(3, 9):
        _record(
            facilitator,
            group,
            number,
            [*((m, "present") for m in completers), (never, "excused")],
            answers=END if number == 8 else PHQ9_MODERATE,
        )
    return group


def test_the_counts_follow_their_definitions(programme, personas):
    counts = programme_counts(personas.actor(personas.therapist_a), Group.objects.filter(pk=programme.pk))
    assert (counts.screened, counts.awaiting, counts.joined) == (6, 1, 5)
    assert (counts.reached, counts.completed) == (4, 3)  # make-ups count as attended
    assert (counts.not_joined, counts.dropped) == (1, 1)
    assert [(r.code, r.count) for r in counts.not_joined_reasons] == [("declined", 1)]
    assert [(r.code, r.count) for r in counts.dropout_reasons] == [("moved", 1)]
    joined, reached, completed = counts.outcomes
    assert joined.baseline_n == 5
    assert joined.baseline_mean == 11
    assert (completed.members, completed.paired) == (3, 3)
    assert completed.end_mean == 6
    assert completed.change_mean == -5
    assert completed.few
    assert not completed.withheld
    assert reached.end_n == 3
    assert counts.held_now == 0
    assert counts.referrals_open == 0


def test_an_administrator_sees_the_counts_but_not_a_mean_of_few_members(programme, personas):
    counts = programme_counts(personas.actor(personas.admin_a), Group.objects.filter(pk=programme.pk))
    assert counts.completed == 3
    assert all(outcome.withheld for outcome in counts.outcomes)  # 3 end scores: one could be read off


def test_a_facilitator_counts_only_their_groups(programme, personas):
    other = make_group(
        personas.actor(personas.admin_a),
        facilitator=personas.therapist_a2,
        supervisor=personas.therapist_a2,
        name="Another group",
    )
    runner = personas.actor(personas.therapist_a2)
    joined_members(personas.actor(personas.admin_a), runner, other, make_clients(personas.org_a, 2, "X"))
    assert programme_counts(personas.actor(personas.facilitator_a), Group.objects.all()).joined == 5
    assert programme_counts(personas.actor(personas.supervisor_a), Group.objects.all()).joined == 7


def test_a_member_who_moved_groups_counts_once_with_the_sessions_they_came_to_before(personas):
    admin = personas.actor(personas.admin_a)
    facilitator = personas.actor(personas.facilitator_a)
    first = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    second = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name="Second")
    (member,) = joined_members(admin, facilitator, first, make_clients(personas.org_a, 1))
    _record(facilitator, first, 1, [(member, "present")])
    member_transfer(actor=admin, member=member, to_group=second)
    counts = programme_counts(personas.actor(personas.supervisor_a), Group.objects.all())
    assert (counts.screened, counts.joined, counts.reached) == (1, 1, 1)
    rows = counts_by(personas.actor(personas.supervisor_a), Group.objects.all(), "group_id")
    assert first.pk not in rows
    assert rows[second.pk].reached == 1


def _cast(personas, groups: int, size: int, site: ProgrammeSite, prefix: str) -> None:
    admin = personas.actor(personas.admin_a)
    facilitator = personas.actor(personas.facilitator_a)
    for number in range(groups):
        group = make_group(
            admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name=f"{prefix}{number}"
        )
        Group.objects.filter(pk=group.pk).update(site=site)
        members = joined_members(admin, facilitator, group, make_clients(personas.org_a, size, f"{prefix}{number}"))
        _record(facilitator, group, 1, [(member, "present") for member in members])


def _queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_the_pages_run_a_fixed_number_of_queries_for_1_group_of_3_and_5_groups_of_15(personas):
    small_site = ProgrammeSite.objects.create(organisation=personas.org_a, name="Small")
    large_site = ProgrammeSite.objects.create(organisation=personas.org_a, name="Large")
    _cast(personas, 1, 3, small_site, "S")
    small_group = Group.objects.get(name="S0")
    http = logged_in(personas.supervisor_a, personas.org_a)
    small = [
        _queries(http, reverse("groups_site", args=[small_site.pk])),
        _queries(http, reverse("groups_programme", args=[small_group.pk])),
        _queries(http, reverse("groups_programme_all")),
    ]
    _cast(personas, 5, 15, large_site, "L")
    large = [
        _queries(http, reverse("groups_site", args=[large_site.pk])),
        _queries(http, reverse("groups_programme", args=[Group.objects.get(name="L4").pk])),
        _queries(http, reverse("groups_programme_all")),
    ]
    assert small == large
    counts = programme_counts(personas.actor(personas.supervisor_a), Group.objects.filter(site=large_site))
    assert (counts.groups, counts.joined, counts.reached) == (5, 75, 75)


@pytest.mark.parametrize("role", ["admin_a", "supervisor_a", "therapist_a", "facilitator_a"])
def test_every_role_that_sees_the_group_sees_its_counts_with_their_definitions(programme, personas, role):
    http = logged_in(getattr(personas, role), personas.org_a)
    page = http.get(reverse("groups_programme", args=[programme.pk])).content.decode()
    assert "Joined members who came to at least one group session" in page
    assert "Chose not to join: 1" in page
    if role == "admin_a":
        assert "could be one person" in page
    else:
        assert "few members: read with care" in page


def test_another_organisations_group_and_site_are_not_found(programme, personas):
    site = ProgrammeSite.objects.create(organisation=personas.org_a, name="Here")
    http = logged_in(personas.therapist_b, personas.org_b)
    assert http.get(reverse("groups_programme", args=[programme.pk])).status_code == 404
    assert http.get(reverse("groups_site", args=[site.pk])).status_code == 404
    assert "Screened" in http.get(reverse("groups_programme_all")).content.decode()
