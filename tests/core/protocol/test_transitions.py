"""Phase changes: initial -> middle -> termination -> maintenance, and closing from any open phase."""

from __future__ import annotations

import pytest

from iptriad.core.protocol import protocol, rules
from iptriad.core.protocol.rules import (
    EndReason,
    Phase,
    ProblemAreaCode,
    Refusal,
    allowed_transitions,
    check_close,
    check_start_maintenance,
    check_start_middle,
    check_start_termination,
    check_transition,
)
from tests.core.protocol.courses import contract, in_phase, ready_for_maintenance, ready_for_middle


def messages(refusals: tuple[Refusal, ...]) -> list[str]:
    return [refusal.message for refusal in refusals]


# Starting the middle phase (§3.1 items 1, 7, 8, 9)


def test_a_course_with_its_frame_in_place_may_start_the_middle_phase():
    assert check_start_middle(ready_for_middle()) == ()


@pytest.mark.parametrize("phase", [Phase.MIDDLE, Phase.TERMINATION, Phase.MAINTENANCE, Phase.CLOSED])
def test_the_middle_phase_starts_only_from_the_initial_phase(phase):
    assert messages(check_start_middle(in_phase(phase))) == [rules.MIDDLE_NOT_FROM_INITIAL]


def test_the_middle_phase_needs_a_diagnosis():
    assert messages(check_start_middle(ready_for_middle(has_diagnosis=False))) == [rules.NO_DIAGNOSIS]


def test_the_middle_phase_needs_a_problem_area():
    assert messages(check_start_middle(ready_for_middle(problem_areas=()))) == [rules.NO_PROBLEM_AREA]


def test_the_middle_phase_needs_at_most_two_problem_areas():
    three = (ProblemAreaCode.GRIEF, ProblemAreaCode.ROLE_DISPUTE, ProblemAreaCode.ROLE_TRANSITION)
    assert messages(check_start_middle(ready_for_middle(problem_areas=three))) == [rules.TOO_MANY_PROBLEM_AREAS]


def test_the_middle_phase_accepts_two_problem_areas():
    two = (ProblemAreaCode.GRIEF, ProblemAreaCode.ROLE_TRANSITION)
    assert check_start_middle(ready_for_middle(problem_areas=two)) == ()


def test_the_middle_phase_refuses_interpersonal_deficits_beside_another_area():
    both = (ProblemAreaCode.ROLE_TRANSITION, ProblemAreaCode.INTERPERSONAL_DEFICITS)
    assert messages(check_start_middle(ready_for_middle(problem_areas=both))) == [rules.DEFICITS_WITH_ANOTHER_AREA]


def test_the_middle_phase_needs_a_formulation():
    course = ready_for_middle(has_formulation=False, formulation_agreed=False)
    assert messages(check_start_middle(course)) == [rules.NO_FORMULATION]


def test_the_middle_phase_needs_the_clients_agreement_to_the_formulation():
    assert messages(check_start_middle(ready_for_middle(formulation_agreed=False))) == [rules.FORMULATION_NOT_AGREED]


def test_the_middle_phase_needs_a_contract():
    assert messages(check_start_middle(ready_for_middle(contract=None))) == [rules.NO_CONTRACT]


def test_the_middle_phase_needs_the_contract_agreed():
    course = ready_for_middle(contract=contract(16, agreed=False))
    assert messages(check_start_middle(course)) == [rules.CONTRACT_NOT_AGREED]


def test_the_middle_phase_needs_a_contract_within_bounds():
    course = ready_for_middle(contract=contract(4))
    assert messages(check_start_middle(course)) == [rules.contract_too_short(protocol().adaptation(course.adaptation))]


def test_a_new_course_is_told_everything_it_lacks_in_order():
    course = ready_for_middle(
        has_diagnosis=False,
        suicide_risk_recorded=False,
        has_inventory=False,
        problem_areas=(),
        has_formulation=False,
        formulation_agreed=False,
        contract=None,
    )
    assert messages(check_start_middle(course)) == [
        rules.NO_DIAGNOSIS,
        rules.NO_SUICIDE_RISK,
        rules.NO_INVENTORY,
        rules.NO_PROBLEM_AREA,
        rules.NO_FORMULATION,
        rules.NO_CONTRACT,
    ]


# Starting termination (§3.3)


def test_termination_may_start_from_the_middle_phase():
    assert check_start_termination(in_phase(Phase.MIDDLE)) == ()


@pytest.mark.parametrize("phase", [Phase.INITIAL, Phase.TERMINATION, Phase.MAINTENANCE, Phase.CLOSED])
def test_termination_starts_only_from_the_middle_phase(phase):
    assert messages(check_start_termination(in_phase(phase))) == [rules.TERMINATION_NOT_FROM_MIDDLE]


# Starting continuation or maintenance (§3.3, §3.4)


def test_maintenance_may_start_from_termination_with_a_plan_and_a_renegotiated_contract():
    assert check_start_maintenance(ready_for_maintenance()) == ()


@pytest.mark.parametrize("phase", [Phase.INITIAL, Phase.MIDDLE, Phase.MAINTENANCE, Phase.CLOSED])
def test_maintenance_starts_only_from_termination(phase):
    course = ready_for_maintenance(phase=phase)
    assert messages(check_start_maintenance(course)) == [rules.MAINTENANCE_NOT_FROM_TERMINATION]


def test_maintenance_needs_the_relapse_prevention_plan():
    course = ready_for_maintenance(has_relapse_prevention_plan=False)
    assert messages(check_start_maintenance(course)) == [rules.MAINTENANCE_NO_PLAN]


@pytest.mark.parametrize(
    "current",
    [None, contract(28, renegotiated=False), contract(16, renegotiated=True)],
    ids=["no contract", "acute contract not renegotiated", "renegotiated but no sessions left"],
)
def test_maintenance_needs_a_renegotiated_contract_with_sessions_left(current):
    course = ready_for_maintenance(contract=current)
    assert messages(check_start_maintenance(course)) == [rules.MAINTENANCE_NO_CONTRACT]


# Closing (any open phase; `completed` only after termination, with the plan)


@pytest.mark.parametrize("phase", [Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION, Phase.MAINTENANCE])
@pytest.mark.parametrize("reason", [EndReason.DROPPED_OUT, EndReason.REFERRED, EndReason.MOVED, EndReason.OTHER])
def test_an_open_course_may_close_early_for_a_reason(phase, reason):
    assert check_close(in_phase(phase), reason) == ()


@pytest.mark.parametrize("phase", [Phase.TERMINATION, Phase.MAINTENANCE])
def test_a_course_that_reached_termination_closes_as_completed_with_its_plan(phase):
    assert check_close(in_phase(phase, has_relapse_prevention_plan=True), EndReason.COMPLETED) == ()


def test_a_closed_course_cannot_close_again():
    course = in_phase(Phase.CLOSED, end_reason=EndReason.MOVED)
    assert messages(check_close(course, EndReason.OTHER)) == [rules.ALREADY_CLOSED]


def test_closing_needs_a_reason():
    assert messages(check_close(in_phase(Phase.MIDDLE), None)) == [rules.NO_END_REASON]


@pytest.mark.parametrize("phase", [Phase.INITIAL, Phase.MIDDLE])
def test_a_course_completes_only_after_termination_has_started(phase):
    course = in_phase(phase, has_relapse_prevention_plan=True)
    assert messages(check_close(course, EndReason.COMPLETED)) == [rules.COMPLETED_TOO_EARLY]


def test_a_course_completes_only_with_a_relapse_prevention_plan():
    course = in_phase(Phase.TERMINATION, has_relapse_prevention_plan=False)
    assert messages(check_close(course, EndReason.COMPLETED)) == [rules.COMPLETED_NO_PLAN]


# Any transition


def test_no_course_returns_to_the_initial_phase():
    assert messages(check_transition(in_phase(Phase.MIDDLE), Phase.INITIAL)) == [rules.NO_RETURN_TO_INITIAL]


def test_check_transition_passes_the_reason_to_closing():
    course = in_phase(Phase.TERMINATION, has_relapse_prevention_plan=True)
    assert check_transition(course, Phase.CLOSED, EndReason.COMPLETED) == ()
    assert messages(check_transition(course, Phase.CLOSED)) == [rules.NO_END_REASON]


@pytest.mark.parametrize(
    ("course", "allowed"),
    [
        (ready_for_middle(has_diagnosis=False), (Phase.CLOSED,)),
        (ready_for_middle(), (Phase.MIDDLE, Phase.CLOSED)),
        (in_phase(Phase.MIDDLE), (Phase.TERMINATION, Phase.CLOSED)),
        (in_phase(Phase.TERMINATION), (Phase.CLOSED,)),
        (ready_for_maintenance(), (Phase.MAINTENANCE, Phase.CLOSED)),
        (in_phase(Phase.MAINTENANCE), (Phase.CLOSED,)),
        (in_phase(Phase.CLOSED), ()),
    ],
    ids=[
        "initial, not ready",
        "initial, ready",
        "middle",
        "termination",
        "termination, ready",
        "maintenance",
        "closed",
    ],
)
def test_allowed_transitions_follow_the_checks(course, allowed):
    assert allowed_transitions(course) == allowed


@pytest.mark.parametrize("reason", list(EndReason))
def test_an_open_risk_alert_keeps_any_course_open(reason):
    course = in_phase(Phase.TERMINATION, has_relapse_prevention_plan=True, open_risk_alerts=1)
    assert rules.RISK_ALERT_OPEN in messages(check_close(course, reason))
    assert Phase.CLOSED not in allowed_transitions(course)
