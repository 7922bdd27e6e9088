"""The ending pages: the termination review with the goals, the relapse-prevention plan and its printable copy,
the maintenance plan, and the ending section of the course page."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import EndReason, Phase
from iptriad.core.protocol.rules import (
    COMPLETED_NO_PLAN,
    COMPLETED_TOO_EARLY,
    MAINTENANCE_NO_CONTRACT,
    MAINTENANCE_NO_PLAN,
)
from iptriad.courses.models import (
    Course,
    Goal,
    InventoryPerson,
    MaintenancePlan,
    RelapsePreventionPlan,
    TerminationReview,
)
from iptriad.courses.sections import termination as termination_section
from iptriad.courses.services import termination
from iptriad.courses.services.course import ERROR_NOT_OPEN
from tests.conftest import logged_in
from tests.courses.factories import full_course, termination_records

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)

REVIEW_FORM = {
    "progress_summary": "PHQ-9 from 18 to 6.",
    "why_better": "She rejoined the choir.",
    "skills_gained": "Asking for help.",
    "feelings_about_ending": "Sad; named as normal.",
    "next_step": "maintenance",
    "next_step_detail": "",
    "reviewed_on": "2026-11-20",
}
PLAN_FORM = {
    "warning_signs": "Sleeping badly.",
    "what_helps": "Choir.",
    "people_to_turn_to": "Sam.",
    "if_symptoms_return": "Call the clinic.",
    "emergency_contacts": "Crisis line 0800 123 456.",
    "agreed_on": "2026-11-20",
}
MAINTENANCE_FORM = {"frequency": "monthly", "sessions_planned": "6", "starts_on": "2027-01-05", "notes": ""}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas):
    return full_course(personas.client_a, personas.therapist_a)


def in_phase(course: Course, phase: Phase) -> Course:
    if phase is Phase.CLOSED:
        Course.objects.filter(pk=course.pk).update(phase=phase, closed_on=TODAY, end_reason=EndReason.OTHER)
    else:
        Course.objects.filter(pk=course.pk).update(phase=phase)
    course.refresh_from_db()
    return course


@pytest.fixture
def course(records):
    return in_phase(records.course, Phase.TERMINATION)


def text(response) -> str:
    content: str = response.content.decode()
    return html.unescape(content)


def url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


class TestTheReviewPage:
    def test_it_shows_the_form_the_guidance_the_goals_and_the_symptoms(self, personas, course):
        page = logged_in(personas.therapist_a).get(url("course-termination-review", course.pk))
        assert page.status_code == 200
        content = text(page)
        assert "sadness about ending is normal and is not a relapse" in content
        assert "Save the review" in content
        assert "Build a new social network" in content
        assert "No measures yet" in content
        assert 'name="next_step"' in content
        assert 'id="id_goal' in content

    def test_it_audits_the_read(self, personas, course):
        logged_in(personas.supervisor_a).get(url("course-termination-review", course.pk))
        event = AuditEvent.objects.get(action=AuditAction.COURSE_VIEWED)
        assert event.detail == {"client": personas.client_a.pk, "page": "ending.review"}

    def test_it_saves_the_review_and_returns_to_the_course(self, personas, course):
        response = logged_in(personas.therapist_a).post(url("course-termination-review", course.pk), REVIEW_FORM)
        assert response.status_code == 302
        assert response["Location"] == reverse("course-detail", args=[course.pk]) + "#section-termination"
        review = TerminationReview.objects.get()
        assert (review.next_step, review.reviewed_on) == ("maintenance", dt.date(2026, 11, 20))

    def test_an_invalid_review_is_shown_again_with_what_to_fix(self, personas, course):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-review", course.pk), {**REVIEW_FORM, "progress_summary": ""}
        )
        assert response.status_code == 400
        assert termination.ERROR_PROGRESS_REQUIRED in text(response)
        assert not TerminationReview.objects.exists()

    def test_the_services_refusal_is_shown_with_the_form(self, personas, course):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-review", course.pk), {**REVIEW_FORM, "next_step": "referral"}
        )
        assert response.status_code == 400
        assert termination.ERROR_REFERRAL_DETAIL in text(response)
        assert "She rejoined the choir." in text(response)

    def test_the_review_date_is_required(self, personas, course):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-review", course.pk), {**REVIEW_FORM, "reviewed_on": ""}
        )
        assert response.status_code == 400
        assert termination.ERROR_REVIEW_DATE_REQUIRED in text(response)

    def test_an_unknown_next_step_is_refused(self, personas, course):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-review", course.pk), {**REVIEW_FORM, "next_step": "cruise"}
        )
        assert response.status_code == 400
        assert termination.ERROR_NEXT_STEP_UNKNOWN in text(response)

    def test_too_early_it_explains_and_shows_no_form(self, personas, records):
        page = logged_in(personas.therapist_a).get(url("course-termination-review", records.course.pk))
        assert page.status_code == 200
        assert termination.ERROR_TOO_EARLY in text(page)
        assert "Save the review" not in text(page)

    def test_too_early_a_post_is_refused(self, personas, records):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-review", records.course.pk), REVIEW_FORM
        )
        assert response.status_code == 400
        assert termination.ERROR_TOO_EARLY in text(response)
        assert not TerminationReview.objects.exists()

    def test_a_closed_course_is_read_only(self, personas, course):
        termination_records(course)
        in_phase(course, Phase.CLOSED)
        http = logged_in(personas.therapist_a)
        page = http.get(url("course-termination-review", course.pk))
        assert page.status_code == 200
        assert "Save the review" not in text(page)
        assert "Save the goal" not in text(page)
        assert "Mood lifted" in text(page)
        assert termination.ERROR_TOO_EARLY not in text(page)
        response = http.post(url("course-termination-review", course.pk), REVIEW_FORM)
        assert response.status_code == 400
        assert ERROR_NOT_OPEN in text(response)

    def test_a_colleague_gets_404(self, personas, course):
        http = logged_in(personas.therapist_a2)
        assert http.get(url("course-termination-review", course.pk)).status_code == 404
        assert http.post(url("course-termination-review", course.pk), REVIEW_FORM).status_code == 404
        assert not TerminationReview.objects.exists()


class TestTheGoalStatus:
    def test_it_saves_the_status_and_returns_to_the_goal(self, personas, records):
        goal = records.goal
        response = logged_in(personas.therapist_a).post(
            url("course-termination-goal", goal.pk), {"status": "partly", "status_note": "Two new friends"}
        )
        assert response.status_code == 302
        assert response["Location"] == url("course-termination-review", records.course.pk) + f"#goal-{goal.pk}"
        goal.refresh_from_db()
        assert (goal.status, goal.status_note) == ("partly", "Two new friends")

    def test_an_unknown_status_shows_the_page_again(self, personas, course, records):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-goal", records.goal.pk), {"status": "finished", "status_note": "kept text"}
        )
        assert response.status_code == 400
        assert termination.ERROR_GOAL_STATUS in text(response)
        assert "kept text" in text(response)
        assert Goal.objects.get().status == "not_started"

    def test_a_closed_course_refuses_it(self, personas, records):
        in_phase(records.course, Phase.CLOSED)
        response = logged_in(personas.therapist_a).post(
            url("course-termination-goal", records.goal.pk), {"status": "achieved", "status_note": ""}
        )
        assert response.status_code == 400
        assert ERROR_NOT_OPEN in text(response)
        assert Goal.objects.get().status == "not_started"

    def test_another_courses_goal_is_404(self, personas, records):
        other = full_course(personas.client_b, personas.therapist_b)
        response = logged_in(personas.therapist_a).post(
            url("course-termination-goal", other.goal.pk), {"status": "achieved", "status_note": ""}
        )
        assert response.status_code == 404
        assert Goal.objects.get(pk=other.goal.pk).status == "not_started"


class TestThePlanPage:
    def test_it_prefills_the_organisations_crisis_contacts_and_lists_the_inventory(self, personas, course):
        personas.org_a.crisis_contacts = "Alpha crisis line 0800 000 111"
        personas.org_a.save()
        page = logged_in(personas.therapist_a).get(url("course-termination-plan", course.pk))
        assert page.status_code == 200
        content = text(page)
        assert "Alpha crisis line 0800 000 111</textarea>" in content
        assert "Sam" in content
        assert "Partner" in content
        assert "Save the plan" in content

    def test_it_saves_the_plan(self, personas, course):
        response = logged_in(personas.therapist_a).post(url("course-termination-plan", course.pk), PLAN_FORM)
        assert response.status_code == 302
        plan = RelapsePreventionPlan.objects.get()
        assert (plan.emergency_contacts, plan.agreed_on) == ("Crisis line 0800 123 456.", dt.date(2026, 11, 20))

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ("warning_signs", termination.ERROR_WARNING_SIGNS),
            ("what_helps", termination.ERROR_WHAT_HELPS),
            ("people_to_turn_to", termination.ERROR_PEOPLE),
            ("if_symptoms_return", termination.ERROR_IF_SYMPTOMS_RETURN),
            ("emergency_contacts", termination.ERROR_EMERGENCY_CONTACTS),
        ],
    )
    def test_every_part_is_required_with_its_own_message(self, personas, course, field, message):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-plan", course.pk), {**PLAN_FORM, field: ""}
        )
        assert response.status_code == 400
        assert message in text(response)
        assert not RelapsePreventionPlan.objects.exists()

    def test_a_future_agreement_date_is_refused(self, personas, course):
        response = logged_in(personas.therapist_a).post(
            url("course-termination-plan", course.pk), {**PLAN_FORM, "agreed_on": "2026-12-01"}
        )
        assert response.status_code == 400
        assert termination.ERROR_DATE_IN_FUTURE in text(response)

    def test_too_early_it_shows_the_plan_read_only(self, personas, records):
        termination_records(records.course)
        page = logged_in(personas.therapist_a).get(url("course-termination-plan", records.course.pk))
        assert page.status_code == 200
        assert termination.ERROR_TOO_EARLY in text(page)
        assert "Save the plan" not in text(page)
        assert "Sleeping badly" in text(page)


class TestThePrintablePlan:
    def test_it_is_in_plain_language_with_the_emergency_contacts_first(self, personas, course):
        logged_in(personas.therapist_a).post(url("course-termination-plan", course.pk), PLAN_FORM)
        page = logged_in(personas.therapist_a).get(url("course-termination-plan-print", course.pk))
        assert page.status_code == 200
        content = text(page)
        assert "My plan for staying well" in content
        assert "Casey Alphason" in content
        assert "Alpha Clinic" in content
        assert "Tara Alpha" in content
        assert "20 November 2026" in content
        headings = [
            "If I need help urgently",
            "Signs that my depression may be coming back",
            "What helps me stay well",
            "People I can turn to",
            "What I will do if the signs come back",
        ]
        positions = [content.index(heading) for heading in headings]
        assert positions == sorted(positions)
        assert content.index("Crisis line 0800 123 456.") < content.index("Sleeping badly.")
        assert "It does not mean the depression is back." in content
        assert "iptriad/termination.css" in content

    def test_it_records_who_printed_it(self, personas, course):
        logged_in(personas.supervisor_a).get(url("course-termination-plan-print", course.pk))
        event = AuditEvent.objects.get(action=AuditAction.COURSE_VIEWED)
        assert (event.actor, event.detail["page"]) == (personas.supervisor_a, "ending.plan_print")

    def test_without_a_plan_it_says_so(self, personas, course):
        page = logged_in(personas.therapist_a).get(url("course-termination-plan-print", course.pk))
        assert page.status_code == 200
        assert "There is no relapse-prevention plan for Casey Alphason yet" in text(page)
        assert "If I need help urgently" not in text(page)

    def test_the_stylesheet_has_a_print_section(self):
        from pathlib import Path

        import iptriad

        css = (Path(iptriad.__file__).parent / "web/static/iptriad/termination.css").read_text()
        assert "@media print" in css
        assert ".no-print" in css


class TestTheMaintenancePage:
    def test_it_asks_for_the_review_to_choose_further_sessions_first(self, personas, course):
        page = logged_in(personas.therapist_a).get(url("course-termination-maintenance", course.pk))
        assert page.status_code == 200
        assert termination.ERROR_MAINTENANCE_NOT_CHOSEN in text(page)
        assert "Save the maintenance plan" not in text(page)

    def test_it_shows_what_the_maintenance_phase_still_needs(self, personas, course):
        http = logged_in(personas.therapist_a)
        http.post(url("course-termination-review", course.pk), REVIEW_FORM)
        page = http.get(url("course-termination-maintenance", course.pk))
        content = text(page)
        assert MAINTENANCE_NO_PLAN in content
        assert MAINTENANCE_NO_CONTRACT in content
        assert "Save the maintenance plan" in content
        assert re.search(r'<input type="radio" name="frequency" value="monthly"[^>]* checked', content)

    def test_it_saves_the_plan(self, personas, course):
        http = logged_in(personas.therapist_a)
        http.post(url("course-termination-review", course.pk), REVIEW_FORM)
        response = http.post(url("course-termination-maintenance", course.pk), MAINTENANCE_FORM)
        assert response.status_code == 302
        assert MaintenancePlan.objects.get().sessions_planned == 6

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("frequency", "twice_weekly", termination.ERROR_MAINTENANCE_FREQUENCY),
            ("frequency", "", termination.ERROR_MAINTENANCE_FREQUENCY),
            ("sessions_planned", "", termination.ERROR_MAINTENANCE_SESSIONS),
            ("sessions_planned", "many", termination.ERROR_MAINTENANCE_SESSIONS),
            ("sessions_planned", "40", termination.ERROR_MAINTENANCE_SESSIONS),
            ("starts_on", "", termination.ERROR_MAINTENANCE_START_REQUIRED),
        ],
    )
    def test_an_invalid_plan_is_shown_again_with_what_to_fix(self, personas, course, field, value, message):
        http = logged_in(personas.therapist_a)
        http.post(url("course-termination-review", course.pk), REVIEW_FORM)
        response = http.post(url("course-termination-maintenance", course.pk), {**MAINTENANCE_FORM, field: value})
        assert response.status_code == 400
        assert message in text(response)
        assert not MaintenancePlan.objects.exists()

    def test_the_plan_can_be_removed_before_the_maintenance_phase(self, personas, course):
        http = logged_in(personas.therapist_a)
        http.post(url("course-termination-review", course.pk), REVIEW_FORM)
        http.post(url("course-termination-maintenance", course.pk), MAINTENANCE_FORM)
        assert "Remove the maintenance plan" in text(http.get(url("course-termination-maintenance", course.pk)))
        response = http.post(url("course-termination-maintenance-delete", course.pk))
        assert response.status_code == 302
        assert not MaintenancePlan.objects.exists()

    def test_a_refused_removal_redirects_with_the_reason(self, personas, course):
        http = logged_in(personas.therapist_a)
        response = http.post(url("course-termination-maintenance-delete", course.pk), follow=True)
        assert termination.ERROR_NO_MAINTENANCE_PLAN in text(response)


class TestTheSection:
    def test_it_lists_what_closing_as_completed_needs_and_the_missing_plan(self, personas, records):
        page = logged_in(personas.therapist_a).get(url("course-detail", records.course.pk))
        assert page.status_code == 200
        content = text(page)
        assert "Missing." in content
        assert COMPLETED_TOO_EARLY in content
        assert COMPLETED_NO_PLAN in content
        assert termination.ERROR_TOO_EARLY in content
        assert url("course-close", records.course.pk) in content

    def test_it_shows_the_review_the_agreed_plan_and_the_maintenance_plan(self, personas, course):
        http = logged_in(personas.therapist_a)
        http.post(url("course-termination-review", course.pk), REVIEW_FORM)
        http.post(url("course-termination-plan", course.pk), PLAN_FORM)
        http.post(url("course-termination-maintenance", course.pk), MAINTENANCE_FORM)
        content = text(http.get(url("course-detail", course.pk)))
        assert "Reviewed on 20 November 2026. Next step: Maintenance sessions." in content
        assert "Agreed with the client on 20 November 2026." in content
        assert "6 sessions, monthly, from 5 January 2027." in content
        assert "The course can be closed as completed." in content
        # The plan exists; the contract is not renegotiated yet.
        assert MAINTENANCE_NO_PLAN not in content
        assert MAINTENANCE_NO_CONTRACT in content
        assert url("course-termination-plan-print", course.pk) in content

    def test_it_is_read_only_when_the_course_is_closed(self, personas, course):
        termination_records(course)
        in_phase(course, Phase.CLOSED)
        content = text(logged_in(personas.therapist_a).get(url("course-detail", course.pk)))
        assert "Update the plan" not in content
        assert "Write the plan" not in content
        assert "Update the review" not in content
        assert "Closing as completed" not in content
        assert "Mood lifted" in content

    def test_its_context_reads_a_fixed_number_of_queries(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        with CaptureQueriesContext(connection) as without_records:
            termination_section.context(actor, course)
        termination_records(course)
        with CaptureQueriesContext(connection) as with_records:
            context = termination_section.context(actor, course)
        assert len(with_records) == len(without_records) <= 10
        assert context["plan"] is not None


def _queries(http, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


class TestQueryBudgets:
    def test_the_review_page_does_not_grow_with_goals_and_measures(self, personas, course, records):
        from tests.courses.test_termination_outcomes import record_phq9

        http = logged_in(personas.therapist_a)
        address = url("course-termination-review", course.pk)
        http.get(address)
        record_phq9(personas, course, 18, dt.datetime(2026, 9, 2, 9, tzinfo=dt.UTC))
        record_phq9(personas, course, 10, dt.datetime(2026, 10, 2, 9, tzinfo=dt.UTC))
        few = _queries(http, address)
        for number in range(20):
            Goal.objects.create(
                organisation=personas.org_a, course=course, problem_area=records.problem_area, text=f"Goal {number}"
            )
            record_phq9(
                personas, course, number % 27, dt.datetime(2026, 10, 3, 9, tzinfo=dt.UTC) + dt.timedelta(hours=number)
            )
        assert _queries(http, address) == few

    def test_the_plan_page_does_not_grow_with_the_inventory(self, personas, course):
        http = logged_in(personas.therapist_a)
        address = url("course-termination-plan", course.pk)
        http.get(address)
        few = _queries(http, address)
        InventoryPerson.objects.bulk_create(
            InventoryPerson(organisation=personas.org_a, course=course, name=f"P{n}", relationship="friend")
            for n in range(40)
        )
        assert _queries(http, address) == few

    @pytest.mark.parametrize("name", ["course-termination-plan-print", "course-termination-maintenance"])
    def test_the_other_pages_stay_small(self, personas, course, name):
        termination_records(course)
        http = logged_in(personas.therapist_a)
        address = url(name, course.pk)
        http.get(address)
        assert _queries(http, address) <= 20
