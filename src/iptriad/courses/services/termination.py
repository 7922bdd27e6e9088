"""Changes in the termination phase of a course: one audited function per action, in a transaction.

The termination review, the goals' final status, the relapse-prevention plan and the maintenance plan
(ipt-protocol.md §3.3, §3.4, §10.1). Moving to the maintenance phase and closing stay with
iptriad.courses.services.course (course_change_phase, course_close), which judge by the protocol rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.dates import planned_date_error
from iptriad.core.limits import ANSWER_MAX
from iptriad.core.protocol import CourseSnapshot, Phase
from iptriad.core.protocol.guide import ANNOUNCE_ENDING_MAX_REMAINING
from iptriad.core.protocol.rules import MAINTENANCE_MAX
from iptriad.courses.models import Course, Goal, MaintenancePlan, RelapsePreventionPlan, TerminationReview
from iptriad.courses.models.middle import Frequency, GoalStatus
from iptriad.courses.models.termination import NextStep
from iptriad.courses.services.course import course_for_change
from iptriad.courses.snapshot import course_snapshot

TEXT_MAX = ANSWER_MAX  # characters in one free-text answer (iptriad.core.limits)

ERROR_TOO_EARLY = (
    "The ending is prepared in the termination phase, or in the middle phase once the contract has at most "
    f"{ANNOUNCE_ENDING_MAX_REMAINING} sessions left after the next one: start the termination phase first."
)
ERROR_PROGRESS_REQUIRED = (
    "Summarise the progress: the symptoms now compared with the start, and what changed in the problem area."
)
ERROR_NEXT_STEP_UNKNOWN = "Choose the next step from the list."
ERROR_DETAIL_WITHOUT_STEP = "Choose the next step, or leave its detail empty."
ERROR_REFERRAL_DETAIL = "Say where the client is referred to and for what (medication, another psychotherapy)."
ERROR_NEXT_STEP_IN_MAINTENANCE = (
    "The course is in its continuation or maintenance phase: keep maintenance or continuation as the next step, "
    "and close the course when it ends."
)
ERROR_NEXT_STEP_HAS_MAINTENANCE = (
    "A maintenance plan is recorded: remove it first, or keep maintenance or continuation as the next step."
)
ERROR_REVIEW_DATE_REQUIRED = "Give the date of the review."
ERROR_DATE_IN_FUTURE = "The date cannot be in the future."
ERROR_DATE_BEFORE_COURSE = "The date cannot be before the course began ({opened_on})."  # "1 September 2026"
ERROR_GOAL_STATUS = "Choose the goal's status from the list."
ERROR_WARNING_SIGNS = "Write the early warning signs that the depression may be coming back."
ERROR_WHAT_HELPS = "Write what helps the client keep well."
ERROR_PEOPLE = "Name the people the client can turn to (the inventory lists the people close to them)."
ERROR_IF_SYMPTOMS_RETURN = "Write what the client will do if the symptoms come back."
ERROR_EMERGENCY_CONTACTS = "Give the emergency contacts: whom to call in a crisis, with their numbers."
ERROR_MAINTENANCE_NOT_CHOSEN = (
    "Choose maintenance sessions or a continuation contract as the next step in the termination review first."
)
ERROR_MAINTENANCE_FREQUENCY = (
    "Choose weekly, every two weeks or monthly: the schedules maintenance IPT was tested with."
)
ERROR_MAINTENANCE_SESSIONS = (
    f"Plan 1 to {MAINTENANCE_MAX} maintenance sessions (monthly sessions for up to three years)."
)
ERROR_MAINTENANCE_START_REQUIRED = "Give the date the maintenance sessions start."
ERROR_NO_MAINTENANCE_PLAN = "There is no maintenance plan to remove."
ERROR_MAINTENANCE_RUNNING = (
    "The course is in its continuation or maintenance phase: the maintenance plan stays until the course is closed."
)

# The next steps that go on with IPT sessions, and so take a maintenance plan (§3.3 [S32][S25]).
CONTINUING_STEPS = frozenset({NextStep.MAINTENANCE, NextStep.CONTINUATION})
# §3.4 [S25c]: weekly, twice-monthly and monthly maintenance were tested (frequency made no difference). Design
# note: twice a week, more than any acute schedule, is not offered for maintenance.
MAINTENANCE_FREQUENCIES = (Frequency.WEEKLY, Frequency.FORTNIGHTLY, Frequency.MONTHLY)


def ending_window_open(snapshot: CourseSnapshot) -> bool:
    """Whether the ending may be prepared now: the termination review, the relapse-prevention plan and the
    maintenance plan.

    §3.3 [S2]: termination is the last 2-4 sessions, and the ending is raised explicitly at least 2-4 sessions
    before it happens. Design note: the window opens with the termination phase, or earlier in the middle
    phase from the session where the session guide prompts "raise the ending" (at most
    ANNOUNCE_ENDING_MAX_REMAINING contracted sessions after the next one), so feelings about ending and the
    warning signs can be recorded as they come up; it stays open in continuation and maintenance.
    """
    if snapshot.phase in (Phase.TERMINATION, Phase.MAINTENANCE):
        return True
    if snapshot.phase is Phase.MIDDLE and snapshot.contract is not None:
        return snapshot.contract.sessions_planned - (snapshot.sessions_held + 1) <= ANNOUNCE_ENDING_MAX_REMAINING
    return False


def _require_termination(course: Course) -> None:
    if not ending_window_open(course_snapshot(course)):
        raise ValidationError(ERROR_TOO_EARLY)


def _date_errors(errors: dict[str, str], field: str, value: dt.date | None, course: Course) -> None:
    if value is None:
        return
    if value > timezone.localdate():
        errors[field] = ERROR_DATE_IN_FUTURE
    elif value < course.opened_on:
        errors[field] = _before_course(course)


def _before_course(course: Course) -> str:
    return ERROR_DATE_BEFORE_COURSE.format(opened_on=f"{course.opened_on.day} {course.opened_on:%B %Y}")


def _touch(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())


def _changed_fields(record: object, details: object) -> list[str]:
    return [
        field.name
        for field in dataclasses.fields(details)  # type: ignore[arg-type]
        if getattr(record, field.name) != getattr(details, field.name)
    ]


# ---------------------------------------------------------------------------------------------------------------
# The termination review (§3.3)
# ---------------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TerminationReviewDetails:
    progress_summary: str
    why_better: str
    skills_gained: str
    feelings_about_ending: str
    next_step: str
    next_step_detail: str
    reviewed_on: dt.date


def _validate_review(course: Course, details: TerminationReviewDetails, has_maintenance_plan: bool) -> None:
    errors: dict[str, str] = {}
    if not details.progress_summary.strip():
        errors["progress_summary"] = ERROR_PROGRESS_REQUIRED
    if details.next_step and details.next_step not in NextStep.values:
        errors["next_step"] = ERROR_NEXT_STEP_UNKNOWN
    elif details.next_step not in CONTINUING_STEPS and course.phase == Phase.MAINTENANCE:
        errors["next_step"] = ERROR_NEXT_STEP_IN_MAINTENANCE
    elif details.next_step not in CONTINUING_STEPS and has_maintenance_plan:
        errors["next_step"] = ERROR_NEXT_STEP_HAS_MAINTENANCE
    elif not details.next_step and details.next_step_detail.strip():
        errors["next_step_detail"] = ERROR_DETAIL_WITHOUT_STEP
    elif details.next_step == NextStep.REFERRAL and not details.next_step_detail.strip():
        errors["next_step_detail"] = ERROR_REFERRAL_DETAIL
    _date_errors(errors, "reviewed_on", details.reviewed_on, course)
    if errors:
        raise ValidationError(errors)


R = TypeVar("R", TerminationReview, RelapsePreventionPlan, MaintenancePlan)


def _save_course_record(actor: Actor, course: Course, model: type[R], details: object) -> R:
    """Create or update a course's one record of `model` from the fields that changed; audited (field names
    only). Saving something unchanged writes nothing."""
    record = model.objects.filter(course=course).first()
    created = record is None
    if record is None:
        record = model(organisation_id=course.organisation_id, course=course)
    changed = _changed_fields(record, details)
    if not created and not changed:
        return record
    for name in changed:
        setattr(record, name, getattr(details, name))
    if isinstance(record, RelapsePreventionPlan):  # the one of the three that keeps when it last changed
        record.updated_at = timezone.now()
    record.save()
    _touch(course)
    audit_record(
        actor=actor,
        action=AuditAction.COURSE_RECORD_SAVED,
        obj=record,
        detail={"course": course.pk, "created": created, "fields": changed},
    )
    return record


@transaction.atomic
def termination_review_save(*, actor: Actor, course: Course, details: TerminationReviewDetails) -> TerminationReview:
    """Create or update the course's termination review."""
    course = course_for_change(actor, course)
    _require_termination(course)
    details = dataclasses.replace(
        details,
        **{
            name: getattr(details, name).strip()
            for name in ("progress_summary", "why_better", "skills_gained", "feelings_about_ending", "next_step_detail")
        },
    )
    _validate_review(course, details, MaintenancePlan.objects.filter(course=course).exists())
    return _save_course_record(actor, course, TerminationReview, details)


@transaction.atomic
def goal_status_update(*, actor: Actor, goal: Goal, status: str, status_note: str) -> Goal:
    """Record how far a goal of the contract was reached (reviewed at the midpoint and at the ending, §3.2, §3.3).

    Design note: allowed in any open phase, because the midpoint review goes over the goals too.
    """
    course = course_for_change(actor, goal.course)
    goal = Goal.objects.select_for_update().get(pk=goal.pk, course=course)
    if status not in GoalStatus.values:
        raise ValidationError({"status": ERROR_GOAL_STATUS})
    status_note = status_note.strip()
    changed = [
        name for name, value in (("status", status), ("status_note", status_note)) if getattr(goal, name) != value
    ]
    if not changed:
        return goal
    goal.status = status
    goal.status_note = status_note
    goal.save(update_fields=changed)
    _touch(course)
    audit_record(
        actor=actor, action=AuditAction.COURSE_RECORD_SAVED, obj=goal, detail={"course": course.pk, "fields": changed}
    )
    return goal


# ---------------------------------------------------------------------------------------------------------------
# The relapse-prevention plan (§3.3 "plan for contingencies", §10.1)
# ---------------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RelapsePreventionPlanDetails:
    warning_signs: str
    what_helps: str
    people_to_turn_to: str
    if_symptoms_return: str
    emergency_contacts: str
    agreed_on: dt.date | None


PLAN_REQUIRED = (
    ("warning_signs", ERROR_WARNING_SIGNS),
    ("what_helps", ERROR_WHAT_HELPS),
    ("people_to_turn_to", ERROR_PEOPLE),
    ("if_symptoms_return", ERROR_IF_SYMPTOMS_RETURN),
    ("emergency_contacts", ERROR_EMERGENCY_CONTACTS),
)


@transaction.atomic
def relapse_prevention_plan_save(
    *, actor: Actor, course: Course, details: RelapsePreventionPlanDetails
) -> RelapsePreventionPlan:
    """Create or update the client's plan for staying well; every part of it is required."""
    course = course_for_change(actor, course)
    _require_termination(course)
    details = dataclasses.replace(details, **{name: getattr(details, name).strip() for name, _ in PLAN_REQUIRED})
    errors = {name: message for name, message in PLAN_REQUIRED if not getattr(details, name)}
    _date_errors(errors, "agreed_on", details.agreed_on, course)
    if errors:
        raise ValidationError(errors)
    return _save_course_record(actor, course, RelapsePreventionPlan, details)


# ---------------------------------------------------------------------------------------------------------------
# The maintenance plan (§3.3 [S32], §3.4 [S25])
# ---------------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MaintenancePlanDetails:
    frequency: str
    sessions_planned: int | None
    starts_on: dt.date | None
    notes: str


@transaction.atomic
def maintenance_plan_save(*, actor: Actor, course: Course, details: MaintenancePlanDetails) -> MaintenancePlan:
    """Create or update the plan of continuation or maintenance sessions, once the review chose them.

    The move to the maintenance phase is course_change_phase's, which also needs the renegotiated contract.
    """
    course = course_for_change(actor, course)
    _require_termination(course)
    review = TerminationReview.objects.filter(course=course).first()
    if review is None or review.next_step not in CONTINUING_STEPS:
        raise ValidationError(ERROR_MAINTENANCE_NOT_CHOSEN)
    details = dataclasses.replace(details, notes=details.notes.strip())
    errors: dict[str, str] = {}
    if details.frequency not in MAINTENANCE_FREQUENCIES:
        errors["frequency"] = ERROR_MAINTENANCE_FREQUENCY
    if details.sessions_planned is None or not 1 <= details.sessions_planned <= MAINTENANCE_MAX:
        errors["sessions_planned"] = ERROR_MAINTENANCE_SESSIONS
    if details.starts_on is None:
        errors["starts_on"] = ERROR_MAINTENANCE_START_REQUIRED
    elif details.starts_on < course.opened_on:
        # A start in the future is the usual case: it is a plan, within the year (9999-12-31 was taken).
        errors["starts_on"] = _before_course(course)
    elif message := planned_date_error(details.starts_on, today=timezone.localdate(), opened_on=course.opened_on):
        errors["starts_on"] = message
    if errors:
        raise ValidationError(errors)
    return _save_course_record(actor, course, MaintenancePlan, details)


@transaction.atomic
def maintenance_plan_delete(*, actor: Actor, course: Course) -> None:
    """Remove the maintenance plan when further sessions are no longer planned (before the maintenance phase)."""
    course = course_for_change(actor, course)
    if course.phase == Phase.MAINTENANCE:
        raise ValidationError(ERROR_MAINTENANCE_RUNNING)
    plan = MaintenancePlan.objects.filter(course=course).first()
    if plan is None:
        raise ValidationError(ERROR_NO_MAINTENANCE_PLAN)
    # Audited before the delete, while the plan still has the id the event names.
    audit_record(actor=actor, action=AuditAction.COURSE_RECORD_DELETED, obj=plan, detail={"course": course.pk})
    plan.delete()
    _touch(course)
