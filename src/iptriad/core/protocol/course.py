"""A course as the rules see it: a plain, frozen snapshot built by iptriad.courses from its records, and the
refusals and cautions the rules answer with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from iptriad.core.protocol.model import Phase, ProblemAreaCode


class EndReason(StrEnum):
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
    REFERRED = "referred"
    MOVED = "moved"
    OTHER = "other"


OPEN_PHASES = (Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION, Phase.MAINTENANCE)


@dataclass(frozen=True)
class ContractSnapshot:
    """The current treatment contract: sessions are numbered from the first session of the course."""

    sessions_planned: int
    agreed_on: dt.date | None = None
    renegotiated: bool = False  # a change was renegotiated explicitly (§3.1 item 9 [S2])


@dataclass(frozen=True)
class CourseSnapshot:
    """What the rules need to know about one course, and nothing else."""

    adaptation: str  # an adaptation id from data/adaptations.toml
    phase: Phase
    has_diagnosis: bool = False
    suicide_risk_recorded: bool = False  # the assessment's suicide-risk screen has a result (§3.1 item 2, §10)
    has_inventory: bool = False  # at least one important person in the interpersonal inventory (§3.1 item 5, §4)
    sick_role_given: bool = False  # the date the sick role was given is recorded (§3.1 item 4)
    sick_role_reviewed: bool = False  # the date it was reviewed with the client and withdrawn is recorded
    problem_areas: tuple[ProblemAreaCode, ...] = ()
    has_formulation: bool = False
    formulation_agreed: bool = False
    contract: ContractSnapshot | None = None
    sessions_held: int = 0  # attended sessions so far
    has_relapse_prevention_plan: bool = False
    end_reason: EndReason | None = None
    done_task_ids: frozenset[str] = frozenset()
    open_risk_alerts: int = 0  # the client's risk alerts still waiting for an assessment and an action


@dataclass(frozen=True)
class Refusal:
    """Why an action is not allowed, and what to do about it."""

    code: str
    message: str


@dataclass(frozen=True)
class Caution:
    """Something the therapist should check; it blocks nothing."""

    code: str
    message: str
