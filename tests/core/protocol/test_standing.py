"""Where a course stands: the next session's guide, the phase checklist, the next phase with what stands before it,
and the phases it may move to; the course page and the API show it as it is."""

from __future__ import annotations

import pytest

from iptriad.core.protocol import NEXT_PHASE, PhaseTask, course_standing, protocol, session_guide
from iptriad.core.protocol import rules as rules_module
from iptriad.core.protocol.rules import EndReason, Phase, allowed_transitions
from tests.core.protocol.courses import in_phase, ready_for_maintenance, ready_for_middle

OPEN = (Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION, Phase.MAINTENANCE)


def messages(standing) -> list[str]:
    return [refusal.message for refusal in standing.next_phase_refusals]


@pytest.mark.parametrize("phase", OPEN)
def test_an_open_course_has_the_guide_for_its_next_session(phase):
    snapshot = in_phase(phase, sessions_held=3)
    assert course_standing(snapshot).session_guide == session_guide(snapshot, 4)


@pytest.mark.parametrize("phase", OPEN)
def test_the_checklist_is_the_current_phases_tasks_in_protocol_order_with_the_ticked_ones_done(phase):
    standard = protocol().adaptation("standard")
    tasks = [standard.worded(task) for task in protocol().phase(phase).tasks]  # "{condition}" is depression
    ticked = frozenset({tasks[0].id, tasks[-1].id})
    standing = course_standing(in_phase(phase, done_task_ids=ticked))
    assert standing.tasks == tuple(PhaseTask(task.id, task.text, task.id in ticked) for task in tasks)
    assert sum(task.done for task in standing.tasks) == 2


@pytest.mark.parametrize(
    ("phase", "following"),
    [(Phase.INITIAL, Phase.MIDDLE), (Phase.MIDDLE, Phase.TERMINATION), (Phase.TERMINATION, Phase.MAINTENANCE)],
)
def test_each_open_phase_but_maintenance_moves_on_to_the_next(phase, following):
    assert course_standing(in_phase(phase)).next_phase is following
    assert NEXT_PHASE[phase] is following


def test_maintenance_has_no_next_phase_only_closing():
    standing = course_standing(in_phase(Phase.MAINTENANCE))
    assert (standing.next_phase, standing.next_phase_refusals) == (None, ())
    assert standing.allowed_transitions == (Phase.CLOSED,)


def test_a_course_ready_for_the_middle_phase_has_nothing_before_it():
    standing = course_standing(ready_for_middle())
    assert standing.next_phase_refusals == ()
    assert standing.allowed_transitions == (Phase.MIDDLE, Phase.CLOSED)


def test_it_says_what_stands_before_the_middle_phase_first_thing_first():
    standing = course_standing(ready_for_middle(has_diagnosis=False, contract=None))
    assert messages(standing) == [rules_module.NO_DIAGNOSIS, rules_module.NO_CONTRACT]
    assert standing.allowed_transitions == (Phase.CLOSED,)


def test_it_says_what_stands_before_maintenance():
    standing = course_standing(ready_for_maintenance(has_relapse_prevention_plan=False))
    assert standing.next_phase is Phase.MAINTENANCE
    assert messages(standing) == [rules_module.MAINTENANCE_NO_PLAN]


def test_a_course_ready_for_maintenance_may_start_it_or_close():
    standing = course_standing(ready_for_maintenance())
    assert standing.next_phase_refusals == ()
    assert standing.allowed_transitions == (Phase.MAINTENANCE, Phase.CLOSED)


def test_the_middle_phase_may_always_move_to_termination():
    standing = course_standing(in_phase(Phase.MIDDLE))
    assert (standing.next_phase, standing.next_phase_refusals) == (Phase.TERMINATION, ())
    assert standing.allowed_transitions == (Phase.TERMINATION, Phase.CLOSED)


@pytest.mark.parametrize("phase", OPEN)
def test_the_allowed_transitions_are_the_rules_own(phase):
    snapshot = in_phase(phase)
    assert course_standing(snapshot).allowed_transitions == allowed_transitions(snapshot)


def test_a_closed_course_has_nothing_next():
    snapshot = in_phase(Phase.CLOSED, end_reason=EndReason.COMPLETED, done_task_ids=frozenset({"initial.inventory"}))
    standing = course_standing(snapshot)
    assert standing.snapshot is snapshot
    assert (standing.session_guide, standing.tasks, standing.next_phase) == (None, (), None)
    assert (standing.next_phase_refusals, standing.allowed_transitions) == ((), ())
