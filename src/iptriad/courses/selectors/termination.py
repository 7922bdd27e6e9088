"""Reads for the termination phase of a course, scoped by the course policy; each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.instruments import instrument
from iptriad.core.outcomes import CHANGE_CONVENTIONS, ChangeConvention, ChangeStatus, classify_change
from iptriad.courses.models import (
    Course,
    Goal,
    InventoryPerson,
    MaintenancePlan,
    RelapsePreventionPlan,
    TerminationReview,
)
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.measures import of_course
from iptriad.measures.models import Administration

# People shown as hints for "people to turn to": the closest rings first; a page never lists more.
PEOPLE_HINTS_MAX = 30


@dataclass(frozen=True)
class TerminationRecords:
    """A course with its three ending records (None where not written yet), read in one query."""

    course: Course
    review: TerminationReview | None
    plan: RelapsePreventionPlan | None
    maintenance: MaintenancePlan | None


def _one_to_one(course: Course, name: str) -> object | None:
    try:
        record: object = getattr(course, name)  # cached by select_related: no query
    except ObjectDoesNotExist:
        return None
    return record


def termination_records(*, actor: Actor, course_id: int, action: Action = Action.UPDATE) -> TerminationRecords:
    """The course and its ending records if the actor may act on it, else 404 (foreign and missing look alike)."""
    courses = course_policy.scope(
        actor,
        action,
        Course.objects.select_related(
            "client",
            "therapist",
            "organisation",
            "termination_review",
            "relapse_prevention_plan",
            "maintenance_plan",
        ),
    )
    course = get_object_or_404(courses, pk=course_id)
    review = _one_to_one(course, "termination_review")
    plan = _one_to_one(course, "relapse_prevention_plan")
    maintenance = _one_to_one(course, "maintenance_plan")
    return TerminationRecords(
        course=course,
        review=review if isinstance(review, TerminationReview) else None,
        plan=plan if isinstance(plan, RelapsePreventionPlan) else None,
        maintenance=maintenance if isinstance(maintenance, MaintenancePlan) else None,
    )


def termination_records_for_view(*, actor: Actor, course_id: int, page: str) -> TerminationRecords:
    """As termination_records, for a page that shows them: the read is audited with the page's name."""
    records = termination_records(actor=actor, course_id=course_id, action=Action.VIEW)
    audit_record(
        actor=actor,
        action=AuditAction.COURSE_VIEWED,
        obj=records.course,
        detail={"client": records.course.client_id, "page": page},
    )
    return records


def goals_of_course(*, actor: Actor, course: Course) -> list[Goal]:
    """The contract's goals, with their problem area, in the order they were set."""
    goals = course_policy.scope_records(actor, Action.VIEW, Goal.objects.filter(course=course))
    return list(goals.select_related("problem_area").order_by("created_at", "pk"))


def goal_get(*, actor: Actor, goal_id: int, action: Action = Action.UPDATE) -> Goal:
    """A goal of a course the actor may act on, else 404."""
    goals = course_policy.scope_records(actor, action, Goal.objects.select_related("course"))
    return get_object_or_404(goals, pk=goal_id)


def people_to_turn_to_hints(*, actor: Actor, course: Course) -> list[InventoryPerson]:
    """The inventory's people, closest first: hints for the plan's "people to turn to"."""
    people = course_policy.scope_records(actor, Action.VIEW, InventoryPerson.objects.filter(course=course))
    return list(people.order_by("ring", "name", "pk")[:PEOPLE_HINTS_MAX])


# ---------------------------------------------------------------------------------------------------------------
# Symptom change over the course (§3.3 "re-rate symptoms and compare with baseline", §9.2)
# ---------------------------------------------------------------------------------------------------------------


def symptom_measure_code(course: Course) -> str:
    """The course's symptom measure: the PHQ-A in IPT-A, the PHQ-9 otherwise, as the default measure schedule
    (iptriad.core.schedules.default_schedule) gives it at every session."""
    return "phqa" if course.adaptation == "ipt_a" else "phq9"


@dataclass(frozen=True)
class Score:
    total: Decimal
    completed_at: dt.datetime


@dataclass(frozen=True)
class SymptomChange:
    """The first and the latest valid score of the course's symptom measure, and the change between them.

    `status` is None with fewer than two scores, or when the change conventions give no thresholds for the
    measure (`convention` None); `change` is then still given from two scores. The PHQ-A's thresholds are the
    PHQ-9's, carried over (no adolescent-specific value was found, instruments.md §5): `convention.carried_over_note`
    says so.
    """

    code: str
    name: str
    count: int
    baseline: Score | None
    latest: Score | None
    change: Decimal | None  # latest - baseline
    change_size: Decimal | None  # its size, for "lower by 8 points"
    direction: str  # "lower", "higher" or "same" ("" without two scores)
    convention: ChangeConvention | None
    status: ChangeStatus | None


def _score(row: Mapping[str, Any] | None) -> Score | None:
    if row is None or row["total"] is None:
        return None
    return Score(total=row["total"], completed_at=row["completed_at"])


def symptom_change(*, actor: Actor, course: Course) -> SymptomChange:
    """Three queries whatever the number of administrations."""
    code = symptom_measure_code(course)
    answers = Administration.objects.filter(instrument_code=code, valid=True, total__isnull=False)
    scores = of_course(actor, answers, course).order_by("completed_at", "pk")
    count = scores.count()
    first = scores.values("total", "completed_at").first() if count else None
    last = scores.values("total", "completed_at").last() if count > 1 else first
    baseline, latest = _score(first), _score(last)
    convention = CHANGE_CONVENTIONS.get(code)
    change = status = None
    direction = ""
    if baseline is not None and latest is not None and count > 1:
        change = latest.total - baseline.total
        direction = "lower" if change < 0 else "higher" if change > 0 else "same"
        if convention is not None:
            status = classify_change(code, float(baseline.total), float(latest.total))
    return SymptomChange(
        code=code,
        name=instrument(code).short_name,
        count=count,
        baseline=baseline,
        latest=latest,
        change=change,
        change_size=abs(change) if change is not None else None,
        direction=direction,
        convention=convention,
        status=status,
    )
