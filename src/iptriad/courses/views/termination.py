"""Pages for the termination phase of a course: the termination review (with the goals and the symptom change), the
relapse-prevention plan and its printable copy for the client, and the maintenance plan."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view
from iptriad.core.protocol import Phase, check_start_maintenance, protocol
from iptriad.courses.forms.termination import (
    GoalStatusForm,
    MaintenancePlanForm,
    RelapsePreventionPlanForm,
    TerminationReviewForm,
)
from iptriad.courses.models import Goal
from iptriad.courses.models.middle import Frequency
from iptriad.courses.selectors.termination import (
    TerminationRecords,
    goal_get,
    goals_of_course,
    people_to_turn_to_hints,
    symptom_change,
    termination_records,
    termination_records_for_view,
)
from iptriad.courses.services.termination import (
    CONTINUING_STEPS,
    ERROR_MAINTENANCE_NOT_CHOSEN,
    ERROR_TOO_EARLY,
    ending_window_open,
    goal_status_update,
    maintenance_plan_delete,
    maintenance_plan_save,
    relapse_prevention_plan_save,
    termination_review_save,
)
from iptriad.courses.snapshot import course_snapshot
from iptriad.web.pages import errors_as_messages, errors_on, render_form_page


def _section_url(course_id: int) -> str:
    return reverse("course-detail", args=[course_id]) + "#section-termination"


def _goal_form(goal: Goal, data: Any = None) -> GoalStatusForm:
    # One form per goal on one page: the ids carry the goal's id, the field names stay plain for the POST.
    return GoalStatusForm(
        data,
        initial={"status": goal.status, "status_note": goal.status_note},
        auto_id=f"id_goal{goal.pk}_%s",
    )


def _review_initial(records: TerminationRecords) -> dict[str, Any]:
    review = records.review
    if review is None:
        return {}
    return {
        name: getattr(review, name)
        for name in (
            "progress_summary",
            "why_better",
            "skills_gained",
            "feelings_about_ending",
            "next_step",
            "next_step_detail",
            "reviewed_on",
        )
    }


def _render_review(
    request: HttpRequest,
    actor: Actor,
    records: TerminationRecords,
    form: TerminationReviewForm,
    *,
    bound_goal: tuple[int, GoalStatusForm] | None = None,
) -> HttpResponse:
    course = records.course
    goals = goals_of_course(actor=actor, course=course)
    goal_forms = [
        (goal, bound_goal[1] if bound_goal is not None and bound_goal[0] == goal.pk else _goal_form(goal))
        for goal in goals
    ]
    context = {
        "course": course,
        "review": records.review,
        "form": form,
        "editable": course.is_open and ending_window_open(course_snapshot(course)),
        "too_early": ERROR_TOO_EARLY,
        "goal_forms": goal_forms,
        "goals_editable": course.is_open,
        "symptoms": symptom_change(actor=actor, course=course),
    }
    return render_form_page(request, "courses/termination/review.html", context)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def termination_review_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    if request.method == "POST":
        records = termination_records(actor=actor, course_id=course_id)
    else:
        records = termination_records_for_view(actor=actor, course_id=course_id, page="ending.review")
    form = TerminationReviewForm(request.POST or None, initial=_review_initial(records))
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            termination_review_save(actor=actor, course=records.course, details=form.to_details())
            messages.success(request, "The termination review is saved.")
            return redirect(_section_url(course_id))
    return _render_review(request, actor, records, form)


@member_view
@require_POST
def termination_goal_action(request: HttpRequest, actor: Actor, goal_id: int) -> HttpResponse:
    goal = goal_get(actor=actor, goal_id=goal_id)
    form = _goal_form(goal, request.POST)
    if form.is_valid():
        with errors_on(form):
            goal_status_update(actor=actor, goal=goal, **form.cleaned_data)
            messages.success(request, "The goal's status is saved.")
            return redirect(reverse("course-termination-review", args=[goal.course_id]) + f"#goal-{goal.pk}")
    records = termination_records(actor=actor, course_id=goal.course_id)
    review_form = TerminationReviewForm(initial=_review_initial(records))
    return _render_review(request, actor, records, review_form, bound_goal=(goal.pk, form))


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def termination_plan_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    if request.method == "POST":
        records = termination_records(actor=actor, course_id=course_id)
    else:
        records = termination_records_for_view(actor=actor, course_id=course_id, page="ending.plan")
    course, plan = records.course, records.plan
    if plan is not None:
        initial: dict[str, Any] = {
            name: getattr(plan, name)
            for name in (
                "warning_signs",
                "what_helps",
                "people_to_turn_to",
                "if_symptoms_return",
                "emergency_contacts",
                "agreed_on",
            )
        }
    else:
        initial = {"emergency_contacts": course.organisation.crisis_contacts}
    form = RelapsePreventionPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            relapse_prevention_plan_save(actor=actor, course=course, details=form.to_details())
            messages.success(request, "The relapse-prevention plan is saved.")
            return redirect(_section_url(course_id))
    context = {
        "course": course,
        "plan": plan,
        "form": form,
        "editable": course.is_open and ending_window_open(course_snapshot(course)),
        "too_early": ERROR_TOO_EARLY,
        "people": people_to_turn_to_hints(actor=actor, course=course),
    }
    return render_form_page(request, "courses/termination/plan.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def termination_plan_print_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    records = termination_records_for_view(actor=actor, course_id=course_id, page="ending.plan_print")
    condition = protocol().adaptation(records.course.adaptation).condition
    context = {"course": records.course, "plan": records.plan, "condition": condition}
    return render(request, "courses/termination/plan_print.html", context)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def termination_maintenance_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    if request.method == "POST":
        records = termination_records(actor=actor, course_id=course_id)
    else:
        records = termination_records_for_view(actor=actor, course_id=course_id, page="ending.maintenance")
    course, maintenance = records.course, records.maintenance
    if maintenance is not None:
        initial: dict[str, Any] = {
            "frequency": maintenance.frequency,
            "sessions_planned": maintenance.sessions_planned,
            "starts_on": maintenance.starts_on,
            "notes": maintenance.notes,
        }
    else:
        # §3.4 [S25c]: monthly maintenance is enough for many who remitted with IPT alone.
        initial = {"frequency": Frequency.MONTHLY}
    form = MaintenancePlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            maintenance_plan_save(actor=actor, course=course, details=form.to_details())
            messages.success(request, "The maintenance plan is saved.")
            return redirect(_section_url(course_id))
    snapshot = course_snapshot(course)
    chosen = records.review is not None and records.review.next_step in CONTINUING_STEPS
    context = {
        "course": course,
        "review": records.review,
        "maintenance": maintenance,
        "form": form,
        "window_open": course.is_open and ending_window_open(snapshot),
        "chosen": chosen,
        "too_early": ERROR_TOO_EARLY,
        "not_chosen": ERROR_MAINTENANCE_NOT_CHOSEN,
        "may_delete": course.is_open and maintenance is not None and course.phase != Phase.MAINTENANCE,
        "maintenance_refusals": check_start_maintenance(snapshot) if course.phase == Phase.TERMINATION else (),
        "contract": snapshot.contract,
        "sessions_held": snapshot.sessions_held,
    }
    return render_form_page(request, "courses/termination/maintenance.html", context)


@member_view
@require_POST
def termination_maintenance_delete_action(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    records = termination_records(actor=actor, course_id=course_id)
    with errors_as_messages(request):
        maintenance_plan_delete(actor=actor, course=records.course)
        messages.success(request, "The maintenance plan is removed.")
    return redirect(_section_url(course_id))


urlpatterns = [
    path("courses/<int:course_id>/ending/review/", termination_review_page, name="course-termination-review"),
    path("courses/goals/<int:goal_id>/ending-status/", termination_goal_action, name="course-termination-goal"),
    path("courses/<int:course_id>/ending/plan/", termination_plan_page, name="course-termination-plan"),
    path(
        "courses/<int:course_id>/ending/plan/print/", termination_plan_print_page, name="course-termination-plan-print"
    ),
    path(
        "courses/<int:course_id>/ending/maintenance/",
        termination_maintenance_page,
        name="course-termination-maintenance",
    ),
    path(
        "courses/<int:course_id>/ending/maintenance/delete/",
        termination_maintenance_delete_action,
        name="course-termination-maintenance-delete",
    ),
]
