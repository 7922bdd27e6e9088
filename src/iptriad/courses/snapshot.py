"""Build the plain snapshot the protocol rules (iptriad.core.protocol) judge a course by."""

from __future__ import annotations

from iptriad.core.protocol import ContractSnapshot, CourseSnapshot, EndReason, Phase, ProblemAreaCode
from iptriad.courses.models import (
    Assessment,
    Course,
    CourseSession,
    CourseTask,
    Formulation,
    ProblemAreaChoice,
    RelapsePreventionPlan,
    TreatmentContract,
)
from iptriad.courses.models.sessions import Attendance


def course_snapshot(course: Course) -> CourseSnapshot:
    """A fixed number of queries, whatever the size of the course."""
    assessment = Assessment.objects.filter(course=course).first()
    formulation = Formulation.objects.filter(course=course).first()
    contract = TreatmentContract.objects.filter(course=course).first()
    areas = tuple(
        ProblemAreaCode(area)
        for area in ProblemAreaChoice.objects.filter(course=course, active=True).values_list("area", flat=True)
    )
    return CourseSnapshot(
        adaptation=course.adaptation,
        phase=Phase(course.phase),
        has_diagnosis=assessment is not None and assessment.has_diagnosis,
        problem_areas=areas,
        has_formulation=formulation is not None and bool(formulation.text.strip()),
        formulation_agreed=formulation is not None and formulation.agreed_on is not None,
        contract=(
            ContractSnapshot(
                sessions_planned=contract.sessions_planned,
                agreed_on=contract.agreed_on,
                renegotiated=contract.renegotiated,
            )
            if contract is not None
            else None
        ),
        sessions_held=CourseSession.objects.filter(course=course, attendance=Attendance.ATTENDED).count(),
        has_relapse_prevention_plan=RelapsePreventionPlan.objects.filter(course=course).exists(),
        end_reason=EndReason(course.end_reason) if course.end_reason else None,
        done_task_ids=frozenset(CourseTask.objects.filter(course=course).values_list("task_id", flat=True)),
    )
