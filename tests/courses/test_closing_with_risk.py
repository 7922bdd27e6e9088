"""A course never closes while a risk alert of its client is open, and an open alert stays with the clinicians
responsible for the course it arose in, whatever the course's state (issue: alerts that slip away)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.accounts.models import Role, User
from iptriad.core.protocol import Phase
from iptriad.core.protocol.rules import RISK_ALERT_OPEN
from iptriad.courses.models import Course
from iptriad.courses.services.course import course_change_phase, course_close
from iptriad.measures.models import RiskAlert
from iptriad.measures.selectors import open_alerts
from iptriad.measures.services import administration_record, risk_alert_close
from tests.api.conftest import api_as
from tests.conftest import Personas, logged_in, make_user
from tests.courses.factories import full_course, termination_records
from tests.measures.factories import PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db


def course_with_open_alert(personas: Personas, therapist: User | None = None) -> tuple[Course, RiskAlert]:
    therapist = therapist or personas.therapist_a
    records = full_course(personas.client_a, therapist)
    course = course_change_phase(actor=personas.actor(therapist), course=records.course, to_phase=Phase.TERMINATION)
    termination_records(course)
    administration_record(
        actor=personas.actor(therapist), client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
    )
    return course, RiskAlert.objects.get()


def close_it(alert: RiskAlert, actor) -> None:
    risk_alert_close(
        actor=actor,
        alert=alert,
        risk_level="low",
        assessment="Passive thoughts, no plan.",
        action="safety_plan",
        action_detail="",
    )


class TestClosing:
    @pytest.mark.parametrize("reason", ["completed", "dropped_out", "referred", "moved", "other"])
    def test_no_course_closes_while_its_clients_alert_is_open(self, personas, reason):
        course, alert = course_with_open_alert(personas)
        with pytest.raises(ValidationError) as refused:
            course_close(actor=personas.actor(personas.therapist_a), course=course, reason=reason, note="x")
        (message,) = refused.value.messages
        assert message.startswith(RISK_ALERT_OPEN)
        assert f"alert {alert.pk}, opened" in message  # which alert, so an API client can find it
        assert Course.objects.get(pk=course.pk).phase == Phase.TERMINATION

    def test_it_closes_once_the_alert_is_closed_with_its_assessment_and_action(self, personas):
        course, alert = course_with_open_alert(personas)
        close_it(alert, personas.actor(personas.therapist_a))
        closed = course_close(actor=personas.actor(personas.therapist_a), course=course, reason="completed")
        assert closed.phase == Phase.CLOSED

    def test_the_close_page_runs_the_same_queries_for_1_and_5_open_alerts(self, personas):
        course, _ = course_with_open_alert(personas)
        http = logged_in(personas.therapist_a)
        url = reverse("course-close", args=[course.pk])
        http.get(url)  # warm the session and the caches a first request fills

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(url).status_code == 200
            return len(captured)

        one = queries()
        for _ in range(4):
            administration_record(
                actor=personas.actor(personas.therapist_a),
                client=personas.client_a,
                code="phq9",
                answers=PHQ9_WITH_RISK,
            )
        assert RiskAlert.objects.filter(closed_at__isnull=True).count() == 5
        assert queries() == one

    def test_the_close_page_names_each_open_alert_and_links_to_it(self, personas):
        course, alert = course_with_open_alert(personas)
        http = logged_in(personas.therapist_a)
        page = http.get(reverse("course-close", args=[course.pk])).content.decode()
        assert "Open risk alerts keep this course open" in page
        assert reverse("alert-detail", args=[alert.pk]) in page
        form = {"reason": "dropped_out", "closed_on": course.opened_on.isoformat()}
        refused = http.post(reverse("course-close", args=[course.pk]), form)
        assert refused.status_code == 400
        assert "A risk alert of this client is still open" in refused.content.decode()
        assert Course.objects.get(pk=course.pk).is_open

    def test_the_course_page_says_so_where_closing_is_described(self, personas):
        course, _ = course_with_open_alert(personas)
        page = logged_in(personas.therapist_a).get(reverse("course-detail", args=[course.pk])).content.decode()
        assert "A risk alert of this client is still open" in page

    def test_the_api_refuses_with_the_alert_named(self, personas):
        course, alert = course_with_open_alert(personas)
        response = api_as(personas.therapist_a, personas.org_a).post(
            f"/courses/{course.pk}/close", {"reason": "dropped_out"}
        )
        assert response.status_code == 422
        assert f"alert {alert.pk}" in str(response.json())


class TestAnOpenAlertStaysInSight:
    def test_the_course_therapist_keeps_an_open_alert_after_the_course_closed(self, personas):
        colleague = make_user("colleague@alpha.example", "Col League", personas.org_a, Role.THERAPIST)
        course, alert = course_with_open_alert(personas, therapist=colleague)
        # A course closed with its alert open (by an older version, or an alert that arrived as it closed).
        Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=course.opened_on, end_reason="other")
        actor = personas.actor(colleague)
        assert list(open_alerts(actor=actor)) == [alert]
        assert logged_in(colleague).get(reverse("alert-detail", args=[alert.pk])).status_code == 200
        close_it(alert, actor)  # and may close it
        assert list(open_alerts(actor=actor)) == []

    def test_not_a_therapist_who_is_responsible_for_nothing_of_the_client(self, personas):
        colleague = make_user("colleague@alpha.example", "Col League", personas.org_a, Role.THERAPIST)
        course, alert = course_with_open_alert(personas, therapist=colleague)
        Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=course.opened_on, end_reason="other")
        assert list(open_alerts(actor=personas.actor(personas.therapist_a2))) == []
        assert logged_in(personas.therapist_a2).get(reverse("alert-detail", args=[alert.pk])).status_code == 404
