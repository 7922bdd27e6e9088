"""The termination phase of a course: the termination review, the goals' status, the relapse-prevention plan and the
maintenance plan. The course selectors find the records (a colleague's or another organisation's is a 404); the
services of iptriad.courses.services.termination decide, audited, as the ending pages do. Moving to the maintenance
phase and closing are POST /courses/{id}/phase and /close."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_WRITE, NO_CONTENT
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.courses import MaintenancePlanOut, RelapsePreventionPlanOut, TerminationReviewOut
from iptriad.api.schemas.middle import GoalItemOut
from iptriad.api.schemas.termination import (
    GoalStatusIn,
    MaintenancePlanIn,
    RelapsePreventionPlanIn,
    TerminationReviewIn,
)
from iptriad.core.details import details_from
from iptriad.courses.models import Goal, MaintenancePlan, RelapsePreventionPlan, TerminationReview
from iptriad.courses.selectors.course import course_get
from iptriad.courses.selectors.termination import goal_get
from iptriad.courses.services.termination import (
    MaintenancePlanDetails,
    RelapsePreventionPlanDetails,
    TerminationReviewDetails,
    goal_status_update,
    maintenance_plan_delete,
    maintenance_plan_save,
    relapse_prevention_plan_save,
    termination_review_save,
)

router = Router(tags=["course: ending"], by_alias=True)  # foreign keys as "<name>_id"


@router.put(
    "/courses/{int:course_id}/termination-review",
    response={200: TerminationReviewOut, **ERRORS_WRITE},
    summary="Record the termination review",
)
def termination_review_save_api(request: HttpRequest, course_id: Id, payload: TerminationReviewIn) -> TerminationReview:
    """Progress, why the client feels better, skills gained, feelings about ending and the next step (the whole
    record: what is left out is saved empty). Written in the termination phase, in continuation or maintenance,
    or in the middle phase once the contract has at most a few sessions left after the next one."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    details = details_from(TerminationReviewDetails, payload.model_dump())
    return termination_review_save(actor=actor, course=course, details=details)


@router.patch(
    "/goals/{int:goal_id}/status",
    response={200: GoalItemOut, **ERRORS_WRITE},
    summary="Record how far a goal was reached",
)
def goal_status_api(request: HttpRequest, goal_id: Id, payload: GoalStatusIn) -> Goal:
    """The goal's status with a note, as the termination review page records it; in any open phase (the midpoint
    review goes over the goals too)."""
    actor = actor_of(request)
    return goal_status_update(actor=actor, goal=goal_get(actor=actor, goal_id=goal_id), **payload.model_dump())


@router.put(
    "/courses/{int:course_id}/relapse-prevention-plan",
    response={200: RelapsePreventionPlanOut, **ERRORS_WRITE},
    summary="Record the relapse-prevention plan",
)
def relapse_prevention_plan_save_api(
    request: HttpRequest, course_id: Id, payload: RelapsePreventionPlanIn
) -> RelapsePreventionPlan:
    """The client's plan for keeping well; every part is required. Written when the termination review can be."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    details = details_from(RelapsePreventionPlanDetails, payload.model_dump())
    return relapse_prevention_plan_save(actor=actor, course=course, details=details)


@router.put(
    "/courses/{int:course_id}/maintenance-plan",
    response={200: MaintenancePlanOut, **ERRORS_WRITE},
    summary="Record the maintenance plan",
)
def maintenance_plan_save_api(request: HttpRequest, course_id: Id, payload: MaintenancePlanIn) -> MaintenancePlan:
    """Continuation or maintenance sessions (weekly, fortnightly or monthly; 1 to 36), once the termination review
    chose them as the next step. The phase itself starts with POST /courses/{id}/phase."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    details = details_from(MaintenancePlanDetails, payload.model_dump())
    return maintenance_plan_save(actor=actor, course=course, details=details)


@router.delete(
    "/courses/{int:course_id}/maintenance-plan",
    response={**NO_CONTENT, **ERRORS_WRITE},
    summary="Remove the maintenance plan",
)
def maintenance_plan_delete_api(request: HttpRequest, course_id: Id) -> Status[None]:
    """When further sessions are no longer planned; not once the maintenance phase has started."""
    actor = actor_of(request)
    maintenance_plan_delete(actor=actor, course=course_get(actor=actor, course_id=course_id))
    return Status(204, None)
