"""Build the plain snapshot the protocol rules (iptriad.core.protocol) judge a course by."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from iptriad.core.protocol import ContractSnapshot, CourseSnapshot, EndReason, Phase, ProblemAreaCode
from iptriad.courses.models import (
    Assessment,
    Course,
    CourseTask,
    Formulation,
    InventoryPerson,
    ProblemAreaChoice,
    RelapsePreventionPlan,
    TreatmentContract,
)
from iptriad.courses.models.sessions import Attendance
from iptriad.measures.models import RiskAlert


def with_open_risk_alerts(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Each course with `open_risk_alerts`: how many of its client's risk alerts are still open (a subquery)."""
    still_open = (
        RiskAlert.objects.filter(client_id=OuterRef("client_id"), closed_at__isnull=True)
        .order_by()
        .values("client_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return courses.annotate(open_risk_alerts=Coalesce(Subquery(still_open, output_field=IntegerField()), 0))


def course_facts(course: Course, *, count_attended: bool = True) -> Course:
    """The course again with its assessment, formulation and contract, and what the rules count of the rest
    (sessions attended, unless the caller has them; a relapse-prevention plan; an inventory; open risk alerts):
    one query."""
    facts = with_open_risk_alerts(Course.objects.filter(pk=course.pk)).select_related(
        "assessment", "formulation", "contract"
    )
    facts = facts.annotate(
        has_plan=Exists(RelapsePreventionPlan.objects.filter(course=OuterRef("pk"))),
        has_inventory=Exists(InventoryPerson.objects.filter(course=OuterRef("pk"))),
    )
    if count_attended:
        facts = facts.annotate(attended=Count("sessions", filter=Q(sessions__attendance=Attendance.ATTENDED)))
    return facts.get()


def course_snapshot(
    course: Course,
    *,
    facts: Course | None = None,
    sessions_held: int | None = None,
    active_areas: Iterable[str] | None = None,
) -> CourseSnapshot:
    """Three queries, whatever the size of the course (the course page builds it from its own reads: snapshot_of).

    A caller that has read some of it already passes it on (the session form: the facts without the sessions
    count, the sessions held and the active problem areas), and those are not read again.
    """
    if facts is None:
        facts = course_facts(course, count_attended=sessions_held is None)
    if active_areas is None:
        active_areas = ProblemAreaChoice.objects.filter(course=course, active=True).values_list("area", flat=True)
    return snapshot_of(
        course,
        assessment=getattr(facts, "assessment", None),
        formulation=getattr(facts, "formulation", None),
        contract=getattr(facts, "contract", None),
        active_areas=tuple(active_areas),
        sessions_held=int(getattr(facts, "attended", 0)) if sessions_held is None else sessions_held,
        has_relapse_prevention_plan=bool(getattr(facts, "has_plan", False)),
        has_inventory=bool(getattr(facts, "has_inventory", False)),
        done_task_ids=frozenset(CourseTask.objects.filter(course=course).values_list("task_id", flat=True)),
        open_risk_alerts=int(getattr(facts, "open_risk_alerts", 0)),
    )


def snapshot_of(
    course: Course,
    *,
    assessment: Assessment | None,
    formulation: Formulation | None,
    contract: TreatmentContract | None,
    active_areas: Iterable[str],
    sessions_held: int,
    has_relapse_prevention_plan: bool,
    done_task_ids: frozenset[str],
    has_inventory: bool,
    open_risk_alerts: int = 0,
) -> CourseSnapshot:
    """The snapshot from records already read (no query): the course page reads them once for every section."""
    return CourseSnapshot(
        adaptation=course.adaptation,
        phase=Phase(course.phase),
        has_diagnosis=assessment is not None and assessment.has_diagnosis,
        suicide_risk_recorded=assessment is not None and bool(assessment.suicide_risk_screen),
        sick_role_given=assessment is not None and assessment.sick_role_given_on is not None,
        sick_role_reviewed=assessment is not None and assessment.sick_role_reviewed_on is not None,
        has_inventory=has_inventory,
        problem_areas=tuple(ProblemAreaCode(area) for area in active_areas),
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
        sessions_held=sessions_held,
        has_relapse_prevention_plan=has_relapse_prevention_plan,
        end_reason=EndReason(course.end_reason) if course.end_reason else None,
        done_task_ids=done_task_ids,
        open_risk_alerts=open_risk_alerts,
    )
