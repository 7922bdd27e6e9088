"""Storing the flags: since and changed_at, worst and recheck_on, ended contexts, the daily recheck, the backfill
command, and a failing refresh that never costs the clinical write."""

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from iptriad.core.flags import RULES_VERSION, FlagCode, severity
from iptriad.courses.models import Course
from iptriad.flags import services
from iptriad.flags.models import ContextFlags
from iptriad.flags.services import flags_recheck, flags_refresh
from iptriad.flags.tasks import flags_recheck_task
from tests.flags.builders import NO_SHOW, course_with_history, open_alert, review, score

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


def row_of(course: Course) -> ContextFlags:
    return ContextFlags.objects.get(treatment_context_id=course.treatment_context_id)


def codes(row: ContextFlags) -> list[str]:
    return [entry["code"] for entry in row.flags]


@pytest.fixture
def course(personas):
    return course_with_history(
        personas.client_a, personas.therapist_a, opened_on=TODAY - dt.timedelta(weeks=5), phq9=[(0, 20), (5, 19)]
    )


def test_a_refresh_stores_the_flags_with_why_since_and_the_row_s_summary(personas, course):
    assert flags_refresh([course.treatment_context_id], today=TODAY) == 1
    row = row_of(course)
    assert codes(row) == [FlagCode.EARLY_NON_RESPONSE, FlagCode.NO_SUPERVISORY_REVIEW]
    assert row.flags[0]["why"].startswith("PHQ-9 19 at week 5")
    assert {entry["since"] for entry in row.flags} == {TODAY.isoformat()}
    assert (row.flag_count, row.worst) == (2, severity(FlagCode.EARLY_NON_RESPONSE))
    assert (row.kind, row.clinician_id, row.client_id, row.active) == (
        "course",
        personas.therapist_a.pk,
        personas.client_a.pk,
        True,
    )
    assert row.rules_version == RULES_VERSION
    assert row.changed_at is not None
    assert row.recheck_on is None  # the review flag fires already, no weekly measure pending


def test_a_flag_keeps_its_since_while_it_fires_and_changed_at_moves_only_with_the_set(personas, course):
    flags_refresh([course.treatment_context_id], today=TODAY)
    first = row_of(course)
    later = TODAY + dt.timedelta(days=3)
    flags_refresh([course.treatment_context_id], today=later)
    same = row_of(course)
    assert [entry["since"] for entry in same.flags] == [TODAY.isoformat()] * 2
    assert same.changed_at == first.changed_at
    assert same.computed_at > first.computed_at
    open_alert(course)
    flags_refresh([course.treatment_context_id], today=later)
    grown = row_of(course)
    assert codes(grown)[0] == FlagCode.SELF_HARM
    assert grown.flags[0]["since"] == later.isoformat()
    assert grown.flags[-1]["since"] == TODAY.isoformat()  # the review flag kept its day
    assert first.changed_at is not None
    assert grown.changed_at is not None
    assert grown.changed_at > first.changed_at
    assert grown.worst == 1


def test_a_flag_that_stops_and_fires_again_starts_a_new_since(personas, course):
    flags_refresh([course.treatment_context_id], today=TODAY)
    score(course, TODAY, 8)
    flags_refresh([course.treatment_context_id], today=TODAY + dt.timedelta(days=1))
    assert FlagCode.EARLY_NON_RESPONSE not in codes(row_of(course))
    score(course, TODAY + dt.timedelta(days=2), 19)
    flags_refresh([course.treatment_context_id], today=TODAY + dt.timedelta(days=2))
    again = row_of(course)
    assert again.flags[codes(again).index(FlagCode.EARLY_NON_RESPONSE)]["since"] == "2026-12-08"


def test_recheck_on_is_the_day_the_review_turns_old(personas, course):
    review(
        course.treatment_context_id,
        course.client_id,
        personas.therapist_a,
        personas.supervisor_a,
        TODAY - dt.timedelta(days=4),
    )
    flags_refresh([course.treatment_context_id], today=TODAY)
    row = row_of(course)
    assert FlagCode.NO_SUPERVISORY_REVIEW not in codes(row)
    assert row.last_review_on == TODAY - dt.timedelta(days=4)
    assert row.recheck_on == TODAY + dt.timedelta(days=10)


def test_the_daily_recheck_refreshes_the_rows_whose_day_has_come_and_only_those(personas, course):
    review(course.treatment_context_id, course.client_id, personas.therapist_a, personas.supervisor_a, TODAY)
    flags_refresh([course.treatment_context_id], today=TODAY)
    assert FlagCode.NO_SUPERVISORY_REVIEW not in codes(row_of(course))
    assert flags_recheck(today=TODAY + dt.timedelta(days=13)) == 0
    assert flags_recheck(today=TODAY + dt.timedelta(days=14)) == 1
    assert FlagCode.NO_SUPERVISORY_REVIEW in codes(row_of(course))


def test_the_daily_task_runs_the_recheck_and_fills_contexts_without_a_row(personas, course):
    with time_machine.travel(dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC), tick=False):
        flags_recheck_task.call_local()
    assert FlagCode.EARLY_NON_RESPONSE in codes(row_of(course))


def test_an_ended_course_keeps_only_the_alert_flags_and_no_recheck(personas, course):
    open_alert(course)
    Course.objects.filter(pk=course.pk).update(phase="closed", closed_on=TODAY, end_reason="completed")
    flags_refresh([course.treatment_context_id], today=TODAY)
    row = row_of(course)
    assert codes(row) == [FlagCode.SELF_HARM, FlagCode.ALERT_UNACKNOWLEDGED]
    assert (row.active, row.recheck_on) == (False, None)


def test_the_backfill_command_refreshes_one_organisation(personas, course):
    out = StringIO()
    call_command("flags", "refresh", "--org", personas.org_a.slug, stdout=out)
    assert "Flags refreshed for 1 treatment context(s)." in out.getvalue()
    assert row_of(course).flag_count == 2


def test_the_backfill_command_names_an_unknown_organisation(personas):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organisation has the slug 'nowhere'"):
        call_command("flags", "refresh", "--org", "nowhere")


def test_a_failing_refresh_is_logged_without_content_and_marks_the_row_for_recheck(
    personas, course, monkeypatch, caplog
):
    flags_refresh([course.treatment_context_id], today=TODAY)
    ContextFlags.objects.filter(treatment_context_id=course.treatment_context_id).update(recheck_on=None)

    def broken(*args, **kwargs):
        raise RuntimeError("PHQ-9 19 for Robin Sampleton")

    monkeypatch.setattr(services, "flags_refresh", broken)
    with caplog.at_level(logging.ERROR, logger="iptriad.flags.services"):
        services.flags_refresh_safely([course.treatment_context_id])
    assert "RuntimeError" in caplog.text
    assert "Robin" not in caplog.text
    assert "PHQ-9 19" not in caplog.text
    assert row_of(course).recheck_on == timezone.localdate()
    assert course.treatment_context_id in services.flags_due_for_recheck()


def test_a_no_show_run_fires_missed_sessions(personas):
    course = course_with_history(
        personas.client_a, personas.therapist_a, opened_on=TODAY - dt.timedelta(weeks=3), sessions=[NO_SHOW, NO_SHOW]
    )
    flags_refresh([course.treatment_context_id], today=TODAY)
    assert FlagCode.MISSED_SESSIONS in codes(row_of(course))
