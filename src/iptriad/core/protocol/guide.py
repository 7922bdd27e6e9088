"""What the therapist should have in mind for the next session: where it falls in the contract, the phase's tasks
still open, and the time-limit prompts of IPT (announce the ending, midpoint review, overruns).

The prompts are numeric and predictable, from the next session's number and the contract; each comes with a
caution the page can show as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from iptriad.core.protocol.course import Caution, CourseSnapshot
from iptriad.core.protocol.loader import protocol
from iptriad.core.protocol.model import Entry, Phase

# §3.1 [S3][S5]: the initial phase normally takes no more than three sessions; some training bodies allow four.
INITIAL_PHASE_MAX_SESSIONS = 4
# §3.3 [S2]: raise the ending explicitly at least 2-4 sessions before it happens. "Sessions remaining" counts the
# sessions after the next one, so a 12-session contract prompts at sessions 8, 9 and 10 and a 16-session contract
# at 12, 13 and 14, which holds the §3.5 template's "by session 9 or 10" and "13 or 14" (Design note).
ANNOUNCE_ENDING_MIN_REMAINING = 2
ANNOUNCE_ENDING_MAX_REMAINING = 4
# §3.3: termination is the last 2-4 sessions. Design note: with at most one session left after the next one, a
# course still in the initial or middle phase is prompted to start termination.
TERMINATION_DUE_MAX_REMAINING = 1

ANNOUNCE_ENDING = "Raise the ending explicitly: the contract ends within 2 to 4 sessions after this one."
MIDPOINT_REVIEW = (
    "Midpoint review: go over the focus and goals, repeat the measures and remind the client of the time limit."
)
TERMINATION_DUE = "Start the termination phase: the contract has at most one session left after this one."
INITIAL_PHASE_OVERRUN = (
    f"The initial phase normally takes no more than about {INITIAL_PHASE_MAX_SESSIONS} sessions: "
    "agree the formulation and the contract, and start the middle phase."
)
CONTRACT_OVERRUN = "This session is beyond the contract: renegotiate the contract explicitly, or close the course."
# §3.1 item 4 [S31c][S5]: the client is *temporarily* excused from some duties. Design note (issue 10, not in the
# reference): once the middle phase starts, the guide reminds the therapist to review the sick role as the client
# improves, and from the midpoint review on (or once the course is past the middle phase) it asks for it now. Both
# prompts go once the review date is recorded on the assessment.
SICK_ROLE_REVIEW = (
    "The sick role is time-limited: as the client improves, review it with them and hand back the duties it "
    "excused, by the midpoint at the latest."
)
SICK_ROLE_REVIEW_DUE = (
    "Review the sick role with the client now and withdraw it (the midpoint is the latest), then record the date "
    "on the assessment."
)


@dataclass(frozen=True)
class SessionGuide:
    session_number: int
    sessions_planned: int | None  # N of the contract; None before a contract is agreed
    phase: Phase
    phase_name: str
    tasks: tuple[Entry, ...]  # the phase's tasks not done yet, in protocol order
    session_steps: tuple[Entry, ...]  # what every session of this phase contains (§3.6 for the middle phase)
    sessions_remaining: int | None  # contracted sessions after this one; negative past the contract
    announce_ending: bool
    midpoint_review: bool
    termination_due: bool
    initial_phase_overrun: bool
    contract_overrun: bool
    sick_role_review: bool  # the sick role given is still to be reviewed as the client improves
    sick_role_review_due: bool  # ... and the midpoint is reached or passed: review it now
    cautions: tuple[Caution, ...]  # one per prompt raised, in the order of the flags above

    @property
    def label(self) -> str:
        """'Session 3 of 16', or 'Session 3' before a contract."""
        if self.sessions_planned is None:
            return f"Session {self.session_number}"
        return f"Session {self.session_number} of {self.sessions_planned}"


def midpoint_session(sessions_planned: int) -> int:
    """The session of the midpoint review: ceil(N / 2), so 8 of 16 (§3.5) and 6 of 12 (Design note)."""
    return math.ceil(sessions_planned / 2)


def session_guide(s: CourseSnapshot, next_session_number: int) -> SessionGuide:
    """The guide for session `next_session_number` of an open course.

    Raises ValueError for a closed course or a session number below 1.
    """
    if s.phase is Phase.CLOSED:
        raise ValueError("a closed course has no next session")
    if next_session_number < 1:
        raise ValueError(f"session numbers start at 1, not {next_session_number}")
    definition = protocol().phase(s.phase)
    adaptation = protocol().adaptation(s.adaptation)
    n = next_session_number
    planned = s.contract.sessions_planned if s.contract is not None else None
    remaining = planned - n if planned is not None else None
    announce = remaining is not None and ANNOUNCE_ENDING_MIN_REMAINING <= remaining <= ANNOUNCE_ENDING_MAX_REMAINING
    midpoint = planned is not None and n == midpoint_session(planned)
    termination_due = (
        remaining is not None
        and remaining <= TERMINATION_DUE_MAX_REMAINING
        and s.phase in (Phase.INITIAL, Phase.MIDDLE)
    )
    initial_overrun = s.phase is Phase.INITIAL and n > INITIAL_PHASE_MAX_SESSIONS
    contract_overrun = remaining is not None and remaining < 0
    sick_role_open = s.sick_role_given and not s.sick_role_reviewed and s.phase is not Phase.INITIAL
    past_middle = s.phase in (Phase.TERMINATION, Phase.MAINTENANCE)
    review_due = sick_role_open and (past_middle or (planned is not None and n >= midpoint_session(planned)))
    review_soon = sick_role_open and not review_due
    prompts = (
        (announce, "announce_ending", ANNOUNCE_ENDING),
        (midpoint, "midpoint_review", MIDPOINT_REVIEW),
        (termination_due, "termination_due", TERMINATION_DUE),
        (initial_overrun, "initial_phase_overrun", INITIAL_PHASE_OVERRUN),
        (contract_overrun, "contract_overrun", CONTRACT_OVERRUN),
        (review_soon, "sick_role_review", SICK_ROLE_REVIEW),
        (review_due, "sick_role_review_due", SICK_ROLE_REVIEW_DUE),
    )
    return SessionGuide(
        session_number=n,
        sessions_planned=planned,
        phase=s.phase,
        phase_name=definition.name,
        tasks=tuple(adaptation.worded(task) for task in definition.tasks if task.id not in s.done_task_ids),
        session_steps=definition.session_steps,
        sessions_remaining=remaining,
        announce_ending=announce,
        midpoint_review=midpoint,
        termination_due=termination_due,
        initial_phase_overrun=initial_overrun,
        contract_overrun=contract_overrun,
        sick_role_review=review_soon,
        sick_role_review_due=review_due,
        cautions=tuple(Caution(code, message) for raised, code, message in prompts if raised),
    )
