"""The supervision log's pages: who sees what, a meeting logged from the form in one go, the case's log on its record,
and the actions on the home page; each within a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry
from tests.conftest import logged_in, make_client
from tests.courses.factories import make_course
from tests.groups.factories import group_records
from tests.supervision.factories import supervision_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(personas):
    return make_course(personas.client_a, personas.therapist_a)


@pytest.fixture
def records(personas, course):
    return supervision_records(course, supervisor=personas.supervisor_a)


def _form(course, personas, **extra: str) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "held_on": (today - dt.timedelta(days=1)).isoformat(),
        "format": "individual",
        "attendees": [str(personas.therapist_a.pk)],
        "note": "Weekly",
        "cases": str(course.treatment_context_id),
        f"case_{course.treatment_context_id}_discussion": "Role dispute stuck",
        f"case_{course.treatment_context_id}_risk_decision": "Keep the safety plan",
        "action_0_text": "Review the contract",
        "action_0_owner": str(personas.therapist_a.pk),
        "action_0_due_on": (today + dt.timedelta(days=7)).isoformat(),
        "action_0_case": str(course.treatment_context_id),
    }
    data.update(extra)
    return data


def test_a_supervisor_logs_a_meeting_from_the_form(personas, course):
    http = logged_in(personas.supervisor_a)
    page = http.get(reverse("supervision_entry_new"), {"cases": str(course.treatment_context_id)})
    assert page.status_code == 200
    assert b"Casey Alphason" in page.content
    response = http.post(reverse("supervision_entry_new"), _form(course, personas))
    entry = SupervisionEntry.objects.get()
    assert response["Location"] == reverse("supervision_entry", args=[entry.pk])
    assert ReviewedCase.objects.get(entry=entry).risk_decision == "Keep the safety plan"
    assert SupervisionAction.objects.get(entry=entry).owner_id == personas.therapist_a.pk


def test_an_action_without_owner_is_refused_on_the_form_and_nothing_is_written(personas, course):
    http = logged_in(personas.supervisor_a)
    past = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = http.post(
        reverse("supervision_entry_new"),
        _form(
            course,
            personas,
            action_0_owner="",
            action_1_text="x",
            action_1_owner=str(personas.therapist_a.pk),
            action_1_due_on=past,
        ),
    )
    assert response.status_code == 400
    assert b"Choose who will do it." in response.content
    assert b"before the meeting" in response.content
    assert b"Role dispute stuck" in response.content  # what was typed comes back
    assert not SupervisionEntry.objects.exists()


def test_the_picker_finds_open_courses_and_group_members_by_name(personas, course):
    group = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="A-GRP-1"
    )
    http = logged_in(personas.supervisor_a)
    found = http.get(reverse("supervision_entry_new"), {"q": "alphason"})
    assert f"cases={course.treatment_context_id}".encode() in found.content
    found = http.get(reverse("supervision_entry_new"), {"q": group.member.client.identifier})
    assert f"cases={group.member.treatment_context_id}".encode() in found.content
    foreign = make_course(personas.client_b, personas.therapist_b)
    assert b"Betason" not in http.get(reverse("supervision_entry_new"), {"q": "betason"}).content
    # A foreign case in the list is dropped from the page, and refused if posted.
    page = http.get(reverse("supervision_entry_new"), {"cases": str(foreign.treatment_context_id)})
    assert b"Betason" not in page.content
    response = http.post(
        reverse("supervision_entry_new"), {**_form(course, personas), "cases": str(foreign.treatment_context_id)}
    )
    assert response.status_code in (302, 400)
    assert not ReviewedCase.objects.filter(treatment_context_id=foreign.treatment_context_id).exists()


def test_who_reads_the_log(personas, records):
    url = reverse("supervision_entry", args=[records.entry.pk])
    assert logged_in(personas.admin_a).get(reverse("supervision_log")).status_code == 403
    assert logged_in(personas.admin_a).get(url).status_code == 404
    assert logged_in(personas.therapist_a2).get(url).status_code == 404  # neither attended nor their case
    assert logged_in(personas.facilitator_a).get(url).status_code == 404
    assert logged_in(personas.therapist_b, personas.org_b).get(url).status_code == 404
    page = logged_in(personas.therapist_a).get(url)
    assert b"Revisit the formulation" in page.content
    assert b"Mark done" in page.content
    assert records.entry.pk in [
        event.object_id and int(event.object_id)
        for event in AuditEvent.objects.filter(action=AuditAction.SUPERVISION_ENTRY_VIEWED)
    ]
    assert b"Matrix meeting" in logged_in(personas.supervisor_a).get(url).content


def test_a_clinician_who_did_not_attend_sees_only_their_case(personas, records):
    other = make_course(
        make_client(personas.org_a, "A-0002", personas.therapist_a2, family_name="Secondson"), personas.therapist_a2
    )
    ReviewedCase.objects.create(
        organisation=personas.org_a,
        entry=records.entry,
        treatment_context_id=other.treatment_context_id,
        client_id=other.client_id,
        clinician=personas.therapist_a2,
        discussion="Second case",
    )
    page = logged_in(personas.therapist_a2).get(reverse("supervision_entry", args=[records.entry.pk]))
    assert page.status_code == 200
    assert b"Second case" in page.content
    assert b"Alphason" not in page.content
    assert b"Matrix meeting" not in page.content


def test_the_log_pages_in_a_fixed_number_of_queries(personas, course, django_assert_max_num_queries):
    http = logged_in(personas.supervisor_a)
    supervision_records(course, supervisor=personas.supervisor_a)
    http.get(reverse("supervision_log"))
    with django_assert_max_num_queries(12) as one:
        http.get(reverse("supervision_log"))
    for _ in range(30):
        supervision_records(course, supervisor=personas.supervisor_a)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert http.get(reverse("supervision_log")).status_code == 200


def test_the_case_log_shows_on_the_course_page_for_its_clinicians(personas, course, django_assert_max_num_queries):
    http = logged_in(personas.therapist_a)
    url = reverse("course-detail", args=[course.pk])
    before = http.get(url)
    assert b"Supervision" not in before.content  # never reviewed, no section for a therapist
    with django_assert_max_num_queries(100) as never:
        http.get(url)
    supervision_records(course, supervisor=personas.supervisor_a)
    with django_assert_max_num_queries(len(never.captured_queries) + 1):
        page = http.get(url)
    assert b"Keep" not in page.content
    assert b"No change to the risk plan" in page.content
    assert b"Revisit the formulation" in page.content
    supervisor_page = logged_in(personas.supervisor_a).get(url)
    assert b"Bring to supervision" in supervisor_page.content


def test_the_case_log_shows_on_the_group_member_page_but_not_to_an_administrator(personas):
    group = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="A-GRP-1"
    )
    entry = SupervisionEntry.objects.create(
        organisation=personas.org_a,
        held_on=timezone.localdate(),
        led_by=personas.supervisor_a,
        recorded_by=personas.supervisor_a,
    )
    ReviewedCase.objects.create(
        organisation=personas.org_a,
        entry=entry,
        treatment_context_id=group.member.treatment_context_id,
        client_id=group.member.client_id,
        clinician=personas.facilitator_a,
        risk_decision="Facilitator to check in weekly",
    )
    url = reverse("groups_member", args=[group.member.pk])
    assert b"Facilitator to check in weekly" in logged_in(personas.facilitator_a).get(url).content
    assert b"Facilitator to check in weekly" not in logged_in(personas.admin_a).get(url).content


def test_my_actions_show_on_the_home_page_overdue_first(personas, records):
    overdue = SupervisionAction.objects.create(
        organisation=personas.org_a,
        entry=records.entry,
        text="Send the letter",
        owner=personas.therapist_a,
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    page = logged_in(personas.therapist_a).get(reverse("home")).content.decode()
    assert "1 overdue" in page
    assert page.index("Send the letter") < page.index("Revisit the formulation")
    assert reverse("supervision_action_done", args=[overdue.pk]) in page
    assert "Your supervision actions" not in logged_in(personas.therapist_a2).get(reverse("home")).content.decode()


def test_the_owner_marks_an_action_done_from_its_page(personas, records):
    url = reverse("supervision_action_done", args=[records.action.pk])
    assert logged_in(personas.therapist_a2).get(url).status_code == 404
    http = logged_in(personas.therapist_a)
    refused = http.post(url, {"done_on": timezone.localdate().isoformat(), "follow_up": ""})
    assert refused.status_code == 400
    done = http.post(url, {"done_on": timezone.localdate().isoformat(), "follow_up": "Formulation revisited"})
    assert done.status_code == 302
    records.action.refresh_from_db()
    assert records.action.follow_up == "Formulation revisited"


def test_editing_an_entry_is_for_supervisors(personas, records, course):
    url = reverse("supervision_entry_edit", args=[records.entry.pk])
    assert logged_in(personas.therapist_a).get(url).status_code == 404
    http = logged_in(personas.supervisor_a)
    page = http.get(url)
    assert b"Discussed the grief focus" in page.content
    data = _form(course, personas, action_0_text="", action_0_owner="", action_0_due_on="", action_0_case="")
    data[f"case_{course.treatment_context_id}_discussion"] = "Rewritten"
    assert http.post(url, data).status_code == 302
    records.case.refresh_from_db()
    assert records.case.discussion == "Rewritten"
