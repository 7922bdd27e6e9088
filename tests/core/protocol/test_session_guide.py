"""The session guide: session x of N, the phase's open tasks and the time-limit prompts of IPT."""

from __future__ import annotations

import pytest

from iptriad.core.protocol import guide as guide_module
from iptriad.core.protocol import protocol, session_guide
from iptriad.core.protocol.guide import midpoint_session
from iptriad.core.protocol.rules import Caution, Phase
from tests.core.protocol.courses import contract, in_phase, ready_for_middle


def middle(sessions: int, **changes: object):
    return in_phase(Phase.MIDDLE, contract=contract(sessions), **changes)


def test_it_says_session_x_of_n():
    guide = session_guide(middle(16), 5)
    assert (guide.label, guide.session_number, guide.sessions_planned, guide.sessions_remaining) == (
        "Session 5 of 16",
        5,
        16,
        11,
    )


def test_before_a_contract_it_says_only_the_session_and_raises_no_contract_prompt():
    guide = session_guide(ready_for_middle(contract=None), 2)
    assert guide.label == "Session 2"
    assert guide.sessions_remaining is None
    assert guide.cautions == ()


@pytest.mark.parametrize(
    ("sessions", "announce_at"),
    [(16, {12, 13, 14}), (12, {8, 9, 10})],
)
def test_it_prompts_to_announce_the_ending_when_2_to_4_sessions_remain(sessions, announce_at):
    prompted = {n for n in range(1, sessions + 2) if session_guide(middle(sessions), n).announce_ending}
    assert prompted == announce_at


@pytest.mark.parametrize(("sessions", "midpoint"), [(16, 8), (12, 6), (19, 10), (6, 3)])
def test_it_prompts_the_midpoint_review_at_half_the_contract_rounded_up(sessions, midpoint):
    prompted = [n for n in range(1, sessions + 1) if session_guide(middle(sessions), n).midpoint_review]
    assert prompted == [midpoint] == [midpoint_session(sessions)]


def test_it_prompts_termination_when_a_middle_phase_has_at_most_one_session_left_after_this_one():
    prompted = [n for n in range(1, 18) if session_guide(middle(16), n).termination_due]
    assert prompted == [15, 16, 17]


def test_a_course_already_in_termination_is_not_prompted_to_start_it():
    course = in_phase(Phase.TERMINATION, contract=contract(16))
    assert not session_guide(course, 15).termination_due


def test_it_warns_when_the_initial_phase_runs_past_session_4():
    course = ready_for_middle(contract=None)
    assert not session_guide(course, 4).initial_phase_overrun
    guide = session_guide(course, 5)
    assert guide.initial_phase_overrun
    assert guide.cautions == (Caution("initial_phase_overrun", guide_module.INITIAL_PHASE_OVERRUN),)


def test_the_initial_phase_overrun_is_about_the_initial_phase_only():
    assert not session_guide(middle(16), 5).initial_phase_overrun


def test_it_warns_when_a_session_is_beyond_the_contract():
    assert not session_guide(in_phase(Phase.TERMINATION, contract=contract(16)), 16).contract_overrun
    guide = session_guide(in_phase(Phase.TERMINATION, contract=contract(16)), 17)
    assert guide.contract_overrun
    assert guide.sessions_remaining == -1
    assert guide.cautions == (Caution("contract_overrun", guide_module.CONTRACT_OVERRUN),)


def test_each_prompt_comes_with_its_caution_in_a_fixed_order():
    guide = session_guide(middle(6), 3)  # the midpoint of 6 and 3 sessions remaining
    assert guide.cautions == (
        Caution("announce_ending", guide_module.ANNOUNCE_ENDING),
        Caution("midpoint_review", guide_module.MIDPOINT_REVIEW),
    )


def test_it_lists_the_phases_tasks_not_yet_done():
    done = frozenset({"initial.symptom_review", "initial.inventory", "middle.problem_area_work"})
    guide = session_guide(ready_for_middle(done_task_ids=done), 3)
    expected = [t.id for t in protocol().phase(Phase.INITIAL).tasks if t.id not in done]
    assert [task.id for task in guide.tasks] == expected
    assert "initial.timeline" in expected


def test_a_middle_session_carries_the_steps_of_every_middle_session():
    guide = session_guide(middle(16), 6)
    assert guide.phase_name == "Middle phase"
    assert guide.session_steps == protocol().phase(Phase.MIDDLE).session_steps


def test_a_maintenance_session_lists_the_maintenance_tasks():
    course = in_phase(Phase.MAINTENANCE, contract=contract(28, renegotiated=True))
    guide = session_guide(course, 18)
    assert guide.tasks[0].id == "maintenance.contract"
    assert guide.label == "Session 18 of 28"


def test_a_closed_course_has_no_next_session():
    with pytest.raises(ValueError, match="closed"):
        session_guide(in_phase(Phase.CLOSED), 3)


def test_session_numbers_start_at_1():
    with pytest.raises(ValueError, match="start at 1"):
        session_guide(middle(16), 0)
