"""Measure schedules of a course: created from the adaptation's defaults, edited by the clinician."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iptriad.core.schedules import default_schedule
from iptriad.measures.models import MeasureSchedule

if TYPE_CHECKING:
    from iptriad.courses.models import Course


def schedule_defaults_create(*, course: Course) -> list[MeasureSchedule]:
    """Called inside course_open's transaction."""
    return MeasureSchedule.objects.bulk_create(
        MeasureSchedule(
            organisation_id=course.organisation_id,
            course=course,
            instrument_code=rule.instrument,
            cadence=rule.cadence.value,
            every_n=rule.every_n,
        )
        for rule in default_schedule(course.adaptation)
    )
