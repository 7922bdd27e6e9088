"""The course rules of IPT as pure functions over a plain snapshot of a course.

A service in iptriad.courses builds a `CourseSnapshot` from its records and asks these functions whether a phase
change, a choice of problem areas or a contract is allowed: an empty tuple of refusals means yes. A refusal says
what to fix; a caution asks the therapist to check something but blocks nothing. Tests import the message
constants. Facts come from the shared reference ipt-protocol.md (§ and tags as there); where it is silent the
choice is marked "Design note" next to the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iptriad.core.protocol.course import (
    OPEN_PHASES,
    Caution,
    ContractSnapshot,
    CourseSnapshot,
    EndReason,
    Refusal,
)
from iptriad.core.protocol.guide import SessionGuide, session_guide
from iptriad.core.protocol.loader import protocol
from iptriad.core.protocol.model import DEFAULT_CONTRACT_MIN, Adaptation, Phase, ProblemAreaCode

__all__ = [
    "OPEN_PHASES",
    "Caution",
    "ContractCheck",
    "ContractSnapshot",
    "CourseSnapshot",
    "EndReason",
    "Phase",
    "ProblemAreaCode",
    "Refusal",
    "SessionGuide",
    "allowed_transitions",
    "check_close",
    "check_contract",
    "check_problem_areas",
    "check_start_maintenance",
    "check_start_middle",
    "check_start_termination",
    "check_transition",
    "contract_too_short",
    "session_guide",
]


# Phase changes. The order is fixed (§0, §3): initial -> middle -> termination -> maintenance; any open phase can
# close. Continuation after a partial response (§3.3 [S32]) runs in the maintenance phase, as §3.4 pairs them.
MIDDLE_NOT_FROM_INITIAL = "The middle phase starts only from the initial phase."
NO_DIAGNOSIS = "Record a diagnosis before starting the middle phase."
NO_SUICIDE_RISK = (
    "Record the suicide-risk assessment (the risk screen of the assessment) before starting the middle phase."
)
NO_INVENTORY = (
    "Take the interpersonal inventory (record at least one important person) before starting the middle phase."
)
NO_PROBLEM_AREA = "Choose one or two problem areas before starting the middle phase."
NO_FORMULATION = "Write the interpersonal formulation before starting the middle phase."
FORMULATION_NOT_AGREED = "Record the client's agreement to the formulation before starting the middle phase."
NO_CONTRACT = "Agree a treatment contract before starting the middle phase."
CONTRACT_NOT_AGREED = "Record the date the client agreed the contract before starting the middle phase."
TERMINATION_NOT_FROM_MIDDLE = "The termination phase starts only from the middle phase."
MAINTENANCE_NOT_FROM_TERMINATION = "Continuation or maintenance starts only from the termination phase."
MAINTENANCE_NO_PLAN = "Record the relapse-prevention plan before starting continuation or maintenance."
MAINTENANCE_NO_CONTRACT = (
    "Renegotiate the contract to add the continuation or maintenance sessions before starting them."
)
ALREADY_CLOSED = "This course is already closed."
NO_END_REASON = "Choose why the course is ending before closing it."
COMPLETED_TOO_EARLY = (
    "Start the termination phase before closing the course as completed, or choose another reason for ending it."
)
COMPLETED_NO_PLAN = "Record the relapse-prevention plan before closing the course as completed."
RISK_ALERT_OPEN = (
    "A risk alert of this client is still open: record the risk assessment and the action taken on it before "
    "closing the course."
)
NO_RETURN_TO_INITIAL = "A course starts in the initial phase and never returns to it."

# Problem areas: usually one, at most two (§3.1 item 7 [S31a]); interpersonal deficits only when no other area
# applies (§3.1 item 7 [S1c], §5.4 [S1c][S33b]).
TOO_MANY_PROBLEM_AREAS = "Choose at most two problem areas."
DUPLICATE_PROBLEM_AREA = "Choose each problem area only once."
DEFICITS_WITH_ANOTHER_AREA = (
    "Interpersonal deficits is chosen only when no other problem area applies: remove it or the other area."
)
CONFIRM_DEFICITS = (
    "Confirm that no other problem area applies (no death, dispute or life change near the onset): "
    "withdrawal caused by the depression is not a deficit."
)
DISPUTE_STAGE_MISSING = "Record the stage of the role dispute: renegotiation, impasse or dissolution."

# Contracts. A first contract plans from the adaptation's minimum up to 20 sessions: 6 for acute IPT (a product
# decision: DEFAULT_CONTRACT_MIN), 3 for interpersonal counselling and brief IPT (IPT-EST), whose dose is 3 sessions
# (§0 dose range, §2 IPC / IPT-EST [S26a][S26c]); §0 doses run up to 20. A change must be renegotiated explicitly
# (§3.1 item 9 [S2]); a renegotiated contract may shorten the course to any length not below the sessions held, or
# extend it up to 20 acute sessions plus monthly maintenance for up to 3 years (§2 IPT-M [S25]): 56 (Design note).
CONTRACT_MIN = DEFAULT_CONTRACT_MIN
CONTRACT_MAX = 20
MAINTENANCE_MAX = 36
RENEGOTIATED_MAX = CONTRACT_MAX + MAINTENANCE_MAX
NO_SESSIONS = "Plan at least one session."
CONTRACT_TOO_SHORT = (
    "Plan at least {minimum} sessions: a first contract of {adaptation} plans {minimum} or more, and only a "
    "renegotiated contract may plan fewer."
)
CONTRACT_TOO_LONG = f"Plan at most {CONTRACT_MAX} sessions: only a renegotiated contract may plan more."
RENEGOTIATED_TOO_LONG = f"Plan at most {RENEGOTIATED_MAX} sessions, even in a renegotiated contract."
FEWER_THAN_HELD = "Plan at least as many sessions as have already been held."
OUTSIDE_USUAL_RANGE = "{adaptation} usually runs {sessions}: check that {planned} sessions is what was agreed."
BEYOND_ACUTE = (
    f"More than {CONTRACT_MAX} sessions is longer than any acute IPT dose in the reference: "
    "keep it for continuation or maintenance."
)


def contract_too_short(adaptation: Adaptation) -> str:
    """The refusal of a first contract below the adaptation's minimum, naming both."""
    return CONTRACT_TOO_SHORT.format(minimum=adaptation.contract_min, adaptation=adaptation.name)


def _refusals(*pairs: tuple[bool, str, str]) -> tuple[Refusal, ...]:
    """The refusals whose condition holds, in the order given (so the first thing to fix comes first)."""
    return tuple(Refusal(code, message) for failed, code, message in pairs if failed)


def check_problem_areas(
    codes: Sequence[ProblemAreaCode], *, dispute_stage_recorded: bool = True
) -> tuple[tuple[Refusal, ...], tuple[Caution, ...]]:
    """Refusals and cautions for a choice of problem areas; an empty choice is allowed (not chosen yet).

    Design note: a role dispute without a recorded stage is a caution, not a refusal, because §5.2 lists staging
    among the middle-phase strategies; pass `dispute_stage_recorded` when the caller knows it.
    """
    chosen = set(codes)
    deficits = ProblemAreaCode.INTERPERSONAL_DEFICITS
    refusals = _refusals(
        (len(chosen) > 2, "too_many_problem_areas", TOO_MANY_PROBLEM_AREAS),
        (len(chosen) < len(codes), "duplicate_problem_area", DUPLICATE_PROBLEM_AREA),
        (deficits in chosen and len(chosen) > 1, "deficits_with_another_area", DEFICITS_WITH_ANOTHER_AREA),
    )
    cautions = []
    if deficits in chosen:
        cautions.append(Caution("confirm_deficits", CONFIRM_DEFICITS))
    if ProblemAreaCode.ROLE_DISPUTE in chosen and not dispute_stage_recorded:
        cautions.append(Caution("dispute_stage_missing", DISPUTE_STAGE_MISSING))
    return refusals, tuple(cautions)


@dataclass(frozen=True)
class ContractCheck:
    refusals: tuple[Refusal, ...]
    cautions: tuple[Caution, ...]
    default_sessions: int  # what the adaptation offers first
    minimum: int  # the bounds that applied to this check
    maximum: int


def check_contract(
    adaptation: str, sessions_planned: int, renegotiated: bool, *, sessions_held: int = 0
) -> ContractCheck:
    """Whether a contract of `sessions_planned` sessions may be agreed for a course of this adaptation.

    Raises UnknownProtocolEntryError (a KeyError) for an unknown adaptation id.
    """
    chosen = protocol().adaptation(adaptation)
    minimum, maximum = (1, RENEGOTIATED_MAX) if renegotiated else (chosen.contract_min, CONTRACT_MAX)
    too_short = not renegotiated and 1 <= sessions_planned < chosen.contract_min
    refusals = _refusals(
        (sessions_planned < 1, "no_sessions", NO_SESSIONS),
        (too_short, "contract_too_short", contract_too_short(chosen)),
        (not renegotiated and sessions_planned > CONTRACT_MAX, "contract_too_long", CONTRACT_TOO_LONG),
        (renegotiated and sessions_planned > RENEGOTIATED_MAX, "renegotiated_too_long", RENEGOTIATED_TOO_LONG),
        (sessions_planned >= 1 and sessions_planned < sessions_held, "fewer_than_held", FEWER_THAN_HELD),
    )
    cautions = []
    usual_low = chosen.sessions_min if chosen.sessions_min is not None else 1
    usual_high = chosen.sessions_max if chosen.sessions_max is not None else RENEGOTIATED_MAX
    if not refusals and not usual_low <= sessions_planned <= usual_high:
        message = OUTSIDE_USUAL_RANGE.format(adaptation=chosen.name, sessions=chosen.sessions, planned=sessions_planned)
        cautions.append(Caution("outside_usual_range", message))
    if not refusals and sessions_planned > CONTRACT_MAX:
        cautions.append(Caution("beyond_acute", BEYOND_ACUTE))
    return ContractCheck(refusals, tuple(cautions), chosen.default_sessions, minimum, maximum)


def check_start_middle(s: CourseSnapshot) -> tuple[Refusal, ...]:
    """The middle phase needs the frame of the initial phase (§3.1 items 1, 2, 5, 7, 8, 9): a diagnosis, the
    suicide-risk assessment recorded, the interpersonal inventory taken, one or two problem areas, a formulation the
    client agreed and an agreed contract within bounds, refused in that order. A course in another phase gets only
    the refusal about its phase.

    Design note: the inventory counts as taken once it holds one important person (the reference gives no minimum,
    §4.1); the suicide-risk assessment counts as recorded once the assessment's risk screen has a result, whatever
    it is (a positive screen opens a risk alert of its own, §10.2)."""
    if s.phase is not Phase.INITIAL:
        return _refusals((True, "middle_not_from_initial", MIDDLE_NOT_FROM_INITIAL))
    area_refusals, _ = check_problem_areas(s.problem_areas)
    contract_refusals: tuple[Refusal, ...] = ()
    if s.contract is not None:
        contract = s.contract
        check = check_contract(
            s.adaptation, contract.sessions_planned, contract.renegotiated, sessions_held=s.sessions_held
        )
        contract_refusals = check.refusals
    return (
        _refusals(
            (not s.has_diagnosis, "no_diagnosis", NO_DIAGNOSIS),
            (not s.suicide_risk_recorded, "no_suicide_risk", NO_SUICIDE_RISK),
            (not s.has_inventory, "no_inventory", NO_INVENTORY),
            (not s.problem_areas, "no_problem_area", NO_PROBLEM_AREA),
        )
        + area_refusals
        + _refusals(
            (not s.has_formulation, "no_formulation", NO_FORMULATION),
            (s.has_formulation and not s.formulation_agreed, "formulation_not_agreed", FORMULATION_NOT_AGREED),
            (s.contract is None, "no_contract", NO_CONTRACT),
            (s.contract is not None and s.contract.agreed_on is None, "contract_not_agreed", CONTRACT_NOT_AGREED),
        )
        + contract_refusals
    )


def check_start_termination(s: CourseSnapshot) -> tuple[Refusal, ...]:
    """Termination follows the middle phase (§3.3). Design note: it may start early (a client moving away, an
    early remission), so nothing else is required; the session guide prompts it near the end of the contract."""
    return _refusals((s.phase is not Phase.MIDDLE, "termination_not_from_middle", TERMINATION_NOT_FROM_MIDDLE))


def check_start_maintenance(s: CourseSnapshot) -> tuple[Refusal, ...]:
    """Continuation (partial response) or maintenance (remitted, at risk) follows termination (§3.3 [S32][S25]).

    Design note: it needs the relapse-prevention plan, because warning signs and contingency plans are always
    covered in termination (§3.3, §10.1 [S1d][S32]), and a renegotiated contract with sessions still to hold,
    because IPT-M has its own contract (§2) and any change must be renegotiated explicitly (§3.1 item 9 [S2]).
    """
    if s.phase is not Phase.TERMINATION:
        return _refusals((True, "maintenance_not_from_termination", MAINTENANCE_NOT_FROM_TERMINATION))
    contract = s.contract
    no_new_contract = contract is None or not contract.renegotiated or contract.sessions_planned <= s.sessions_held
    return _refusals(
        (not s.has_relapse_prevention_plan, "maintenance_no_plan", MAINTENANCE_NO_PLAN),
        (no_new_contract, "maintenance_no_contract", MAINTENANCE_NO_CONTRACT),
    )


def check_close(s: CourseSnapshot, reason: EndReason | None) -> tuple[Refusal, ...]:
    """Any open course can close with a reason (drop-out, referral and moving happen in any phase).

    Design note: `completed` means the course ran its IPT to the end, so it needs the termination (or maintenance)
    phase and the relapse-prevention plan that termination always produces (§3.3, §10.1). Whatever the reason, a
    risk alert of the client still open keeps the course open: an alert stays open until a clinician records the
    action taken (§10.2), and closing the course would leave nobody running it to see to the alert.
    """
    if s.phase is Phase.CLOSED:
        return _refusals((True, "already_closed", ALREADY_CLOSED))
    completed = reason is EndReason.COMPLETED
    ended_properly = s.phase in (Phase.TERMINATION, Phase.MAINTENANCE)
    return _refusals(
        (reason is None, "no_end_reason", NO_END_REASON),
        (completed and not ended_properly, "completed_too_early", COMPLETED_TOO_EARLY),
        (completed and not s.has_relapse_prevention_plan, "completed_no_plan", COMPLETED_NO_PLAN),
        (s.open_risk_alerts > 0, "risk_alert_open", RISK_ALERT_OPEN),
    )


def check_transition(s: CourseSnapshot, to: Phase, reason: EndReason | None = None) -> tuple[Refusal, ...]:
    """The refusals for moving the course to phase `to`; `reason` is needed only for closing."""
    if to is Phase.MIDDLE:
        return check_start_middle(s)
    if to is Phase.TERMINATION:
        return check_start_termination(s)
    if to is Phase.MAINTENANCE:
        return check_start_maintenance(s)
    if to is Phase.CLOSED:
        return check_close(s, reason)
    return _refusals((True, "no_return_to_initial", NO_RETURN_TO_INITIAL))


def allowed_transitions(s: CourseSnapshot) -> tuple[Phase, ...]:
    """The phases the course may move to now, in course order. Closing counts as allowed when it is allowed for
    some reason (drop-out and the like are always possible in an open course)."""
    allowed = [
        phase for phase in (Phase.MIDDLE, Phase.TERMINATION, Phase.MAINTENANCE) if not check_transition(s, phase)
    ]
    if any(not check_close(s, reason) for reason in EndReason):
        allowed.append(Phase.CLOSED)
    return tuple(allowed)
