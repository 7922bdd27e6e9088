"""Pages for the middle phase's focus of a course: problem areas and goals, the formulation, the contract and
their printables."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import member_view
from iptriad.core.protocol import Phase, ProblemAreaCode, protocol
from iptriad.core.protocol.formulation import formulation_draft, plain_date
from iptriad.core.protocol.rules import CONTRACT_MAX
from iptriad.courses.forms.middle import (
    ContractForm,
    FormulationForm,
    GoalAddForm,
    GoalForm,
    ProblemAreaChooseForm,
    ProblemAreaEditForm,
    ProblemAreaEndForm,
)
from iptriad.courses.models import Course, ProblemAreaChoice
from iptriad.courses.selectors.course import course_get, course_get_for_view
from iptriad.courses.selectors.middle import (
    FORMULATION_JOINED,
    FREQUENCY_PHRASES,
    contract_cautions,
    contract_defaults,
    contract_of_course,
    contract_planned_end,
    focus_areas,
    formulation_facts,
    formulation_missing,
    formulation_of_course,
    goal_get,
    goal_get_for_view,
    goal_suggestions,
    problem_area_get,
    problem_area_get_for_view,
    problem_area_guidance,
)
from iptriad.courses.services.middle import (
    contract_save,
    formulation_needs_new_agreement,
    formulation_save,
    goal_add,
    goal_remove,
    goal_update,
    problem_area_choose,
    problem_area_end,
    problem_area_remove,
    problem_area_update,
)
from iptriad.web.pages import errors_as_messages, errors_on, render_form_page

GET_OR_POST = ["GET", "HEAD", "POST"]


def _section(course: Course) -> str:
    return reverse("course-detail", args=[course.pk]) + "#section-middle"


# Problem areas ------------------------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_OR_POST)
def problem_areas_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    """The chosen problem areas, and the form to choose one with the protocol's definitions beside it."""
    if request.method == "POST":
        course = course_get(actor=actor, course_id=course_id)
    else:
        course = course_get_for_view(actor=actor, course_id=course_id)
    form = ProblemAreaChooseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            choice = problem_area_choose(actor=actor, course=course, **form.cleaned_data)
            messages.success(request, f"{choice.get_area_display()} is chosen. Add its goals.")
            return redirect("course-middle-area", problem_area_id=choice.pk)
    context = {
        "course": course,
        "form": form,
        "areas": focus_areas(course=course),
        "guidance": problem_area_guidance(),
        "may_edit": course.is_open,
        "middle_started": course.phase != Phase.INITIAL,
    }
    return render_form_page(request, "courses/middle/problem_areas.html", context)


def _area_page(
    request: HttpRequest,
    choice: ProblemAreaChoice,
    *,
    edit_form: ProblemAreaEditForm | None = None,
    goal_form: GoalAddForm | None = None,
    end_form: ProblemAreaEndForm | None = None,
) -> HttpResponse:
    course = choice.course
    areas = focus_areas(course=course)
    area = next(area for area in (*areas.active, *areas.ended) if area.choice.pk == choice.pk)
    may_edit = course.is_open and choice.active
    middle_started = course.phase != Phase.INITIAL
    initial = {"evidence": choice.evidence, "dispute_stage": choice.dispute_stage}
    context: dict[str, Any] = {
        "course": course,
        "area": area,
        "is_dispute": choice.area == ProblemAreaCode.ROLE_DISPUTE,
        "cautions": areas.cautions,
        "may_edit": may_edit,
        "may_edit_goals": course.is_open,
        "middle_started": middle_started,
        "edit_form": edit_form or ProblemAreaEditForm(initial=initial),
        "goal_form": goal_form or GoalAddForm(),
        "end_form": end_form or ProblemAreaEndForm(),
        "suggestions": goal_suggestions(choice, area.goals) if may_edit else [],
    }
    return render_form_page(request, "courses/middle/problem_area.html", context)


@member_view
@require_http_methods(GET_OR_POST)
def problem_area_page(request: HttpRequest, actor: Actor, problem_area_id: int) -> HttpResponse:
    """One problem area: its evidence and stage, its goals with the protocol's as suggestions, ending or removing."""
    if request.method != "POST":
        return _area_page(request, problem_area_get_for_view(actor=actor, problem_area_id=problem_area_id))
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id)
    form = ProblemAreaEditForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            problem_area_update(actor=actor, choice=choice, **form.cleaned_data)
            messages.success(request, "Changes saved.")
            return redirect("course-middle-area", problem_area_id=choice.pk)
    return _area_page(request, choice, edit_form=form)


@member_view
@require_POST
def problem_area_end_action(request: HttpRequest, actor: Actor, problem_area_id: int) -> HttpResponse:
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id)
    form = ProblemAreaEndForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            problem_area_end(actor=actor, choice=choice, **form.cleaned_data)
            messages.success(request, f"{choice.get_area_display()} has ended; the change of focus is on record.")
            return redirect("course-middle-areas", course_id=choice.course_id)
    return _area_page(request, choice, end_form=form)


@member_view
@require_POST
def problem_area_remove_action(request: HttpRequest, actor: Actor, problem_area_id: int) -> HttpResponse:
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id)
    name = choice.get_area_display()
    with errors_as_messages(request):
        problem_area_remove(actor=actor, choice=choice)
        messages.success(request, f"{name} was removed.")
        return redirect("course-middle-areas", course_id=choice.course_id)
    return redirect("course-middle-area", problem_area_id=choice.pk)


# Goals --------------------------------------------------------------------------------------------------------


@member_view
@require_POST
def goal_add_action(request: HttpRequest, actor: Actor, problem_area_id: int) -> HttpResponse:
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id)
    form = GoalAddForm(request.POST)
    with submitted_once(request, actor) as once:  # sent twice, added once (issue 16, item 1)
        if once.replay is not None:
            return once.replay
        if form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                goal_add(actor=actor, problem_area=choice, text=form.cleaned_data["text"])
                messages.success(request, "The goal was added.")
                return once.done(redirect(reverse("course-middle-area", args=[choice.pk]) + "#goals"))
    return _area_page(request, choice, goal_form=form)


@member_view
@require_http_methods(GET_OR_POST)
def goal_page(request: HttpRequest, actor: Actor, goal_id: int) -> HttpResponse:
    """Edit a goal, or record its status with a note."""
    if request.method == "POST":
        goal = goal_get(actor=actor, goal_id=goal_id)
    else:
        goal = goal_get_for_view(actor=actor, goal_id=goal_id)
    initial = {"text": goal.text, "status": goal.status, "status_note": goal.status_note}
    form = GoalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            goal_update(actor=actor, goal=goal, **form.cleaned_data)
            messages.success(request, "The goal was saved.")
            return redirect(reverse("course-middle-area", args=[goal.problem_area_id]) + "#goals")
    context = {
        "course": goal.course,
        "goal": goal,
        "form": form,
        "may_edit": goal.course.is_open,
        "may_remove": goal.course.is_open and goal.course.phase == Phase.INITIAL,
    }
    return render_form_page(request, "courses/middle/goal.html", context)


@member_view
@require_POST
def goal_remove_action(request: HttpRequest, actor: Actor, goal_id: int) -> HttpResponse:
    goal = goal_get(actor=actor, goal_id=goal_id)
    with errors_as_messages(request):
        goal_remove(actor=actor, goal=goal)
        messages.success(request, "The goal was removed.")
        return redirect(reverse("course-middle-area", args=[goal.problem_area_id]) + "#goals")
    return redirect("course-middle-goal", goal_id=goal.pk)


# The formulation ----------------------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_OR_POST)
def formulation_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    """Write the formulation from a draft composed of the records, and record when it was shared and agreed."""
    if request.method == "POST":
        course = course_get(actor=actor, course_id=course_id)
    else:
        course = course_get_for_view(actor=actor, course_id=course_id, joined=FORMULATION_JOINED)
    formulation = formulation_of_course(course=course)
    facts = formulation_facts(course=course)
    draft = formulation_draft(facts)
    initial: dict[str, Any]
    if formulation is None:
        initial = {"text": draft}
    else:
        initial = {"text": formulation.text, "shared_on": formulation.shared_on, "agreed_on": formulation.agreed_on}
    form = FormulationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ask_again = formulation_needs_new_agreement(formulation, text=data["text"], agreed_on=data["agreed_on"])
        with errors_on(form):
            formulation_save(actor=actor, course=course, **data)
            messages.success(request, "The formulation was saved.")
            if ask_again and formulation is not None and formulation.agreed_on is not None:
                messages.warning(
                    request,
                    f"You changed the words after the client agreed on {plain_date(formulation.agreed_on)}: go over "
                    "the formulation with the client again and record the date they agree.",
                )
            return redirect(_section(course))
    context = {
        "course": course,
        "formulation": formulation,
        "form": form,
        "draft": draft,
        "draft_differs": formulation is not None and draft and draft != formulation.text,
        "missing": formulation_missing(facts),
        "may_edit": course.is_open,
    }
    return render_form_page(request, "courses/middle/formulation.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def formulation_print_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get_for_view(actor=actor, course_id=course_id, joined=("formulation",))
    formulation = formulation_of_course(course=course)
    context = {
        "course": course,
        "formulation": formulation,
    }
    return render(request, "courses/middle/formulation_print.html", context)


# The treatment contract ---------------------------------------------------------------------------------------


def _contract_initial(course: Course) -> tuple[dict[str, Any], bool]:
    """The form's starting values, and whether a save is a renegotiation (the client agreed the contract)."""
    contract = contract_of_course(course=course)
    if contract is None:
        defaults = contract_defaults(course=course)
        return {
            "sessions_planned": defaults.sessions_planned,
            "frequency": defaults.frequency,
            "session_minutes": defaults.session_minutes,
            "starts_on": defaults.starts_on,
        }, False
    computed = contract_planned_end(contract.starts_on, contract.sessions_planned, contract.frequency)
    initial = {
        name: getattr(contract, name)
        for name in ContractForm.base_fields
        if name not in ("renegotiation_note", "planned_end_on")
    }
    # A planned end that was worked out stays empty, so it follows a change of sessions or frequency.
    initial["planned_end_on"] = None if contract.planned_end_on == computed else contract.planned_end_on
    return initial, contract.agreed_on is not None


@member_view
@require_http_methods(GET_OR_POST)
def contract_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    """The treatment contract: agreed once, then changed only by an explicit renegotiation."""
    if request.method == "POST":
        course = course_get(actor=actor, course_id=course_id)
    else:
        course = course_get_for_view(actor=actor, course_id=course_id, joined=("contract",))
    initial, renegotiating = _contract_initial(course)
    form = ContractForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            contract = contract_save(
                actor=actor,
                course=course,
                terms=form.to_terms(),
                renegotiation_note=form.cleaned_data["renegotiation_note"],
            )
            messages.success(request, "The contract was renegotiated." if renegotiating else "The contract was saved.")
            for caution in contract_cautions(course=course, contract=contract):
                messages.warning(request, caution.message)
            return redirect(_section(course))
    current = contract_of_course(course=course)
    adaptation = protocol().adaptation(course.adaptation)
    context = {
        "course": course,
        "contract": current,
        "form": form,
        "renegotiating": renegotiating,
        "adaptation": adaptation,
        "first_min": adaptation.contract_min,
        "first_max": CONTRACT_MAX,
        "cautions": contract_cautions(course=course, contract=current),
        "may_edit": course.is_open,
    }
    return render_form_page(request, "courses/middle/contract.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def contract_print_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get_for_view(actor=actor, course_id=course_id, joined=("contract",))
    contract = contract_of_course(course=course)
    context = {
        "course": course,
        "contract": contract,
        "frequency_phrase": FREQUENCY_PHRASES.get(contract.frequency, "") if contract else "",
        "areas": focus_areas(course=course).active,
    }
    return render(request, "courses/middle/contract_print.html", context)


urlpatterns = [
    path("courses/<int:course_id>/focus/problem-areas/", problem_areas_page, name="course-middle-areas"),
    path("courses/focus/problem-areas/<int:problem_area_id>/", problem_area_page, name="course-middle-area"),
    path(
        "courses/focus/problem-areas/<int:problem_area_id>/end/",
        problem_area_end_action,
        name="course-middle-area-end",
    ),
    path(
        "courses/focus/problem-areas/<int:problem_area_id>/remove/",
        problem_area_remove_action,
        name="course-middle-area-remove",
    ),
    path("courses/focus/problem-areas/<int:problem_area_id>/goals/", goal_add_action, name="course-middle-goal-add"),
    path("courses/focus/goals/<int:goal_id>/", goal_page, name="course-middle-goal"),
    path("courses/focus/goals/<int:goal_id>/remove/", goal_remove_action, name="course-middle-goal-remove"),
    path("courses/<int:course_id>/focus/formulation/", formulation_page, name="course-middle-formulation"),
    path(
        "courses/<int:course_id>/focus/formulation/print/",
        formulation_print_page,
        name="course-middle-formulation-print",
    ),
    path("courses/<int:course_id>/focus/contract/", contract_page, name="course-middle-contract"),
    path("courses/<int:course_id>/focus/contract/print/", contract_print_page, name="course-middle-contract-print"),
]
