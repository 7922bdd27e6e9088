"""The set-up pages of group IPT and the facilitator's home: who sees which group, creating, changing, adding and
moving members, closing, sites and formats, and the pages' fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import Role
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.groups.models import (
    Group,
    GroupMember,
    GroupStatus,
    GroupTemplate,
    MemberStatus,
    OutreachTask,
    ProgrammeSite,
)
from iptriad.groups.services.members import member_add
from tests.conftest import Personas, logged_in, make_user
from tests.groups.factories import joined_members, make_clients, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(personas):
    """Group "Led" is led by facilitator_a and supervised by therapist_a; group "Other" by therapist_a2 alone; and
    organisation B has its own group."""
    admin = personas.actor(personas.admin_a)
    led = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name="Led group")
    other = make_group(admin, facilitator=personas.therapist_a2, supervisor=personas.therapist_a2, name="Other group")
    foreign = make_group(
        personas.actor(personas.admin_b, personas.org_b),
        facilitator=personas.therapist_b,
        supervisor=personas.therapist_b,
        name="Foreign group",
    )
    return led, other, foreign


def _group_form(personas: Personas, **changes: str) -> dict[str, str]:
    form = {
        "name": "Thursday men's group",
        "format_code": "who_8",
        "starts_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "facilitator": str(personas.facilitator_a.pk),
        "co_facilitator": "",
        "supervisor": str(personas.therapist_a.pk),
        "site": "",
        "capacity": "10",
        "completed_at_least": "",
        "language": "en",
        "composition": "men",
        "age_band": "adults",
        "setting": "in_person",
        "place": "Health centre, room 2",
    }
    form.update(changes)
    return form


# --- Who sees which group ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("admin_a", {"Led group", "Other group"}),
        ("supervisor_a", {"Led group", "Other group"}),
        ("therapist_a", {"Led group"}),
        ("facilitator_a", {"Led group"}),
    ],
)
def test_the_list_shows_the_groups_the_role_may_see(personas, groups, role, sees):
    response = logged_in(getattr(personas, role)).get(reverse("groups_list"))
    assert response.status_code == 200
    shown = {name for name in ("Led group", "Other group", "Foreign group") if name.encode() in response.content}
    assert shown == sees


def test_the_group_page_of_another_groups_or_organisations_group_is_404(personas, groups):
    led, other, foreign = groups
    facilitator = logged_in(personas.facilitator_a)
    assert facilitator.get(reverse("groups_detail", args=[led.pk])).status_code == 200
    assert facilitator.get(reverse("groups_detail", args=[other.pk])).status_code == 404
    assert logged_in(personas.therapist_a).get(reverse("groups_detail", args=[other.pk])).status_code == 404
    for user in (personas.admin_a, personas.supervisor_a, personas.therapist_a, personas.facilitator_a):
        assert logged_in(user).get(reverse("groups_detail", args=[foreign.pk])).status_code == 404


def test_the_group_page_shows_the_schedule_and_members_and_records_the_view(personas, groups):
    led, _other, _foreign = groups
    admin = personas.actor(personas.admin_a)
    members = joined_members(admin, personas.actor(personas.facilitator_a), led, make_clients(personas.org_a, 2))
    GroupMember.objects.filter(pk=members[0].pk).update(held_since=timezone.now())
    response = logged_in(personas.facilitator_a).get(reverse("groups_detail", args=[led.pk]))
    content = response.content.decode()
    assert "Session" in content
    assert "8" in content
    assert reverse("groups_session", args=[led.sessions.get(number=1).pk]) in content
    assert "Record the session" in content
    assert members[0].client.full_name in content
    assert "Held for clinical review" in content
    assert reverse("groups_member", args=[members[0].pk]) in content
    assert reverse("groups_programme", args=[led.pk]) in content
    assert "Add a member" not in content  # a facilitator does not set groups up
    assert AuditEvent.objects.filter(action=AuditAction.GROUP_VIEWED, object_id=str(led.pk)).exists()
    # An administrator organises the programme: no held badge (it comes from a risk signal).
    admin_page = logged_in(personas.admin_a).get(reverse("groups_detail", args=[led.pk])).content.decode()
    assert "Held for clinical review" not in admin_page
    assert "Add a member" in admin_page


@pytest.mark.parametrize("name", ["groups_create", "groups_sites", "groups_formats"])
def test_only_organisers_reach_the_set_up_pages(personas, name):
    assert logged_in(personas.admin_a).get(reverse(name)).status_code == 200
    assert logged_in(personas.supervisor_a).get(reverse(name)).status_code == 200
    assert logged_in(personas.therapist_a).get(reverse(name)).status_code == 403
    assert logged_in(personas.facilitator_a).get(reverse(name)).status_code == 403


def test_the_list_filters_by_site_and_status(personas, groups):
    led, other, _foreign = groups
    site = ProgrammeSite.objects.create(organisation=personas.org_a, name="Kibuye")
    Group.objects.filter(pk=led.pk).update(site=site)
    Group.objects.filter(pk=other.pk).update(status=GroupStatus.CLOSED, closed_on=timezone.localdate())
    http = logged_in(personas.admin_a)
    by_site = http.get(reverse("groups_list"), {"site": site.pk}).content
    assert b"Led group" in by_site
    assert b"Other group" not in by_site
    closed = http.get(reverse("groups_list"), {"status": "closed"}).content
    assert b"Other group" in closed
    assert b"Led group" not in closed
    everything = http.get(reverse("groups_list"), {"status": "nonsense", "site": "x"}).content.decode()
    assert everything.index("Led group") < everything.index("Other group")  # open first


# --- Creating, changing, closing -----------------------------------------------------------------------------------


def test_an_organiser_creates_a_group_once_from_a_format(personas):
    http = logged_in(personas.admin_a)
    page = http.get(reverse("groups_create")).content.decode()
    assert "Bolton et al. 2003" in page  # each shipped format's source under its choice
    form = _group_form(personas, once_key="3f1c2b8e-1d9a-4c1e-9b7a-0c8d5e6f7a81")
    first = http.post(reverse("groups_create"), form)
    group = Group.objects.get(name="Thursday men's group")
    assert first.status_code == 302
    assert first["Location"] == reverse("groups_detail", args=[group.pk])
    assert group.sessions.count() == 8
    assert group.composition == "men"
    again = http.post(reverse("groups_create"), form)
    assert again.status_code == 302
    assert Group.objects.filter(organisation=personas.org_a).count() == 1


def test_a_bad_group_form_says_what_to_fix_and_writes_nothing(personas):
    http = logged_in(personas.admin_a)
    response = http.post(reverse("groups_create"), _group_form(personas, supervisor=str(personas.facilitator_a.pk)))
    assert response.status_code == 400
    assert b"Supervising clinician" in response.content
    response = http.post(reverse("groups_create"), _group_form(personas, starts_on="2001-01-01"))
    assert response.status_code == 400
    assert b"more than a year ago" in response.content
    assert not Group.objects.filter(organisation=personas.org_a).exists()


def test_an_organiser_changes_a_group_and_a_clash_of_names_is_refused(personas, groups):
    led, _other, _foreign = groups
    http = logged_in(personas.supervisor_a)
    url = reverse("groups_edit", args=[led.pk])
    assert http.get(url).status_code == 200
    assert logged_in(personas.therapist_a).get(url).status_code == 403
    refused = http.post(url, _group_form(personas, name="Other group"))
    assert refused.status_code == 400
    assert b"Another group of the organisation has this name" in refused.content
    led.refresh_from_db()
    assert led.name == "Led group"
    saved = http.post(url, _group_form(personas, name="Led group", capacity="9", place="School hall"))
    assert saved.status_code == 302
    led.refresh_from_db()
    assert (led.capacity, led.place, led.sessions_planned) == (9, "School hall", 8)


def test_closing_a_group_with_a_member_awaiting_a_decision_is_refused_then_done(personas, groups):
    led, _other, _foreign = groups
    admin = personas.actor(personas.admin_a)
    waiting = member_add(actor=admin, group=led, client=make_clients(personas.org_a, 1)[0])
    http = logged_in(personas.admin_a)
    url = reverse("groups_close", args=[led.pk])
    assert http.get(url).status_code == 200
    refused = http.post(url, {})
    assert refused.status_code == 400, refused.content.decode()[-3000:]
    assert b"still awaiting a decision" in refused.content, refused.content.decode()[-3000:]
    led.refresh_from_db()
    assert led.is_open
    GroupMember.objects.filter(pk=waiting.pk).update(status=MemberStatus.NOT_JOINED, not_joining_reason="declined")
    assert http.post(url, {}).status_code == 302
    led.refresh_from_db()
    assert led.status == GroupStatus.CLOSED


# --- Members -------------------------------------------------------------------------------------------------------


def test_an_organiser_adds_a_client_and_a_full_group_or_a_second_group_is_refused(personas, groups):
    led, other, _foreign = groups
    Group.objects.filter(pk=led.pk).update(capacity=1)
    first, second = make_clients(personas.org_a, 2)
    http = logged_in(personas.admin_a)
    url = reverse("groups_member_add", args=[led.pk])
    page = http.get(url, {"q": first.identifier}).content.decode()
    assert first.full_name in page
    assert second.full_name not in page
    listed = AuditEvent.objects.filter(action=AuditAction.CLIENT_LISTED).latest("pk")
    assert listed.detail["client_ids"] == [first.pk]
    assert http.post(url, {"client": first.pk}).status_code == 302
    assert GroupMember.objects.filter(group=led, client=first).exists()
    full = http.post(url, {"client": second.pk})
    assert full.status_code == 400
    assert b"The group is full" in full.content
    twice = http.post(reverse("groups_member_add", args=[other.pk]), {"client": first.pk})
    assert twice.status_code == 400
    assert b"already in a group" in twice.content
    unknown = http.post(url, {"client": personas.client_b.pk})
    assert unknown.status_code == 400
    assert b"Choose one of the clients offered" in unknown.content
    assert GroupMember.objects.filter(client__in=[second, personas.client_b]).count() == 0
    assert logged_in(personas.facilitator_a).get(url).status_code == 403


def test_an_organiser_moves_a_member_to_another_open_group(personas, groups):
    led, other, foreign = groups
    member = member_add(actor=personas.actor(personas.admin_a), group=led, client=make_clients(personas.org_a, 1)[0])
    http = logged_in(personas.admin_a)
    url = reverse("groups_member_transfer", args=[member.pk])
    page = http.get(url).content.decode()
    assert "Other group" in page
    assert "Foreign group" not in page
    refused = http.post(url, {"to_group": foreign.pk})
    assert refused.status_code == 400
    moved = http.post(url, {"to_group": other.pk})
    assert moved.status_code == 302
    assert moved["Location"] == reverse("groups_detail", args=[other.pk])
    member.refresh_from_db()
    assert member.status == MemberStatus.TRANSFERRED
    assert GroupMember.objects.active().get(client=member.client).group_id == other.pk


# --- Sites and formats ---------------------------------------------------------------------------------------------


def test_sites_are_added_and_changed_and_a_taken_name_refused(personas):
    http = logged_in(personas.admin_a)
    assert http.post(reverse("groups_sites"), {"name": "Kibuye", "region": "West"}).status_code == 302
    site = ProgrammeSite.objects.get(organisation=personas.org_a, name="Kibuye")
    taken = http.post(reverse("groups_sites"), {"name": "kibuye", "region": ""})
    assert taken.status_code == 400
    assert b"a site of this name already" in taken.content
    assert (
        http.post(reverse("groups_site_edit", args=[site.pk]), {"name": "Kibuye East", "region": ""}).status_code == 302
    )
    site.refresh_from_db()
    assert site.name == "Kibuye East"
    other_org_site = ProgrammeSite.objects.create(organisation=personas.org_b, name="Far away")
    assert http.get(reverse("groups_site_edit", args=[other_org_site.pk])).status_code == 404


def test_formats_are_listed_and_an_own_format_added_with_its_phases_checked(personas):
    http = logged_in(personas.supervisor_a)
    page = http.get(reverse("groups_formats")).content.decode()
    assert "StrongMinds model: 12 sessions" in page
    assert "SAATHI-2" in page
    form = {
        "name": "Ten sessions",
        "sessions": "10",
        "initial_sessions": "8",
        "termination_sessions": "3",
        "completed_at_least": "7",
        "screening_instrument": "phq9",
        "check_instrument": "phq9",
    }
    refused = http.post(reverse("groups_formats"), form)
    assert refused.status_code == 400
    assert b"fit in the sessions" in refused.content
    assert not GroupTemplate.objects.exists()
    assert http.post(reverse("groups_formats"), {**form, "initial_sessions": "2"}).status_code == 302
    assert GroupTemplate.objects.get(name="Ten sessions").initial_sessions == 2
    assert "Ten sessions" in http.get(reverse("groups_create")).content.decode()


# --- The facilitator's home and the other homes ---------------------------------------------------------------------


def test_the_facilitators_home_shows_their_groups_next_session_and_what_to_do(personas, groups):
    led, _other, _foreign = groups
    admin = personas.actor(personas.admin_a)
    members = joined_members(admin, personas.actor(personas.facilitator_a), led, make_clients(personas.org_a, 3))
    GroupMember.objects.filter(pk=members[0].pk).update(held_since=timezone.now())
    session = led.sessions.get(number=2)
    task = OutreachTask.objects.create(organisation=personas.org_a, member=members[1], session=session)
    response = logged_in(personas.facilitator_a).get(reverse("home"))
    content = response.content.decode()
    assert "not available" not in content
    assert "Led group" in content
    assert "Other group" not in content
    assert reverse("groups_session", args=[led.sessions.get(number=1).pk]) in content
    assert "Record session 1" in content
    assert members[1].client.full_name in content
    assert "missed 2 sessions in a row" in content
    assert reverse("groups_outreach_done", args=[task.pk]) in content
    assert members[0].client.full_name in content
    assert "the clinician will tell you when they can come back" in content


def test_the_facilitators_home_lists_the_pre_group_meetings_to_hold(personas, groups):
    led, _other, _foreign = groups
    waiting = member_add(actor=personas.actor(personas.admin_a), group=led, client=make_clients(personas.org_a, 1)[0])
    content = logged_in(personas.facilitator_a).get(reverse("home")).content.decode()
    assert "Pre-group meetings" in content
    assert waiting.client.full_name in content
    assert reverse("groups_pre_group", args=[waiting.pk]) in content


def test_the_facilitators_home_runs_a_fixed_number_of_queries(personas):
    admin = personas.actor(personas.admin_a)
    facilitator = personas.actor(personas.facilitator_a)
    http = logged_in(personas.facilitator_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert http.get(reverse("home")).status_code == 200
        return len(queries)

    first = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name="G1")
    members = joined_members(admin, facilitator, first, make_clients(personas.org_a, 2, prefix="H"))
    OutreachTask.objects.create(organisation=personas.org_a, member=members[0], session=first.sessions.get(number=2))
    small = count()
    for number in range(2, 5):
        group = make_group(
            admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name=f"G{number}"
        )
        more = joined_members(admin, facilitator, group, make_clients(personas.org_a, 3, prefix=f"H{number}"))
        GroupMember.objects.filter(pk=more[0].pk).update(held_since=timezone.now())
        OutreachTask.objects.create(organisation=personas.org_a, member=more[1], session=group.sessions.get(number=2))
    assert count() == small


def test_a_therapist_who_supervises_groups_sees_a_groups_box(personas, groups):
    content = logged_in(personas.therapist_a).get(reverse("home")).content.decode()
    assert content.count("You supervise 1 open group") == 1
    assert "<title>Home · iptriad</title>" in content
    lone = make_user("lone@example.org", "Lone Therapist", personas.org_a, Role.THERAPIST)
    assert "You supervise" not in logged_in(lone).get(reverse("home")).content.decode()


def test_every_role_has_a_groups_link(personas):
    for user in (personas.admin_a, personas.supervisor_a, personas.therapist_a, personas.facilitator_a):
        assert f'href="{reverse("groups_list")}"'.encode() in logged_in(user).get(reverse("home")).content


# --- Fixed numbers of queries ----------------------------------------------------------------------------------------


def _queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["admin_a", "facilitator_a"])
def test_the_list_runs_the_same_queries_for_2_and_20_groups(personas, user):
    admin = personas.actor(personas.admin_a)
    for number in range(2):
        make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name=f"Q{number}")
    http = logged_in(getattr(personas, user))
    small = _queries(http, reverse("groups_list"))
    for number in range(2, 20):
        make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name=f"Q{number}")
    assert _queries(http, reverse("groups_list")) == small


def test_the_group_page_runs_the_same_queries_for_3_and_15_members(personas):
    admin = personas.actor(personas.admin_a)
    facilitator = personas.actor(personas.facilitator_a)
    small_group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name="S")
    large_group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, name="L")
    joined_members(admin, facilitator, small_group, make_clients(personas.org_a, 3, prefix="S"))
    large = joined_members(admin, facilitator, large_group, make_clients(personas.org_a, 15, prefix="L"))
    GroupMember.objects.filter(pk=large[0].pk).update(held_since=timezone.now())
    http = logged_in(personas.facilitator_a)
    assert _queries(http, reverse("groups_detail", args=[small_group.pk])) == _queries(
        http, reverse("groups_detail", args=[large_group.pk])
    )
