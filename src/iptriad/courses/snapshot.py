"""Build the plain snapshot the protocol rules (iptriad.core.protocol) judge a course by."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Count, Exists, OuterRef, Q

from iptriad.core.protocol import ContractSnapshot, CourseSnapshot, EndReason, Phase, ProblemAreaCode
from iptriad.courses.models import Course, CourseTask, ProblemAreaChoice, RelapsePreventionPlan
from iptriad.courses.models.sessions import Attendance

# A read-only page reads the snapshot of a course once (`snapshots_reused`): the page, its sections and its
# guide all judge the same course and would otherwise each re-read it. Writes never run inside it.
_reused: ContextVar[dict[int, CourseSnapshot] | None] = ContextVar("iptriad_course_snapshots", default=None)


@contextmanager
def snapshots_reused() -> Iterator[None]:
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def course_snapshot(course: Course) -> CourseSnapshot:
    """Three queries, whatever the size of the course (none when a read-only page already read it)."""
    reused = _reused.get()
    if reused is not None and course.pk in reused:
        return reused[course.pk]
    facts = (
        Course.objects.filter(pk=course.pk)
        .select_related("assessment", "formulation", "contract")
        .annotate(
            attended=Count("sessions", filter=Q(sessions__attendance=Attendance.ATTENDED)),
            has_plan=Exists(RelapsePreventionPlan.objects.filter(course=OuterRef("pk"))),
        )
        .get()
    )
    assessment = getattr(facts, "assessment", None)
    formulation = getattr(facts, "formulation", None)
    contract = getattr(facts, "contract", None)
    areas = tuple(
        ProblemAreaCode(area)
        for area in ProblemAreaChoice.objects.filter(course=course, active=True).values_list("area", flat=True)
    )
    snapshot = CourseSnapshot(
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
        sessions_held=int(getattr(facts, "attended", 0)),
        has_relapse_prevention_plan=bool(getattr(facts, "has_plan", False)),
        end_reason=EndReason(course.end_reason) if course.end_reason else None,
        done_task_ids=frozenset(CourseTask.objects.filter(course=course).values_list("task_id", flat=True)),
    )
    if reused is not None:
        reused[course.pk] = snapshot
    return snapshot
