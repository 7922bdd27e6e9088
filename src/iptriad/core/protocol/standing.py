"""Where a course stands by the protocol's rules: the next session's guide, the current phase's checklist, the phase
it moves on to with what stands before it, and every phase it may move to now.

The course page and the API's GET /courses/{id} show this as it is, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from iptriad.core.protocol.course import CourseSnapshot, Refusal
from iptriad.core.protocol.guide import SessionGuide, session_guide
from iptriad.core.protocol.loader import protocol
from iptriad.core.protocol.model import Phase
from iptriad.core.protocol.rules import allowed_transitions, check_transition

# The phase each open phase moves on to (§0, §3); maintenance has none after it, and closing is its own action.
NEXT_PHASE: Mapping[Phase, Phase] = MappingProxyType(
    {Phase.INITIAL: Phase.MIDDLE, Phase.MIDDLE: Phase.TERMINATION, Phase.TERMINATION: Phase.MAINTENANCE}
)


@dataclass(frozen=True)
class PhaseTask:
    """A task of the current phase's checklist, and whether it was ticked."""

    id: str
    text: str
    done: bool


@dataclass(frozen=True)
class CourseStanding:
    """Where a course stands and what may happen next; a closed course has nothing next."""

    snapshot: CourseSnapshot
    session_guide: SessionGuide | None  # for the next session; None once closed
    tasks: tuple[PhaseTask, ...]  # the current phase's checklist in protocol order; empty once closed
    next_phase: Phase | None  # None in maintenance and once closed
    next_phase_refusals: tuple[Refusal, ...]  # what to do before the next phase can start
    allowed_transitions: tuple[Phase, ...]  # every phase the course may move to now, closing included


def course_standing(s: CourseSnapshot) -> CourseStanding:
    """Where the course of snapshot `s` stands."""
    if s.phase is Phase.CLOSED:
        return CourseStanding(s, None, (), None, (), ())
    following = NEXT_PHASE.get(s.phase)
    adaptation = protocol().adaptation(s.adaptation)
    checklist = tuple(adaptation.worded(task) for task in protocol().phase(s.phase).tasks)
    return CourseStanding(
        snapshot=s,
        session_guide=session_guide(s, s.sessions_held + 1),
        tasks=tuple(PhaseTask(task.id, task.text, task.id in s.done_task_ids) for task in checklist),
        next_phase=following,
        next_phase_refusals=check_transition(s, following) if following is not None else (),
        allowed_transitions=allowed_transitions(s),
    )
