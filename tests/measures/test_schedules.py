"""A course's measure schedule: view it, change its rows, add an instrument; refusals write nothing; audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.courses.models import Course
from iptriad.courses.services.course import ERROR_NOT_OPEN, course_open
from iptriad.measures.models import MeasureSchedule
from iptriad.measures.schedules import (
    ERROR_SCHEDULE_CADENCE,
    ERROR_SCHEDULE_DUPLICATE,
    ERROR_SCHEDULE_EVERY_N,
    ERROR_SCHEDULE_NOT_IN_COURSE,
    ERROR_SCHEDULE_UNKNOWN_INSTRUMENT,
    ScheduleChange,
    measure_schedule_add,
    measure_schedules_update,
    schedule_field,
)
from tests.conftest import Personas, logged_in

pytestmark = pytest.mark.django_db


def open_course(personas: Personas) -> Course:
    return course_open(actor=personas.actor(personas.therapist_a), client=personas.client_a, adaptation="standard")


def row(course: Course, code: str) -> MeasureSchedule:
    return MeasureSchedule.objects.get(context=course.treatment_context, instrument_code=code)


def snapshot(course: Course) -> list[tuple[str, str, int | None, bool]]:
    return list(
        MeasureSchedule.objects.filter(context=course.treatment_context)
        .order_by("instrument_code")
        .values_list("instrument_code", "cadence", "every_n", "active")
    )


def change(schedule: MeasureSchedule, **fields) -> ScheduleChange:
    values = {"cadence": schedule.cadence, "every_n": schedule.every_n, "active": schedule.active, **fields}
    return ScheduleChange(schedule_id=schedule.pk, **values)


class TestAdd:
    def test_it_adds_an_instrument_and_audits_field_names_only(self, personas):
        course = open_course(personas)
        schedule = measure_schedule_add(
            actor=personas.actor(personas.therapist_a),
            context=course.treatment_context,
            code="who5",
            cadence="every_n_sessions",
            every_n=3,
        )
        assert (schedule.instrument_code, schedule.cadence, schedule.every_n, schedule.active) == (
            "who5",
            "every_n_sessions",
            3,
            True,
        )
        event = AuditEvent.objects.get(action=AuditAction.SCHEDULE_CHANGED)
        assert event.object_id == str(schedule.pk)
        assert event.detail == {"instrument": "who5", "fields": ["instrument_code", "cadence", "every_n", "active"]}

    def test_every_n_is_kept_only_for_the_every_n_cadence(self, personas):
        course = open_course(personas)
        schedule = measure_schedule_add(
            actor=personas.actor(personas.therapist_a),
            context=course.treatment_context,
            code="who5",
            cadence="weekly",
            every_n=3,
        )
        assert schedule.every_n is None

    @pytest.mark.parametrize(
        ("fields", "key", "message"),
        [
            ({"code": "nope", "cadence": "weekly"}, "instrument", ERROR_SCHEDULE_UNKNOWN_INSTRUMENT),
            ({"code": "gad7", "cadence": "weekly"}, "instrument", ERROR_SCHEDULE_DUPLICATE.format(name="GAD-7")),
            ({"code": "who5", "cadence": "monthly"}, "cadence", ERROR_SCHEDULE_CADENCE),
            ({"code": "who5", "cadence": "every_n_sessions", "every_n": 0}, "every_n", ERROR_SCHEDULE_EVERY_N),
            ({"code": "who5", "cadence": "every_n_sessions", "every_n": -2}, "every_n", ERROR_SCHEDULE_EVERY_N),
            ({"code": "who5", "cadence": "every_n_sessions"}, "every_n", ERROR_SCHEDULE_EVERY_N),
            ({"code": "who5", "cadence": "every_n_sessions", "every_n": 53}, "every_n", ERROR_SCHEDULE_EVERY_N),
        ],
        ids=["unknown", "duplicate", "cadence", "zero", "negative", "missing", "too-many"],
    )
    def test_it_refuses_and_writes_nothing(self, personas, fields, key, message):
        course = open_course(personas)
        before = snapshot(course)
        with pytest.raises(ValidationError) as refused:
            measure_schedule_add(actor=personas.actor(personas.therapist_a), context=course.treatment_context, **fields)
        assert refused.value.message_dict[key] == [message]
        assert snapshot(course) == before
        assert not AuditEvent.objects.filter(action=AuditAction.SCHEDULE_CHANGED).exists()

    def test_an_inactive_row_is_still_a_duplicate(self, personas):
        course = open_course(personas)
        MeasureSchedule.objects.filter(context=course.treatment_context, instrument_code="wsas").update(active=False)
        with pytest.raises(ValidationError) as refused:
            measure_schedule_add(
                actor=personas.actor(personas.therapist_a),
                context=course.treatment_context,
                code="wsas",
                cadence="every_session",
            )
        assert refused.value.message_dict["instrument"] == [ERROR_SCHEDULE_DUPLICATE.format(name="WSAS")]

    def test_a_closed_course_is_refused(self, personas):
        course = open_course(personas)
        Course.objects.filter(pk=course.pk).update(phase="closed", closed_on=course.opened_on, end_reason="completed")
        course.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            measure_schedule_add(
                actor=personas.actor(personas.therapist_a),
                context=course.treatment_context,
                code="who5",
                cadence="every_session",
            )
        assert refused.value.messages == [ERROR_NOT_OPEN]

    @pytest.mark.parametrize("who", ["therapist_a2", "admin_a", "facilitator_a"])
    def test_it_refuses_who_may_not_change_the_course(self, personas, who):
        course = open_course(personas)
        with pytest.raises(PermissionDenied):
            measure_schedule_add(
                actor=personas.actor(getattr(personas, who)),
                context=course.treatment_context,
                code="who5",
                cadence="every_session",
            )
        assert not MeasureSchedule.objects.filter(instrument_code="who5").exists()

    def test_a_supervisor_may_change_any_course_of_the_organisation(self, personas):
        course = open_course(personas)
        measure_schedule_add(
            actor=personas.actor(personas.supervisor_a),
            context=course.treatment_context,
            code="who5",
            cadence="every_session",
        )
        assert row(course, "who5").cadence == "every_session"


class TestUpdate:
    def test_it_changes_rows_and_audits_each_with_its_changed_fields(self, personas):
        course = open_course(personas)
        gad7, wsas, phq9 = row(course, "gad7"), row(course, "wsas"), row(course, "phq9")
        changed = measure_schedules_update(
            actor=personas.actor(personas.therapist_a),
            context=course.treatment_context,
            changes=[change(gad7, every_n=2), change(wsas, active=False), change(phq9)],
        )
        assert [schedule.instrument_code for schedule in changed] == ["gad7", "wsas"]
        assert row(course, "gad7").every_n == 2
        assert row(course, "wsas").active is False
        details = sorted(
            AuditEvent.objects.filter(action=AuditAction.SCHEDULE_CHANGED).values_list("detail", flat=True),
            key=lambda detail: detail["instrument"],
        )
        assert details == [
            {"instrument": "gad7", "fields": ["every_n"]},
            {"instrument": "wsas", "fields": ["active"]},
        ]

    def test_changing_to_every_session_clears_every_n(self, personas):
        course = open_course(personas)
        gad7 = row(course, "gad7")
        measure_schedules_update(
            actor=personas.actor(personas.therapist_a),
            context=course.treatment_context,
            changes=[change(gad7, cadence="every_session")],
        )
        assert (row(course, "gad7").cadence, row(course, "gad7").every_n) == ("every_session", None)

    def test_one_bad_row_refuses_every_change(self, personas):
        course = open_course(personas)
        gad7, wsas = row(course, "gad7"), row(course, "wsas")
        before = snapshot(course)
        with pytest.raises(ValidationError) as refused:
            measure_schedules_update(
                actor=personas.actor(personas.therapist_a),
                context=course.treatment_context,
                changes=[change(gad7, every_n=2), change(wsas, every_n=0)],
            )
        assert refused.value.message_dict == {schedule_field(wsas.pk, "every_n"): [ERROR_SCHEDULE_EVERY_N]}
        assert snapshot(course) == before
        assert not AuditEvent.objects.filter(action=AuditAction.SCHEDULE_CHANGED).exists()

    def test_a_row_of_another_course_is_refused(self, personas):
        course = open_course(personas)
        other = course_open(
            actor=personas.actor(personas.therapist_b, personas.org_b), client=personas.client_b, adaptation="standard"
        )
        foreign = row(other, "gad7")
        with pytest.raises(ValidationError) as refused:
            measure_schedules_update(
                actor=personas.actor(personas.therapist_a),
                context=course.treatment_context,
                changes=[change(foreign, every_n=1)],
            )
        assert refused.value.messages == [ERROR_SCHEDULE_NOT_IN_COURSE]
        assert row(other, "gad7").every_n == 4

    def test_a_colleague_may_not_change_it(self, personas):
        course = open_course(personas)
        with pytest.raises(PermissionDenied):
            measure_schedules_update(
                actor=personas.actor(personas.therapist_a2),
                context=course.treatment_context,
                changes=[change(row(course, "gad7"))],
            )


def edit_form(course: Course, **overrides: str) -> dict[str, str]:
    """The edit form as the page posts it, with the current values and the given overrides."""
    form: dict[str, str] = {}
    for schedule in MeasureSchedule.objects.filter(context=course.treatment_context):
        form[schedule_field(schedule.pk, "cadence")] = schedule.cadence
        form[schedule_field(schedule.pk, "every_n")] = "" if schedule.every_n is None else str(schedule.every_n)
        if schedule.active:
            form[schedule_field(schedule.pk, "active")] = "on"
    form.update(overrides)
    return form


class TestPage:
    def test_it_shows_every_row_in_a_fieldset(self, personas):
        course = open_course(personas)
        page = logged_in(personas.therapist_a).get(reverse("measures-schedule", args=[course.pk]))
        html = page.content.decode()
        assert page.status_code == 200
        for name in ("PHQ-9", "GAD-7", "WSAS"):
            assert f"<legend>{name}</legend>" in html
        assert "Add a measure" in html

    def test_saving_the_rows_redirects_with_a_message(self, personas):
        course = open_course(personas)
        gad7 = row(course, "gad7")
        http = logged_in(personas.therapist_a)
        response = http.post(
            reverse("measures-schedule", args=[course.pk]),
            edit_form(course, **{schedule_field(gad7.pk, "every_n"): "2"}),
        )
        assert response.status_code == 302
        assert row(course, "gad7").every_n == 2
        assert "The measure schedule is saved." in http.get(response["Location"]).content.decode()

    def test_a_bad_row_is_refused_with_400_and_says_what_to_fix(self, personas):
        course = open_course(personas)
        gad7 = row(course, "gad7")
        before = snapshot(course)
        response = logged_in(personas.therapist_a).post(
            reverse("measures-schedule", args=[course.pk]),
            edit_form(course, **{schedule_field(gad7.pk, "every_n"): "0"}),
        )
        assert response.status_code == 400
        assert escape(ERROR_SCHEDULE_EVERY_N) in response.content.decode()
        assert snapshot(course) == before

    def test_adding_an_instrument_redirects(self, personas):
        course = open_course(personas)
        response = logged_in(personas.therapist_a).post(
            reverse("measures-schedule-add", args=[course.pk]),
            {"instrument": "who5", "cadence": "every_n_sessions", "every_n": "4"},
        )
        assert response.status_code == 302
        assert row(course, "who5").every_n == 4

    @pytest.mark.parametrize(
        ("form", "message"),
        [
            ({"instrument": "gad7", "cadence": "every_session"}, ERROR_SCHEDULE_DUPLICATE.format(name="GAD-7")),
            ({"instrument": "nope", "cadence": "every_session"}, ERROR_SCHEDULE_UNKNOWN_INSTRUMENT),
            ({"instrument": "who5", "cadence": "every_n_sessions", "every_n": "0"}, ERROR_SCHEDULE_EVERY_N),
            ({"instrument": "who5", "cadence": "every_n_sessions", "every_n": "two"}, ERROR_SCHEDULE_EVERY_N),
        ],
        ids=["duplicate", "unknown", "zero", "not-a-number"],
    )
    def test_a_refused_addition_is_400_and_says_why(self, personas, form, message):
        course = open_course(personas)
        before = snapshot(course)
        response = logged_in(personas.therapist_a).post(reverse("measures-schedule-add", args=[course.pk]), form)
        assert response.status_code == 400
        assert escape(message) in response.content.decode()
        assert snapshot(course) == before

    def test_the_add_list_offers_only_instruments_not_yet_scheduled(self, personas):
        course = open_course(personas)
        html = logged_in(personas.therapist_a).get(reverse("measures-schedule", args=[course.pk])).content.decode()
        add_form = html[html.index('id="add_instrument"') :]
        add_form = add_form[: add_form.index("</select>")]
        assert 'value="who5"' in add_form
        assert 'value="gad7"' not in add_form

    def test_a_closed_course_shows_its_schedule_read_only(self, personas):
        course = open_course(personas)
        Course.objects.filter(pk=course.pk).update(phase="closed", closed_on=course.opened_on, end_reason="completed")
        http = logged_in(personas.therapist_a)
        html = http.get(reverse("measures-schedule", args=[course.pk])).content.decode()
        assert "can no longer change" in html
        assert "<form" not in html.split("<main", 1)[1]
        refused = http.post(reverse("measures-schedule", args=[course.pk]), edit_form(course))
        assert refused.status_code == 400
        assert escape(ERROR_NOT_OPEN) in refused.content.decode()
        add = http.post(reverse("measures-schedule-add", args=[course.pk]), {"instrument": "who5", "cadence": "weekly"})
        assert add.status_code == 400
        assert escape(ERROR_NOT_OPEN) in add.content.decode()
        assert not MeasureSchedule.objects.filter(instrument_code="who5").exists()

    def test_it_runs_the_same_queries_whatever_the_number_of_rows(self, personas):
        course = open_course(personas)
        http = logged_in(personas.therapist_a)
        url = reverse("measures-schedule", args=[course.pk])

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(url).status_code == 200
            return len(captured.captured_queries)

        before = queries()
        for code in ("who5", "epds", "k10", "mspss", "hamd17"):
            MeasureSchedule.objects.create(
                organisation_id=course.organisation_id,
                context=course.treatment_context,
                instrument_code=code,
                cadence="every_session",
            )
        assert queries() == before
