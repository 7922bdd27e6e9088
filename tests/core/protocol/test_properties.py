"""Properties of the course rules over any course snapshot hypothesis can build."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from iptriad.core.protocol import protocol, rules
from iptriad.core.protocol.rules import (
    CONTRACT_MAX,
    OPEN_PHASES,
    RENEGOTIATED_MAX,
    ContractSnapshot,
    CourseSnapshot,
    EndReason,
    Phase,
    ProblemAreaCode,
    allowed_transitions,
    check_close,
    check_contract,
    check_problem_areas,
    check_start_middle,
    check_transition,
    session_guide,
)

# No example database: nothing is written into the working tree, and every run explores afresh.
PROPERTY = settings(database=None, deadline=None, max_examples=300)
DEFICITS = ProblemAreaCode.INTERPERSONAL_DEFICITS
ADAPTATIONS = [adaptation.id for adaptation in protocol().adaptations]
MESSAGES = {value for name, value in vars(rules).items() if name.isupper() and isinstance(value, str)} | {
    rules.contract_too_short(adaptation) for adaptation in protocol().adaptations
}
ALL_TASK_IDS = [entry.id for phase in protocol().phases for entry in phase.tasks]

problem_areas = st.lists(st.sampled_from(ProblemAreaCode), max_size=4).map(tuple)
contracts = st.none() | st.builds(
    ContractSnapshot,
    sessions_planned=st.integers(-2, 70),
    agreed_on=st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    renegotiated=st.booleans(),
)
courses = st.builds(
    CourseSnapshot,
    adaptation=st.sampled_from(ADAPTATIONS),
    phase=st.sampled_from(Phase),
    has_diagnosis=st.booleans(),
    suicide_risk_recorded=st.booleans(),
    has_inventory=st.booleans(),
    problem_areas=problem_areas,
    has_formulation=st.booleans(),
    formulation_agreed=st.booleans(),
    contract=contracts,
    sessions_held=st.integers(0, 60),
    has_relapse_prevention_plan=st.booleans(),
    end_reason=st.none() | st.sampled_from(EndReason),
    done_task_ids=st.frozensets(st.sampled_from(ALL_TASK_IDS)),
)


def areas_acceptable(codes: tuple[ProblemAreaCode, ...]) -> bool:
    chosen = set(codes)
    return len(chosen) == len(codes) and len(chosen) <= 2 and not (DEFICITS in chosen and len(chosen) > 1)


def contract_acceptable(adaptation: str, planned: int, renegotiated: bool, held: int) -> bool:
    first_min = protocol().adaptation(adaptation).contract_min
    low, high = (1, RENEGOTIATED_MAX) if renegotiated else (first_min, CONTRACT_MAX)
    return low <= planned <= high and planned >= held


@PROPERTY
@given(courses)
def test_the_middle_phase_may_start_exactly_when_every_precondition_holds(course):
    frame = course.contract
    expected = (
        course.phase is Phase.INITIAL
        and course.has_diagnosis
        and course.suicide_risk_recorded
        and course.has_inventory
        and len(course.problem_areas) > 0
        and areas_acceptable(course.problem_areas)
        and course.has_formulation
        and course.formulation_agreed
        and frame is not None
        and frame.agreed_on is not None
        and contract_acceptable(course.adaptation, frame.sessions_planned, frame.renegotiated, course.sessions_held)
    )
    assert (check_start_middle(course) == ()) is expected


@PROPERTY
@given(courses, st.sampled_from(Phase), st.none() | st.sampled_from(EndReason))
def test_every_refusal_carries_one_of_the_published_messages_and_nothing_is_refused_twice(course, to, reason):
    refusals = check_transition(course, to, reason)
    assert {refusal.message for refusal in refusals} <= MESSAGES
    assert len({refusal.code for refusal in refusals}) == len(refusals)


@PROPERTY
@given(courses)
def test_a_course_only_moves_forward_one_phase_at_a_time_or_closes(course):
    order = list(Phase)
    allowed = allowed_transitions(course)
    forward = [phase for phase in allowed if phase is not Phase.CLOSED]
    assert all(order.index(phase) == order.index(course.phase) + 1 for phase in forward)
    assert (Phase.CLOSED in allowed) is (course.phase in OPEN_PHASES)


@PROPERTY
@given(courses)
def test_a_course_is_completed_only_after_termination_and_with_a_plan(course):
    if check_close(course, EndReason.COMPLETED) == ():
        assert course.phase in (Phase.TERMINATION, Phase.MAINTENANCE)
        assert course.has_relapse_prevention_plan


@PROPERTY
@given(problem_areas)
def test_a_choice_of_areas_is_refused_exactly_when_it_breaks_a_rule(codes):
    refusals, cautions = check_problem_areas(codes)
    assert (refusals == ()) is areas_acceptable(codes)
    assert any(caution.code == "confirm_deficits" for caution in cautions) is (DEFICITS in codes)


@PROPERTY
@given(st.sampled_from(ADAPTATIONS), st.integers(-5, 80), st.booleans(), st.integers(0, 60))
def test_a_contract_is_accepted_exactly_within_its_bounds(adaptation, planned, renegotiated, held):
    check = check_contract(adaptation, planned, renegotiated, sessions_held=held)
    assert (check.refusals == ()) is contract_acceptable(adaptation, planned, renegotiated, held)
    assert check.default_sessions == protocol().adaptation(adaptation).default_sessions


@PROPERTY
@given(courses.filter(lambda course: course.phase is not Phase.CLOSED), st.integers(1, 80))
def test_the_session_guide_follows_the_contract_arithmetic(course, n):
    guide = session_guide(course, n)
    planned = course.contract.sessions_planned if course.contract is not None else None
    if planned is None:
        assert not guide.announce_ending
        assert not guide.midpoint_review
        assert not guide.contract_overrun
    else:
        assert guide.announce_ending is (2 <= planned - n <= 4)
        assert guide.midpoint_review is (n == math.ceil(planned / 2))
        assert guide.contract_overrun is (n > planned)
    assert guide.initial_phase_overrun is (course.phase is Phase.INITIAL and n > 4)
    adaptation = protocol().adaptation(course.adaptation)
    phase_tasks = [adaptation.worded(task) for task in protocol().phase(course.phase).tasks]
    assert set(guide.tasks) == {task for task in phase_tasks if task.id not in course.done_task_ids}
    flags = [
        guide.announce_ending,
        guide.midpoint_review,
        guide.termination_due,
        guide.initial_phase_overrun,
        guide.contract_overrun,
        guide.sick_role_review,
        guide.sick_role_review_due,
    ]
    assert len(guide.cautions) == sum(flags)
