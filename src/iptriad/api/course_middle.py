"""The middle phase's focus of a course: problem areas and their goals, the formulation (with the draft composed
from the records) and the treatment contract. The course selectors find the records (a colleague's or another
organisation's is a 404); the services of iptriad.courses.services.middle and the protocol's rules decide, audited,
as on the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE, NO_CONTENT
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id, WithExtras
from iptriad.api.schemas.middle import (
    ContractIn,
    ContractSavedOut,
    FormulationDraftOut,
    FormulationIn,
    FormulationSavedOut,
    GoalIn,
    GoalItemOut,
    GoalPatch,
    ProblemAreaEndIn,
    ProblemAreaIn,
    ProblemAreaItemOut,
    ProblemAreaPatch,
)
from iptriad.core.details import details_from
from iptriad.core.protocol.formulation import formulation_draft
from iptriad.courses.models import Goal, ProblemAreaChoice
from iptriad.courses.selectors.course import course_get, course_get_for_view
from iptriad.courses.selectors.middle import (
    contract_cautions,
    formulation_facts,
    formulation_missing,
    formulation_of_course,
    goal_get,
    goal_get_for_view,
    problem_area_get,
    problem_area_get_for_view,
)
from iptriad.courses.services.middle import (
    ContractTerms,
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

router = Router(tags=["course: focus"], by_alias=True)  # foreign keys as "<name>_id"


# --- Problem areas --------------------------------------------------------------------------------------------


@router.post(
    "/courses/{int:course_id}/problem-areas",
    response={201: ProblemAreaItemOut, **ERRORS_WRITE},
    summary="Choose a problem area",
)
@idempotent
def problem_area_choose_api(request: HttpRequest, course_id: Id, payload: ProblemAreaIn) -> Status[ProblemAreaChoice]:
    """With the evidence for it: at most two active, each once, interpersonal deficits only alone (confirmed), a
    stage for role disputes only. After the middle phase started, a new area is part of a renegotiated focus."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    return Status(201, problem_area_choose(actor=actor, course=course, **payload.model_dump()))


@router.get(
    "/problem-areas/{int:problem_area_id}",
    response={200: ProblemAreaItemOut, **ERRORS_READ},
    summary="Read a problem area",
)
def problem_area_get_api(request: HttpRequest, problem_area_id: Id) -> ProblemAreaChoice:
    return problem_area_get_for_view(actor=actor_of(request), problem_area_id=problem_area_id)


@router.patch(
    "/problem-areas/{int:problem_area_id}",
    response={200: ProblemAreaItemOut, **ERRORS_WRITE},
    summary="Change a problem area's evidence or stage",
)
def problem_area_update_api(request: HttpRequest, problem_area_id: Id, payload: ProblemAreaPatch) -> ProblemAreaChoice:
    """Only the fields sent change; an ended problem area cannot be changed (choose it again instead)."""
    actor = actor_of(request)
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id)
    values = {"evidence": choice.evidence, "dispute_stage": choice.dispute_stage}
    values.update(payload.model_dump(exclude_unset=True))
    return problem_area_update(actor=actor, choice=choice, **values)


@router.post(
    "/problem-areas/{int:problem_area_id}/end",
    response={200: ProblemAreaItemOut, **ERRORS_WRITE},
    summary="End a problem area with a note",
)
def problem_area_end_api(request: HttpRequest, problem_area_id: Id, payload: ProblemAreaEndIn) -> ProblemAreaChoice:
    """From the middle phase on the focus was agreed: a change of focus ends the area with a dated note, kept on
    record. Before the middle phase, remove it instead."""
    actor = actor_of(request)
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id)
    return problem_area_end(actor=actor, choice=choice, **payload.model_dump())


@router.delete(
    "/problem-areas/{int:problem_area_id}",
    response={**NO_CONTENT, **ERRORS_WRITE},
    summary="Remove a problem area",
)
def problem_area_remove_api(request: HttpRequest, problem_area_id: Id) -> Status[None]:
    """With its goals, while the focus is still being chosen (before the middle phase); afterwards, end it."""
    actor = actor_of(request)
    problem_area_remove(actor=actor, choice=problem_area_get(actor=actor, problem_area_id=problem_area_id))
    return Status(204, None)


# --- Goals ----------------------------------------------------------------------------------------------------


@router.post(
    "/problem-areas/{int:problem_area_id}/goals",
    response={201: GoalItemOut, **ERRORS_WRITE},
    summary="Add a goal to a problem area",
)
@idempotent
def goal_add_api(request: HttpRequest, problem_area_id: Id, payload: GoalIn) -> Status[Goal]:
    """A goal of the contract, for an active problem area."""
    actor = actor_of(request)
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id)
    return Status(201, goal_add(actor=actor, problem_area=choice, **payload.model_dump()))


@router.get("/goals/{int:goal_id}", response={200: GoalItemOut, **ERRORS_READ}, summary="Read a goal")
def goal_get_api(request: HttpRequest, goal_id: Id) -> Goal:
    return goal_get_for_view(actor=actor_of(request), goal_id=goal_id)


@router.patch("/goals/{int:goal_id}", response={200: GoalItemOut, **ERRORS_WRITE}, summary="Change a goal")
def goal_update_api(request: HttpRequest, goal_id: Id, payload: GoalPatch) -> Goal:
    """Only the fields sent change: the wording, the status or its note (a goal of an ended problem area can
    still take its final status)."""
    actor = actor_of(request)
    goal = goal_get(actor=actor, goal_id=goal_id)
    values = {"text": goal.text, "status": goal.status, "status_note": goal.status_note}
    values.update(payload.model_dump(exclude_unset=True))
    return goal_update(actor=actor, goal=goal, **values)


@router.delete("/goals/{int:goal_id}", response={**NO_CONTENT, **ERRORS_WRITE}, summary="Remove a goal")
def goal_remove_api(request: HttpRequest, goal_id: Id) -> Status[None]:
    """Before the middle phase only; afterwards, give the goal a status with a note instead."""
    actor = actor_of(request)
    goal_remove(actor=actor, goal=goal_get(actor=actor, goal_id=goal_id))
    return Status(204, None)


# --- The formulation ------------------------------------------------------------------------------------------


@router.get(
    "/courses/{int:course_id}/formulation/draft",
    response={200: FormulationDraftOut, **ERRORS_READ},
    summary="Compose a draft of the formulation",
)
def formulation_draft_api(request: HttpRequest, course_id: Id) -> dict[str, Any]:
    """The formulation page's draft, composed from the records: the illness, what happened around its onset, the
    problem areas with their evidence and people, the contract and what to expect. Nothing is saved."""
    course = course_get_for_view(actor=actor_of(request), course_id=course_id)
    facts = formulation_facts(course=course)
    return {"draft": formulation_draft(facts), "missing": formulation_missing(facts)}


@router.put(
    "/courses/{int:course_id}/formulation",
    response={200: FormulationSavedOut, **ERRORS_WRITE},
    summary="Record the formulation",
)
def formulation_save_api(request: HttpRequest, course_id: Id, payload: FormulationIn) -> WithExtras:
    """The text, and when it was shared with the client and agreed (agreed on or after shared)."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    previous = formulation_of_course(course=course)
    needs_new_agreement = formulation_needs_new_agreement(previous, text=payload.text, agreed_on=payload.agreed_on)
    formulation = formulation_save(actor=actor, course=course, **payload.model_dump())
    return WithExtras(formulation, needs_new_agreement=needs_new_agreement)


# --- The treatment contract -----------------------------------------------------------------------------------


@router.put(
    "/courses/{int:course_id}/contract",
    response={200: ContractSavedOut, **ERRORS_WRITE},
    summary="Record or renegotiate the contract",
)
def contract_save_api(request: HttpRequest, course_id: Id, payload: ContractIn) -> WithExtras:
    """The terms, within the adaptation's bounds. Once the client agreed the contract, a change is a renegotiation:
    it needs `renegotiation_note` and an agreement date, and marks the contract renegotiated."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    terms = details_from(ContractTerms, payload.model_dump())
    contract = contract_save(actor=actor, course=course, terms=terms, renegotiation_note=payload.renegotiation_note)
    return WithExtras(contract, cautions=contract_cautions(course=course, contract=contract))
