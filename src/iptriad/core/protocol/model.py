"""What the IPT protocol is, as plain data: phases and their tasks, problem areas, techniques, adaptations.

Every text comes from a data file in `data/` with its source in the shared reference ipt-protocol.md and that
reference's tag ([S#] a named source, [BK] background knowledge to be checked by a clinician, Design note a
software choice), so a clinician can audit it. The course rules over this data live in `rules.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol as _TypingProtocol
from typing import TypeVar

# The fewest sessions a first contract plans unless the adaptation says otherwise: a product decision for acute
# individual courses (the reference's acute doses run 12-20, §0, §2); IPC and brief IPT set their own (Design note).
DEFAULT_CONTRACT_MIN = 6


class Phase(StrEnum):
    """The phases of a course in order; `closed` is the terminal state."""

    INITIAL = "initial"
    MIDDLE = "middle"
    TERMINATION = "termination"
    MAINTENANCE = "maintenance"  # continuation and maintenance IPT (§3.3, §3.4)
    CLOSED = "closed"


class ProblemAreaCode(StrEnum):
    GRIEF = "grief"
    ROLE_DISPUTE = "role_dispute"
    ROLE_TRANSITION = "role_transition"
    INTERPERSONAL_DEFICITS = "interpersonal_deficits"


class DisputeStage(StrEnum):
    """The stage of a role dispute, recorded once per dispute (§5.2)."""

    RENEGOTIATION = "renegotiation"
    IMPASSE = "impasse"
    DISSOLUTION = "dissolution"


class SickRoleKind(StrEnum):
    FULL = "full"
    LIMITED = "limited"  # IPT-A: e.g. the adolescent keeps attending school
    NONE = "none"  # IPT-M: the client starts in remission, with no acute episode to be excused for


class UnknownProtocolEntryError(KeyError):
    """A lookup by id found nothing; the message names the kind of entry and the ids that exist."""

    def __init__(self, kind: str, key: str, known: Iterable[str]) -> None:
        super().__init__(key)
        self.kind = kind
        self.key = key
        self.known = tuple(known)

    def __str__(self) -> str:
        return f"unknown {self.kind} '{self.key}'; known: {', '.join(self.known) or 'none'}"


class _Identified(_TypingProtocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_Identified)


def _find(entries: tuple[_T, ...], key: str, kind: str) -> _T:
    for entry in entries:
        if entry.id == key:
            return entry
    raise UnknownProtocolEntryError(kind, key, (entry.id for entry in entries))


@dataclass(frozen=True)
class Entry:
    """One sourced line of protocol text: a task, a session step, a goal, a strategy or a field to record."""

    id: str
    text: str
    source: str


@dataclass(frozen=True)
class Note:
    """A sourced remark without an id (prognosis, examples, distinctive elements)."""

    text: str
    source: str


@dataclass(frozen=True)
class PhaseDefinition:
    """A phase: its typical place in the course, the tasks done once in it and the steps of each of its sessions."""

    phase: Phase
    name: str
    sessions: str  # where it falls in a course, in the reference's words
    summary: str
    source: str
    tasks: tuple[Entry, ...]
    session_steps: tuple[Entry, ...]

    @property
    def id(self) -> str:
        return self.phase.value

    def task(self, task_id: str) -> Entry:
        return _find(self.tasks, task_id, f"task of the {self.phase} phase")


@dataclass(frozen=True)
class DisputeStageDefinition:
    stage: DisputeStage
    name: str
    description: str
    source: str
    strategies: tuple[Entry, ...] = ()  # what the work looks like at this stage (§5.2)

    @property
    def id(self) -> str:
        return self.stage.value


@dataclass(frozen=True)
class ProblemArea:
    """One of the four problem areas: what it is, its goals and strategies, and what to record."""

    code: ProblemAreaCode
    name: str
    lay_name: str  # WHO Group IPT wording, for clients and lay facilitators
    lay_name_source: str
    other_names: tuple[str, ...]
    other_names_source: str
    definition: str
    definition_source: str
    identified: str | None  # how the area is recognised, where the reference says
    identified_source: str | None
    goals: tuple[Entry, ...]
    strategies: tuple[Entry, ...]
    record: tuple[Entry, ...]
    notes: tuple[Note, ...]
    stages: tuple[DisputeStageDefinition, ...]  # role disputes only

    @property
    def id(self) -> str:
        return self.code.value

    def stage(self, stage: DisputeStage | str) -> DisputeStageDefinition:
        return _find(self.stages, str(stage), f"stage of {self.code}")

    def strategies_at(self, stage: DisputeStage | str | None) -> tuple[Entry, ...]:
        """The strategies for the work now: the area's own, then those of its recorded stage (role disputes)."""
        return self.strategies + (self.stage(stage).strategies if stage else ())

    @property
    def all_strategies(self) -> tuple[Entry, ...]:
        """Every strategy of the area, each stage's included: what a session may have recorded."""
        return self.strategies + tuple(entry for stage in self.stages for entry in stage.strategies)


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    description: str
    note: str  # hint for the session-note picklist; may be empty
    source: str


@dataclass(frozen=True)
class ProscribedTechnique:
    """A technique classic IPT deliberately avoids (§1.5, §6); fidelity review looks for it."""

    id: str
    name: str
    source: str


@dataclass(frozen=True)
class SickRole:
    kind: SickRoleKind
    source: str


@dataclass(frozen=True)
class Adaptation:
    """An adaptation of IPT for individual courses, with its dose as the reference gives it and a default contract."""

    id: str
    name: str
    population: str
    format: str  # individual | telephone
    sessions: str  # the dose in the reference's words
    sessions_min: int | None  # the usual range, where the reference gives one
    sessions_max: int | None
    frequency: str | None
    session_minutes_min: int | None
    session_minutes_max: int | None
    source: str
    default_sessions: int
    default_source: str
    contract_min: int  # the fewest sessions a first contract may plan (DEFAULT_CONTRACT_MIN unless the data says)
    contract_min_source: str
    sick_role: SickRole
    notes: tuple[Note, ...]
    starting_phase: Phase = Phase.INITIAL  # IPT-M starts in maintenance, for a client already in remission
    starting_phase_source: str = "§3 [S3][S5]: a course starts with the initial phase"
    # What the phase texts call the illness ("{condition}" in phases.toml): depression unless the adaptation treats
    # another (§2 populations); see `worded`.
    condition: str = "depression"
    condition_source: str = "§0 target [S20d][S30b]: IPT was built for depression"

    def worded(self, entry: Entry) -> Entry:
        """A phase text worded for this adaptation: "{condition}" becomes the illness it treats."""
        return Entry(entry.id, entry.text.replace(CONDITION, self.condition), entry.source)


CONDITION = "{condition}"  # the placeholder for the illness in phase texts


# The phases a course may start in: the initial phase, or maintenance for maintenance IPT (§2 IPT-M, §3.4).
STARTING_PHASES = (Phase.INITIAL, Phase.MAINTENANCE)


@dataclass(frozen=True)
class Protocol:
    """The whole protocol at one version; a course records the version it followed."""

    version: str
    phases: tuple[PhaseDefinition, ...]
    problem_areas: tuple[ProblemArea, ...]
    techniques: tuple[Technique, ...]
    proscribed_techniques: tuple[ProscribedTechnique, ...]
    adaptations: tuple[Adaptation, ...]

    def phase(self, phase: Phase | str) -> PhaseDefinition:
        return _find(self.phases, str(phase), "phase")

    def problem_area(self, code: ProblemAreaCode | str) -> ProblemArea:
        return _find(self.problem_areas, str(code), "problem area")

    def technique(self, technique_id: str) -> Technique:
        return _find(self.techniques, technique_id, "technique")

    def adaptation(self, adaptation_id: str) -> Adaptation:
        return _find(self.adaptations, adaptation_id, "adaptation")

    def task(self, task_id: str) -> Entry:
        """A phase task or session step by id, whatever its phase."""
        everything = tuple(entry for phase in self.phases for entry in (*phase.tasks, *phase.session_steps))
        return _find(everything, task_id, "task")
