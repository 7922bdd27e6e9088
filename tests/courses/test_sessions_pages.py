"""Session pages: the form with the session guide, the detail page, editing, the course page section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.chain import append_statements
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase, protocol
from iptriad.core.protocol.guide import ANNOUNCE_ENDING, MIDPOINT_REVIEW
from iptriad.core.schedules import default_schedule
from iptriad.courses.models import CourseSession
from iptriad.courses.models.sessions import Attendance, RiskCheck
from iptriad.courses.sections import sessions as section
from iptriad.courses.services import sessions as services
from iptriad.measures.models import RiskAlert
from iptriad.measures.schedules import measure_schedule_defaults_create
from tests.conftest import logged_in
from tests.courses.factories import OPENED, full_course, occasion_for

pytestmark = pytest.mark.django_db

CONCERN = "Said they sometimes wish they would not wake up."
VALID_FORM = {
    "held_on": "2026-09-22",
    "attendance": "attended",
    "mood_since_last": "A better week.",
    "events_linked": "Low after a lonely weekend.",
    "strategies": ["role_transition.strategy.skills"],
    "techniques": ["communication_analysis", "role_play"],
    "homework_review": "partly",
    "homework_review_note": "Called one colleague.",
    "homework_set": "Join the choir rehearsal.",
    "risk_check": "no_concern",
    "concern": "",
    "note": "Engaged well.",
}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas):
    return full_course(personas.client_a, personas.therapist_a)


def add_sessions(records, count: int, attendance: str = Attendance.ATTENDED) -> None:
    last = CourseSession.objects.filter(course=records.course).order_by("-number").first()
    start = last.number if last else 0
    CourseSession.objects.bulk_create(
        CourseSession(
            organisation_id=records.course.organisation_id,
            course=records.course,
            occasion=occasion_for(records.course),
            number=start + step,
            held_on=OPENED + dt.timedelta(days=start + step),
            phase=Phase.MIDDLE,
            attendance=attendance,
            homework_review="done",
            risk_check="no_concern",
            strategies=["role_transition.strategy.skills"],
            techniques=["role_play"],
            recorded_by=records.course.therapist,
        )
        for step in range(1, count + 1)
    )


def new_url(records) -> str:
    return reverse("course-session-new", args=[records.course.pk])


def queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


class TestRecordPage:
    def test_it_shows_the_form_beside_the_session_guide(self, records, personas):
        page = logged_in(personas.therapist_a).get(new_url(records)).content.decode()
        assert "Record session 2" in page
        assert "Session 2 of 12" in page
        assert "Middle phase" in page
        assert "Role transitions" in page
        assert "Build a new social network" in page
        assert "Your depression began after the move." in page
        assert "Opener: ask how things have been since the last session" in page  # the §3.6 anatomy
        assert protocol().phase("middle").task("middle.announce_ending").text in page  # a task not done yet
        assert "Learn the skills the new role needs." in page  # a strategy of the active area
        assert "Reconnect with old contacts." not in page  # a strategy of an area not chosen
        assert "Communication analysis" in page
        assert "iptriad/sessions.css" in page
        assert "<legend>Attendance</legend>" in page

    def test_it_shows_the_cautions_of_the_session_to_come(self, records, personas):
        add_sessions(records, 4)  # 5 held: session 6 of 12 is the midpoint review
        page = logged_in(personas.therapist_a).get(new_url(records)).content.decode()
        assert "Session 6 of 12" in page
        assert MIDPOINT_REVIEW in page
        add_sessions(records, 2)  # 7 held: session 8 of 12 leaves 4, time to announce the ending
        page = logged_in(personas.therapist_a).get(new_url(records)).content.decode()
        assert ANNOUNCE_ENDING in page

    def test_it_counts_the_contract_in_sessions_attended(self, records, personas):
        add_sessions(records, 1, attendance=Attendance.CANCELLED)
        page = logged_in(personas.therapist_a).get(new_url(records)).content.decode()
        assert "Record session 3" in page
        assert "Session 2 of 12" in page
        assert "1 cancelled or missed session not counted" in page

    def test_it_says_when_there_is_no_contract_yet(self, records, personas):
        records.course.contract.delete()
        page = logged_in(personas.therapist_a).get(new_url(records)).content.decode()
        assert "(no contract yet)" in page

    def test_it_links_each_measure_due_to_its_recording_page(self, records, personas):
        measure_schedule_defaults_create(
            context=records.course.treatment_context, rules=default_schedule(records.course.adaptation)
        )
        page = logged_in(personas.therapist_a).get(new_url(records)).content.decode()
        record = reverse("measures-record", args=[personas.client_a.pk])
        assert f'href="{record}?instrument=phq9"' in page
        assert "Record the PHQ-9" in page
        assert "due at session 2" in page

    def test_it_records_a_session_and_shows_it(self, records, personas):
        http = logged_in(personas.therapist_a)
        response = http.post(new_url(records), VALID_FORM)
        session = CourseSession.objects.get(course=records.course, number=2)
        assert response.status_code == 302
        assert response["Location"] == reverse("course-session-detail", args=[session.pk])
        page = http.get(response["Location"]).content.decode()
        assert "Session 2 recorded." in page
        assert "Learn the skills the new role needs." in page
        assert "Role play" in page
        assert "Join the choir rehearsal." in page

    def test_a_concern_opens_an_alert_and_the_message_links_to_it(self, records, personas):
        http = logged_in(personas.therapist_a)
        response = http.post(new_url(records), {**VALID_FORM, "risk_check": "concern", "concern": CONCERN})
        alert = RiskAlert.objects.get()
        page = http.get(response["Location"]).content.decode()
        assert f'href="{reverse("alert-detail", args=[alert.pk])}"' in page
        assert "A risk alert is open for this client" in page

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"held_on": "2026-11-27"}, services.ERROR_DATE_IN_FUTURE),
            ({"held_on": "2026-08-01"}, services.ERROR_DATE_BEFORE_COURSE.format(date="01 September 2026")),
            ({"held_on": "31/02/2026"}, "Enter a valid date."),
            ({"attendance": "cancelled", "note": ""}, services.ERROR_ABSENCE_NOTE),
            ({"homework_review": ""}, services.ERROR_HOMEWORK_REVIEW),
            ({"risk_check": ""}, services.ERROR_RISK_CHECK),
            ({"risk_check": "concern"}, services.ERROR_CONCERN_REQUIRED),
            ({"risk_check": "not_asked", "concern": CONCERN}, services.ERROR_CONCERN_WITHOUT_CHECK),
            ({"concern": "x" * 301, "risk_check": "concern"}, "Ensure this value has at most 300 characters"),
            ({"strategies": ["grief.strategy.feelings"]}, "Select a valid choice."),
            ({"techniques": ["dream_interpretation"]}, "Select a valid choice."),
        ],
    )
    def test_it_refuses_bad_input_with_a_message_and_writes_nothing(self, records, personas, changes, message):
        before = (CourseSession.objects.count(), RiskAlert.objects.count())
        response = logged_in(personas.therapist_a).post(new_url(records), {**VALID_FORM, **changes})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert b"error-summary" in response.content
        assert (CourseSession.objects.count(), RiskAlert.objects.count()) == before

    def test_a_closed_course_sends_back_to_the_course_page(self, records, personas):
        records.course.phase = Phase.CLOSED
        records.course.closed_on = dt.date(2026, 11, 1)
        records.course.end_reason = "completed"
        records.course.save()
        http = logged_in(personas.therapist_a)
        response = http.get(new_url(records))
        assert response["Location"] == reverse("course-detail", args=[records.course.pk])
        assert http.post(new_url(records), VALID_FORM).status_code == 302
        assert CourseSession.objects.count() == 1

    def test_it_records_that_the_course_was_seen(self, records, personas):
        logged_in(personas.therapist_a).get(new_url(records))
        assert AuditEvent.objects.filter(action=AuditAction.COURSE_VIEWED, object_id=str(records.course.pk)).exists()


class TestDetailAndEdit:
    def test_the_detail_page_shows_a_missed_session_without_the_clinical_parts(self, records, personas):
        CourseSession.objects.filter(pk=records.session.pk).update(attendance="no_show", note="Outreach call made.")
        page = logged_in(personas.supervisor_a).get(reverse("course-session-detail", args=[records.session.pk]))
        text = page.content.decode()
        assert "Did not attend" in text
        assert "Outreach call made." in text
        assert "Problem-area work" not in text

    def test_a_concern_session_links_to_the_clients_alerts(self, records, personas):
        CourseSession.objects.filter(pk=records.session.pk).update(risk_check=RiskCheck.CONCERN)
        page = logged_in(personas.therapist_a).get(reverse("course-session-detail", args=[records.session.pk]))
        assert reverse("measures-client", args=[personas.client_a.pk]).encode() in page.content

    def test_it_edits_a_session(self, records, personas):
        http = logged_in(personas.therapist_a)
        url = reverse("course-session-edit", args=[records.session.pk])
        assert "Edit session 1" in http.get(url).content.decode()
        response = http.post(url, {**VALID_FORM, "held_on": "2026-09-01", "note": "Corrected note."})
        assert response.status_code == 302
        assert "Corrected note." in http.get(response["Location"]).content.decode()
        assert CourseSession.objects.get(pk=records.session.pk).number == 1

    def test_an_edit_that_breaks_the_date_order_is_refused(self, records, personas):
        add_sessions(records, 1)
        url = reverse("course-session-edit", args=[records.session.pk])
        response = logged_in(personas.therapist_a).post(url, {**VALID_FORM, "held_on": "2026-09-04"})
        assert response.status_code == 400
        assert "The session is dated after session 2" in response.content.decode()

    def test_the_edit_form_of_a_concern_session_does_not_ask_for_the_concern_again(self, records, personas):
        CourseSession.objects.filter(pk=records.session.pk).update(risk_check=RiskCheck.CONCERN)
        page = logged_in(personas.therapist_a).get(reverse("course-session-edit", args=[records.session.pk]))
        assert b'name="concern"' not in page.content
        assert b"A risk alert was opened when this concern was recorded" in page.content

    def test_a_closed_course_has_no_edit_link_and_the_edit_page_sends_back(self, records, personas):
        records.course.phase = Phase.CLOSED
        records.course.closed_on = dt.date(2026, 11, 1)
        records.course.end_reason = "completed"
        records.course.save()
        http = logged_in(personas.therapist_a)
        detail = http.get(reverse("course-session-detail", args=[records.session.pk]))
        assert reverse("course-session-edit", args=[records.session.pk]).encode() not in detail.content
        assert http.get(reverse("course-session-edit", args=[records.session.pk])).status_code == 302


class TestPermissions:
    @pytest.mark.parametrize("who", ["therapist_a2", "therapist_b", "admin_a", "facilitator_a"])
    def test_others_get_404_on_every_session_page(self, records, personas, who):
        http = logged_in(getattr(personas, who))
        urls = [
            new_url(records),
            reverse("course-session-detail", args=[records.session.pk]),
            reverse("course-session-edit", args=[records.session.pk]),
        ]
        for url in urls:
            assert http.get(url).status_code == 404, url
        assert http.post(new_url(records), VALID_FORM).status_code == 404
        assert CourseSession.objects.count() == 1


class TestCourseSection:
    def test_the_course_page_lists_the_sessions_with_the_record_button(self, records, personas):
        CourseSession.objects.filter(pk=records.session.pk).update(risk_check=RiskCheck.CONCERN, homework_review="done")
        page = logged_in(personas.therapist_a).get(reverse("course-detail", args=[records.course.pk])).content.decode()
        assert reverse("course-session-detail", args=[records.session.pk]) in page
        assert f'href="{new_url(records)}"' in page
        assert "Record session 2" in page
        assert "Concern: risk alert opened" in page
        assert "Next session: Session 2 of 12" in page

    def test_a_closed_course_shows_its_sessions_read_only(self, records, personas):
        records.course.phase = Phase.CLOSED
        records.course.closed_on = dt.date(2026, 11, 1)
        records.course.end_reason = "completed"
        records.course.save()
        page = logged_in(personas.therapist_a).get(reverse("course-detail", args=[records.course.pk])).content.decode()
        assert reverse("course-session-detail", args=[records.session.pk]) in page
        assert new_url(records) not in page
        assert "its sessions can be read but not changed" in page


# The member page's 4, the course and its audit event (1 + append_statements()), the sessions, the active problem
# areas and their goals (2), the course's facts with its formulation (1), the ticked tasks, and the measures due
# (schedule and answers: 2); the facts are read once for both the guide and the formulation shown.
RECORD_PAGE_QUERIES = 4 + 1 + append_statements() + 1 + 2 + 1 + 1 + 2


class TestQueryBudget:
    def test_the_record_page_runs_the_same_queries_for_1_and_20_sessions(self, records, personas):
        measure_schedule_defaults_create(
            context=records.course.treatment_context, rules=default_schedule(records.course.adaptation)
        )
        http = logged_in(personas.therapist_a)
        http.get(new_url(records))
        with_one = queries(http, new_url(records))
        add_sessions(records, 19)
        assert queries(http, new_url(records)) == with_one == RECORD_PAGE_QUERIES

    def test_the_edit_and_detail_pages_run_a_fixed_number_of_queries(self, records, personas):
        http = logged_in(personas.therapist_a)
        urls = [
            reverse("course-session-edit", args=[records.session.pk]),
            reverse("course-session-detail", args=[records.session.pk]),
        ]
        http.get(urls[0])
        before = [queries(http, url) for url in urls]
        add_sessions(records, 19)
        assert [queries(http, url) for url in urls] == before

    def test_the_course_page_section_runs_the_same_queries_for_1_and_20_sessions(self, records, personas):
        actor = personas.actor(personas.therapist_a)

        def section_queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                context = section.context(actor, records.course)
                html = render_to_string(section.TEMPLATE, {"section": context})
            assert "Session 1" in html
            return len(captured.captured_queries)

        with_one = section_queries()
        add_sessions(records, 19)
        assert section_queries() == with_one


def test_the_session_page_links_the_alert_its_risk_check_opened(personas):
    from django.urls import reverse

    from iptriad.courses.services.sessions import SessionDetails, course_session_record
    from tests.conftest import logged_in
    from tests.courses.factories import full_course

    course = full_course(personas.client_a, personas.therapist_a).course
    saved = course_session_record(
        actor=personas.actor(personas.therapist_a),
        course=course,
        details=SessionDetails(
            held_on=course.opened_on,
            attendance="attended",
            homework_review="none_set",
            risk_check="concern",
            concern="Spoke of hopelessness.",
        ),
    )
    assert saved.alert is not None
    page = logged_in(personas.therapist_a).get(reverse("course-session-detail", args=[saved.session.pk]))
    assert reverse("alert-detail", args=[saved.alert.pk]) in page.content.decode()
