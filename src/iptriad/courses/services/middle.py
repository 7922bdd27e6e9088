"""Changes to the middle phase's focus of a course: problem areas and their goals, the formulation and the
treatment contract that frame it.

One audited function per action, in a transaction. The protocol's rules decide what is allowed
(iptriad.core.protocol.check_problem_areas and check_contract); these functions add what the records need:
dates that make sense, text that is written, and the history of a renegotiated focus or contract.

- Before the middle phase the focus is still being chosen: a problem area or a goal may be removed.
- From the middle phase on, the focus was agreed with the client, so a change is a renegotiation (§3.1 item 9
  [S2], §3.2 Design note): a problem area is ended with a dated note, never deleted; a goal keeps its record and
  takes a status instead.
- Once the client agreed the contract, any change to it is a renegotiation: it needs a note, which is kept dated
  after the earlier ones, and the contract is marked renegotiated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.dates import done_date_error, plan_end_error
from iptriad.core.protocol import DisputeStage, Phase, ProblemAreaCode, check_contract, check_problem_areas
from iptriad.core.protocol.rules import DUPLICATE_PROBLEM_AREA
from iptriad.courses.models import Course, Formulation, Goal, ProblemAreaChoice, TreatmentContract
from iptriad.courses.models.middle import Frequency, GoalStatus
from iptriad.courses.selectors.middle import contract_planned_end
from iptriad.courses.services.course import course_for_change
from iptriad.courses.snapshot import course_snapshot

# Numbers past this are refused at the edges (forms, API) before the rules run; the services give the rule
# (check_contract, the session length bounds).
LARGEST_NUMBER = 1000

# Problem areas
ERROR_UNKNOWN_AREA = "Choose a problem area from the list."
ERROR_NO_EVIDENCE = (
    "Write the evidence for this problem area: the events, people or changes that link it to the illness."
)
ERROR_UNKNOWN_STAGE = "Choose the stage of the dispute from the list."
ERROR_STAGE_NOT_DISPUTE = "Only a role dispute has a stage: leave the stage empty."
ERROR_DEFICITS_NOT_CONFIRMED = (
    "Tick the box to confirm that no other problem area applies before choosing interpersonal deficits."
)
ERROR_AREA_ENDED = "This problem area has ended: choose it again to return to it."
ERROR_END_BEFORE_MIDDLE = (
    "The focus is agreed only when the middle phase starts: until then, remove the problem area instead of ending it."
)
ERROR_REMOVE_AFTER_MIDDLE = (
    "The middle phase has started: end the problem area with a note instead, so the change of focus stays on record."
)
ERROR_NO_END_NOTE = "Write why the focus changed."
ERROR_ENDED_BEFORE_CHOSEN = "The end date cannot be before the date the problem area was chosen."

# Goals
ERROR_NO_GOAL_TEXT = "Write the goal."
ERROR_UNKNOWN_STATUS = "Choose the goal's status from the list."
ERROR_GOAL_AREA_ENDED = "This problem area has ended: add goals to an active problem area."
ERROR_GOAL_REMOVE_AFTER_MIDDLE = (
    "The middle phase has started: give the goal a status (for example, not achieved) with a note instead of "
    "removing it."
)

# The formulation
ERROR_NO_FORMULATION_TEXT = "Write the formulation."
ERROR_AGREED_NOT_SHARED = (
    "Give the date the formulation was shared with the client as well: it is agreed after it is shared."
)
ERROR_AGREED_BEFORE_SHARED = "The client cannot agree before the formulation was shared with them: check both dates."

# The contract
SESSION_MINUTES_MIN = 10
SESSION_MINUTES_MAX = 180
ERROR_UNKNOWN_FREQUENCY = "Choose how often the sessions take place from the list."
ERROR_SESSION_MINUTES = f"Give a session length from {SESSION_MINUTES_MIN} to {SESSION_MINUTES_MAX} minutes."
ERROR_END_BEFORE_START = "The planned end cannot be before the start date."
ERROR_NO_RENEGOTIATION_NOTE = (
    "The client agreed this contract: write what was renegotiated with them, and why, before changing it."
)
ERROR_RENEGOTIATED_NOT_AGREED = "Give the date the client agreed the renegotiated contract."

# Dates
ERROR_DATE_IN_FUTURE = "The date cannot be in the future."
ERROR_DATE_BEFORE_COURSE = "The date cannot be before the course opened."


def _after_middle_started(course: Course) -> bool:
    return course.phase != Phase.INITIAL


def _check_date(errors: dict[str, str], field: str, day: dt.date | None, course: Course) -> None:
    if day is None or field in errors:
        return
    if day > timezone.localdate():
        errors[field] = ERROR_DATE_IN_FUTURE
    elif day < course.opened_on:
        errors[field] = ERROR_DATE_BEFORE_COURSE


def _touch(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())


def _saved(actor: Actor, obj: ProblemAreaChoice | Goal | Formulation | TreatmentContract, **detail: object) -> None:
    # Ids and field names only: the audit trail never copies clinical text.
    audit_record(
        actor=actor, action=AuditAction.COURSE_RECORD_SAVED, obj=obj, detail={"course": obj.course_id, **detail}
    )


# Problem areas ------------------------------------------------------------------------------------------------


def _stage(area: str, dispute_stage: str, errors: dict[str, str]) -> str:
    stage = dispute_stage.strip()
    if not stage:
        return ""
    if area != ProblemAreaCode.ROLE_DISPUTE:
        errors["dispute_stage"] = ERROR_STAGE_NOT_DISPUTE
    elif stage not in {s.value for s in DisputeStage}:
        errors["dispute_stage"] = ERROR_UNKNOWN_STAGE
    return stage


@transaction.atomic
def problem_area_choose(
    *,
    actor: Actor,
    course: Course,
    area: str,
    evidence: str,
    dispute_stage: str = "",
    deficits_confirmed: bool = False,
    chosen_on: dt.date | None = None,
) -> ProblemAreaChoice:
    """Choose a problem area with the evidence for it: at most two active, each once, deficits only alone (§3.1 item 7).

    After the middle phase started, a new area is part of a renegotiated focus; its date records when.
    """
    course = course_for_change(actor, course)
    errors: dict[str, str] = {}
    if area not in {code.value for code in ProblemAreaCode}:
        raise ValidationError({"area": ERROR_UNKNOWN_AREA})
    active = [ProblemAreaCode(code) for code in course.problem_areas.filter(active=True).values_list("area", flat=True)]
    refusals, _ = check_problem_areas((*active, ProblemAreaCode(area)))
    if refusals:
        errors["area"] = " ".join(refusal.message for refusal in refusals)
    elif area == ProblemAreaCode.INTERPERSONAL_DEFICITS and not deficits_confirmed:
        errors["deficits_confirmed"] = ERROR_DEFICITS_NOT_CONFIRMED
    if not evidence.strip():
        errors["evidence"] = ERROR_NO_EVIDENCE
    stage = _stage(area, dispute_stage, errors)
    chosen_on = chosen_on or timezone.localdate()
    _check_date(errors, "chosen_on", chosen_on, course)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            choice = ProblemAreaChoice.objects.create(
                organisation=course.organisation,
                course=course,
                area=area,
                evidence=evidence.strip(),
                dispute_stage=stage,
                chosen_on=chosen_on,
            )
    except IntegrityError as error:  # the partial unique index backs up the check above
        raise ValidationError({"area": DUPLICATE_PROBLEM_AREA}) from error
    _touch(course)
    _saved(actor, choice, fields=["area", "evidence", "dispute_stage", "chosen_on"])
    return choice


@transaction.atomic
def problem_area_update(
    *, actor: Actor, choice: ProblemAreaChoice, evidence: str, dispute_stage: str = ""
) -> ProblemAreaChoice:
    """Edit the evidence for an active problem area and, for a role dispute, its stage (which can move on)."""
    course = course_for_change(actor, choice.course)
    choice = ProblemAreaChoice.objects.select_for_update().get(pk=choice.pk)
    if not choice.active:
        raise ValidationError(ERROR_AREA_ENDED)
    errors: dict[str, str] = {}
    if not evidence.strip():
        errors["evidence"] = ERROR_NO_EVIDENCE
    stage = _stage(choice.area, dispute_stage, errors)
    if errors:
        raise ValidationError(errors)
    values = {"evidence": evidence.strip(), "dispute_stage": stage}
    changed = [name for name, value in values.items() if getattr(choice, name) != value]
    if not changed:
        return choice
    for name in changed:
        setattr(choice, name, values[name])
    choice.save(update_fields=changed)
    _touch(course)
    _saved(actor, choice, fields=changed)
    return choice


@transaction.atomic
def problem_area_end(
    *, actor: Actor, choice: ProblemAreaChoice, end_note: str, ended_on: dt.date | None = None
) -> ProblemAreaChoice:
    """End a problem area of an agreed focus: a renegotiation, kept on record with its date and reason."""
    course = course_for_change(actor, choice.course)
    choice = ProblemAreaChoice.objects.select_for_update().get(pk=choice.pk)
    if not choice.active:
        raise ValidationError(ERROR_AREA_ENDED)
    if not _after_middle_started(course):
        raise ValidationError(ERROR_END_BEFORE_MIDDLE)
    errors: dict[str, str] = {}
    if not end_note.strip():
        errors["end_note"] = ERROR_NO_END_NOTE
    ended_on = ended_on or timezone.localdate()
    _check_date(errors, "ended_on", ended_on, course)
    if "ended_on" not in errors and ended_on < choice.chosen_on:
        errors["ended_on"] = ERROR_ENDED_BEFORE_CHOSEN
    if errors:
        raise ValidationError(errors)
    choice.active = False
    choice.ended_on = ended_on
    choice.end_note = end_note.strip()
    choice.save(update_fields=["active", "ended_on", "end_note"])
    _touch(course)
    _saved(actor, choice, fields=["active", "ended_on", "end_note"])
    return choice


@transaction.atomic
def problem_area_remove(*, actor: Actor, choice: ProblemAreaChoice) -> None:
    """Remove a problem area, and its goals, while the focus is still being chosen (before the middle phase)."""
    course = course_for_change(actor, choice.course)
    if _after_middle_started(course):
        raise ValidationError(ERROR_REMOVE_AFTER_MIDDLE)
    detail = {"course": course.pk, "problem_area": choice.pk, "goals": choice.goals.count()}
    audit_record(actor=actor, action=AuditAction.COURSE_RECORD_DELETED, obj=choice, detail=detail)
    choice.delete()
    _touch(course)


# Goals --------------------------------------------------------------------------------------------------------


def _goal_errors(text: str, status: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = ERROR_NO_GOAL_TEXT
    if status not in GoalStatus.values:
        errors["status"] = ERROR_UNKNOWN_STATUS
    return errors


@transaction.atomic
def goal_add(
    *,
    actor: Actor,
    problem_area: ProblemAreaChoice,
    text: str,
    status: str = GoalStatus.NOT_STARTED,
    status_note: str = "",
) -> Goal:
    """A goal of the contract for an active problem area (§4.5: goals per problem area)."""
    course = course_for_change(actor, problem_area.course)
    problem_area = ProblemAreaChoice.objects.get(pk=problem_area.pk)
    if not problem_area.active:
        raise ValidationError(ERROR_GOAL_AREA_ENDED)
    errors = _goal_errors(text, status)
    if errors:
        raise ValidationError(errors)
    goal = Goal.objects.create(
        organisation=course.organisation,
        course=course,
        problem_area=problem_area,
        text=text.strip(),
        status=status,
        status_note=status_note.strip(),
    )
    _touch(course)
    _saved(actor, goal, problem_area=problem_area.pk, fields=["text", "status", "status_note"])
    return goal


@transaction.atomic
def goal_update(*, actor: Actor, goal: Goal, text: str, status: str, status_note: str = "") -> Goal:
    """Edit a goal or record how far it got; a goal of an ended problem area can still take its final status."""
    course = course_for_change(actor, goal.course)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    errors = _goal_errors(text, status)
    if errors:
        raise ValidationError(errors)
    values = {"text": text.strip(), "status": status, "status_note": status_note.strip()}
    changed = [name for name, value in values.items() if getattr(goal, name) != value]
    if not changed:
        return goal
    for name in changed:
        setattr(goal, name, values[name])
    goal.save(update_fields=changed)
    _touch(course)
    _saved(actor, goal, problem_area=goal.problem_area_id, fields=changed)
    return goal


@transaction.atomic
def goal_remove(*, actor: Actor, goal: Goal) -> None:
    """Remove a goal while the focus is still being chosen (before the middle phase)."""
    course = course_for_change(actor, goal.course)
    if _after_middle_started(course):
        raise ValidationError(ERROR_GOAL_REMOVE_AFTER_MIDDLE)
    detail = {"course": course.pk, "problem_area": goal.problem_area_id}
    audit_record(actor=actor, action=AuditAction.COURSE_RECORD_DELETED, obj=goal, detail=detail)
    goal.delete()
    _touch(course)


# The formulation ----------------------------------------------------------------------------------------------


def formulation_needs_new_agreement(previous: Formulation | None, *, text: str, agreed_on: dt.date | None) -> bool:
    """True when the text of an agreed formulation changes but no new agreement date comes with it.

    The agreement is kept (it was given, and the middle phase may rest on it); the page asks the therapist to go
    over the new words with the client and record the date they agree again.
    """
    return (
        previous is not None
        and previous.agreed_on is not None
        and _normalised(previous.text) != _normalised(text)
        and agreed_on == previous.agreed_on
    )


def _normalised(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the stored text keeps plain line feeds."""
    return text.replace("\r\n", "\n").strip()


@transaction.atomic
def formulation_save(
    *, actor: Actor, course: Course, text: str, shared_on: dt.date | None = None, agreed_on: dt.date | None = None
) -> Formulation:
    """Write or edit the interpersonal formulation and record when it was shared with the client and agreed (§3.1
    item 8: the client must agree)."""
    course = course_for_change(actor, course)
    errors: dict[str, str] = {}
    text = _normalised(text)
    if not text:
        errors["text"] = ERROR_NO_FORMULATION_TEXT
    _check_date(errors, "shared_on", shared_on, course)
    _check_date(errors, "agreed_on", agreed_on, course)
    if "agreed_on" not in errors and agreed_on is not None:
        if shared_on is None:
            errors["agreed_on"] = ERROR_AGREED_NOT_SHARED
        elif "shared_on" not in errors and agreed_on < shared_on:
            errors["agreed_on"] = ERROR_AGREED_BEFORE_SHARED
    if errors:
        raise ValidationError(errors)
    values = {"text": text, "shared_on": shared_on, "agreed_on": agreed_on}
    formulation = Formulation.objects.select_for_update().filter(course=course).first()
    if formulation is None:
        formulation = Formulation(organisation=course.organisation, course=course)
        changed = list(values)
    else:
        changed = [name for name, value in values.items() if getattr(formulation, name) != value]
        if not changed:
            return formulation
    for name in changed:
        setattr(formulation, name, values[name])
    formulation.updated_at = timezone.now()
    formulation.save()
    _touch(course)
    _saved(actor, formulation, fields=changed)
    return formulation


# The treatment contract ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ContractTerms:
    """The terms of a treatment contract (§3.1 item 9, §4.5), as entered on the contract form."""

    sessions_planned: int
    frequency: str
    session_minutes: int
    starts_on: dt.date
    planned_end_on: dt.date | None  # None: computed from the start, the sessions and the frequency
    missed_session_rule: str = ""
    other_terms: str = ""
    agreed_on: dt.date | None = None


def _contract_values(terms: ContractTerms) -> dict[str, object]:
    planned_end_on = terms.planned_end_on or contract_planned_end(
        terms.starts_on, terms.sessions_planned, terms.frequency
    )
    return {
        "sessions_planned": terms.sessions_planned,
        "frequency": terms.frequency,
        "session_minutes": terms.session_minutes,
        "starts_on": terms.starts_on,
        "planned_end_on": planned_end_on,
        "missed_session_rule": terms.missed_session_rule.strip(),
        "other_terms": terms.other_terms.strip(),
        "agreed_on": terms.agreed_on,
    }


CONTRACT_START_MAX_DAYS_AHEAD = 366  # a contract agreed now starts within the year, not at the end of the calendar
ERROR_CONTRACT_BEFORE_COURSE = "The contract cannot start before the course began."
ERROR_CONTRACT_TOO_FAR_AHEAD = "The contract must start within a year from today: check the year."


@transaction.atomic
def contract_save(
    *, actor: Actor, course: Course, terms: ContractTerms, renegotiation_note: str = ""
) -> TreatmentContract:
    """Write the treatment contract, or change it; once the client agreed it, a change is a renegotiation.

    A renegotiation needs a note (added, dated, after the earlier ones), keeps an agreement date, may plan from
    1 to 56 sessions but not fewer than were held (check_contract with renegotiated=True), and marks the contract
    renegotiated.
    """
    course = course_for_change(actor, course)
    contract = TreatmentContract.objects.select_for_update().filter(course=course).first()
    renegotiating = contract is not None and contract.agreed_on is not None
    errors: dict[str, str] = {}
    if terms.frequency not in Frequency.values:
        errors["frequency"] = ERROR_UNKNOWN_FREQUENCY
    if not SESSION_MINUTES_MIN <= terms.session_minutes <= SESSION_MINUTES_MAX:
        errors["session_minutes"] = ERROR_SESSION_MINUTES
    if terms.starts_on < course.opened_on:
        errors["starts_on"] = ERROR_CONTRACT_BEFORE_COURSE
    elif terms.starts_on > timezone.localdate() + dt.timedelta(days=CONTRACT_START_MAX_DAYS_AHEAD):
        errors["starts_on"] = ERROR_CONTRACT_TOO_FAR_AHEAD
    elif terms.planned_end_on is not None and terms.planned_end_on < terms.starts_on:
        errors["planned_end_on"] = ERROR_END_BEFORE_START
    elif terms.planned_end_on is not None and (message := plan_end_error(terms.planned_end_on, start=terms.starts_on)):
        errors["planned_end_on"] = message
    if terms.agreed_on is not None and terms.agreed_on > timezone.localdate():
        errors["agreed_on"] = ERROR_DATE_IN_FUTURE
    elif terms.agreed_on is not None and (
        message := done_date_error(terms.agreed_on, today=timezone.localdate(), opened_on=course.opened_on)
    ):
        errors["agreed_on"] = message  # an agreement on 0001-01-01 was taken (issue 16, item 5)
    if errors:
        raise ValidationError(errors)
    values = _contract_values(terms)
    if contract is not None:
        changed = [name for name, value in values.items() if getattr(contract, name) != value]
        if not changed:
            return contract
    else:
        changed = list(values)
    renegotiated = renegotiating or (contract is not None and contract.renegotiated)
    sessions_held = course_snapshot(course).sessions_held
    check = check_contract(course.adaptation, terms.sessions_planned, renegotiated, sessions_held=sessions_held)
    if check.refusals:
        errors["sessions_planned"] = " ".join(refusal.message for refusal in check.refusals)
    if renegotiating and not renegotiation_note.strip():
        errors["renegotiation_note"] = ERROR_NO_RENEGOTIATION_NOTE
    if renegotiating and terms.agreed_on is None:
        errors["agreed_on"] = ERROR_RENEGOTIATED_NOT_AGREED
    if errors:
        raise ValidationError(errors)
    if contract is None:
        contract = TreatmentContract(organisation=course.organisation, course=course)
    for name in changed:
        setattr(contract, name, values[name])
    if renegotiating:
        contract.renegotiated = True
        dated = f"{timezone.localdate().isoformat()}: {renegotiation_note.strip()}"
        contract.renegotiation_note = "\n\n".join(note for note in (contract.renegotiation_note.strip(), dated) if note)
        changed += ["renegotiated", "renegotiation_note"]
    contract.updated_at = timezone.now()
    contract.save()
    _touch(course)
    _saved(actor, contract, fields=changed, renegotiated=renegotiating)
    return contract
