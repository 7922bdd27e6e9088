"""The demo's outcome report has figures worth showing: counts of 5 or more for the main outcomes, over both demo
therapists and the demo's groups, the same as a count by hand from the records; a second load changes nothing."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q

from iptriad.accounts.models import Organisation
from iptriad.courses.models import Course
from iptriad.demo.data import demo_load
from iptriad.groups.models import GroupMember
from iptriad.outcomes.models import ContextOutcome
from iptriad.outcomes.report import outcome_report

pytestmark = pytest.mark.django_db


def _rows() -> list[tuple[object, ...]]:
    return sorted(
        ContextOutcome.objects.values_list(
            "treatment_context_id", "ended_on", "attended_sessions", "phq9_first", "phq9_last", "recovered", "finished"
        )
    )


def test_the_demo_report_shows_its_main_outcomes_unsuppressed_and_a_second_load_keeps_them(demo):
    demo = Organisation.objects.get(slug="demo")
    report = outcome_report([demo], by="therapist")
    overall = report.overall
    for name in ("finished", "at_caseness", "recovered", "reliable_improvement"):
        assert getattr(overall, name) >= 5, name
    assert overall.reliable_deterioration >= 1
    therapists = [row for row in report.rows if row.value]
    assert len(therapists) >= 2
    assert all(row.counts.finished >= 5 for row in therapists)
    assert outcome_report([demo], by="group").rows, "the demo's groups are counted"

    # By hand, from the records: closed courses and ended group places with at least 2 attended sessions.
    courses = (
        Course.objects.filter(organisation=demo, closed_on__isnull=False)
        .annotate(attended=Count("sessions", filter=Q(sessions__attendance="attended")))
        .filter(attended__gte=2)
        .count()
    )
    places = (
        GroupMember.objects.filter(organisation=demo, status__in=["dropped", "finished"], transferred_to__isnull=True)
        .annotate(attended=Count("attendance", filter=Q(attendance__status__in=["present", "make_up"])))
        .filter(attended__gte=2)
        .count()
    )
    assert overall.finished == courses + places

    before = _rows()
    demo_load()
    assert _rows() == before
