"""iptriad's own IPT adherence checklists, as data built from the protocol, and the arithmetic of a fidelity rating.

The IPT Institute's Quality and Adherence Scale is the instrument the field uses (ipt-protocol.md §8.1 [S29d]), but
its item list was not available to us (programmes.md §2): nothing here reproduces or paraphrases it. Instead each
checklist lists what the protocol data in `iptriad.core.protocol` already says a session of that phase holds, in the
words the data already has (the phase's tasks and session steps, the chosen problem area's strategies, the IPT
techniques), plus one item for the techniques classic IPT avoids (§1.5, §6) following the general adherence
framework's "proscribed" category (§8.1 [S29g]). A group checklist lists what each group phase's session holds
(`iptriad.core.groups.guide`, iptriad's words for lay facilitators).

Design notes (iptriad's, not the protocol's; docs/decisions/0036-fidelity.md):
- the scale is "Done / Partly / Not done / Not applicable" for every item;
- the score is the share of applicable items done, a "Partly" counting half, as a percentage with one decimal;
- two ratings agree on an item when they gave it the same answer; agreement is over the items both answered.

A checklist's reference is "<id>@<version>"; a rating stores it, so a later checklist never re-scores old ratings.
The version goes up whenever a checklist's items change (tests/core/test_fidelity.py pins each checklist's keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from iptriad.core.groups.guide import PHASE_GUIDES
from iptriad.core.protocol import Phase, protocol
from iptriad.core.protocol.model import CONDITION

CHECKLIST_VERSION = 1  # every iptriad checklist's version; bump with any change to the items they hold
SOURCE_NOTE = "iptriad's own checklist from its protocol data (docs/decisions/0036-fidelity.md)"
PROSCRIBED_KEY = "proscribed.avoided"
# §8.1 [S29g]: a fidelity rating looks for behaviours the treatment proscribes; the names come from techniques.toml.
PROSCRIBED_TEXT = "Stayed clear of what classic IPT avoids: {names}."

# Design note: the self-rating below which a session joins the supervisor's queue whatever the sampling rule says:
# fewer than half of the applicable items done. A software choice for sampling, not a clinical cut-off.
LOW_SELF_SCORE = Decimal("50")


class Answer(StrEnum):
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"
    NOT_APPLICABLE = "not_applicable"


ANSWER_LABELS: dict[Answer, str] = {
    Answer.DONE: "Done",
    Answer.PARTLY: "Partly",
    Answer.NOT_DONE: "Not done",
    Answer.NOT_APPLICABLE: "Not applicable",
}
# What each answer counts towards the score; Not applicable leaves the item out.
ANSWER_CREDIT: dict[Answer, Decimal] = {
    Answer.DONE: Decimal(1),
    Answer.PARTLY: Decimal("0.5"),
    Answer.NOT_DONE: Decimal(0),
}


class SessionKind(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"


INDIVIDUAL_PHASES = (Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION, Phase.MAINTENANCE)
GROUP_PHASES = (Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION)
# A programme's own form is defined for one of these: "individual:middle", "group:initial" ...
SESSION_TYPES: tuple[str, ...] = tuple(
    [f"{SessionKind.INDIVIDUAL}:{phase}" for phase in INDIVIDUAL_PHASES]
    + [f"{SessionKind.GROUP}:{phase}" for phase in GROUP_PHASES]
)


def session_type(kind: SessionKind | str, phase: Phase | str) -> str:
    value = f"{kind}:{phase}"
    if value not in SESSION_TYPES:
        raise ValueError(f"no fidelity checklist for a {kind} session in the {phase} phase")
    return value


def session_type_label(value: str) -> str:
    kind, _, phase = value.partition(":")
    return f"{'Individual' if kind == SessionKind.INDIVIDUAL else 'Group'} IPT, {phase} phase"


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # stable within a checklist version: ratings store answers by it
    text: str
    section: str  # the heading it shows under
    source: str


@dataclass(frozen=True)
class Checklist:
    id: str
    version: int
    title: str
    session_type: str
    items: tuple[ChecklistItem, ...]
    source: str
    form_id: int | None = None  # a programme's own form (iptriad.fidelity.models.FidelityForm), None for iptriad's

    @property
    def ref(self) -> str:
        """What a rating stores: the id with its version ("form:<id>:<version>" for a programme's form)."""
        if self.form_id is not None:
            return form_ref(self.form_id, self.version)
        return f"{self.id}@{self.version}"

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    def sections(self) -> list[tuple[str, list[ChecklistItem]]]:
        """The items by heading, in order."""
        grouped: dict[str, list[ChecklistItem]] = {}
        for item in self.items:
            grouped.setdefault(item.section, []).append(item)
        return list(grouped.items())


class UnknownChecklistError(KeyError):
    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref

    def __str__(self) -> str:
        return f"unknown fidelity checklist '{self.ref}'"


def _worded(text: str, condition: str) -> str:
    return text.replace(CONDITION, condition)


def _proscribed_item() -> ChecklistItem:
    names = [entry.name.lower() for entry in protocol().proscribed_techniques]
    return ChecklistItem(
        PROSCRIBED_KEY,
        PROSCRIBED_TEXT.format(names="; ".join(names)),
        "What IPT avoids",
        "ipt-protocol.md §6 [S4][S37], §1.5; §8.1 [S29g] (proscribed behaviours)",
    )


def individual_checklist(
    phase: Phase | str, problem_areas: Iterable[str] = (), *, condition: str = "depression"
) -> Checklist:
    """The checklist for an individual session of `phase`; in the middle phase, with the strategies of the course's
    chosen problem area(s) (at most two, in protocol order). `condition` words the phase texts for the course's
    adaptation, as the session guide does; it does not change the items."""
    phase = Phase(phase)
    if phase not in INDIVIDUAL_PHASES:
        raise ValueError(f"no fidelity checklist for the {phase} phase")
    definition = protocol().phase(phase)
    items: list[ChecklistItem] = [
        ChecklistItem(step.id, _worded(step.text, condition), "Every session of the phase", step.source)
        for step in definition.session_steps
    ]
    items += [
        ChecklistItem(task.id, _worded(task.text, condition), "The phase's tasks", task.source)
        for task in definition.tasks
    ]
    areas: list[str] = []
    if phase is Phase.MIDDLE:
        known = [area.id for area in protocol().problem_areas]
        areas = [code for code in known if code in set(problem_areas)]
        for code in areas:
            area = protocol().problem_area(code)
            items += [
                ChecklistItem(entry.id, entry.text, f"Problem area: {area.name}", entry.source)
                for entry in area.all_strategies
            ]
        items += [
            ChecklistItem(
                f"technique.{technique.id}",
                f"{technique.name}: {technique.description}",
                "IPT techniques (Not applicable when the session did not call for it)",
                technique.source,
            )
            for technique in protocol().techniques
        ]
    items.append(_proscribed_item())
    checklist_id = f"iptriad-individual-{phase}" + (f"-{'+'.join(areas)}" if areas else "")
    title = f"iptriad adherence checklist: {definition.name.lower()}"
    if areas:
        title += " (" + ", ".join(protocol().problem_area(code).name.lower() for code in areas) + ")"
    return Checklist(
        checklist_id, CHECKLIST_VERSION, title, session_type(SessionKind.INDIVIDUAL, phase), tuple(items), SOURCE_NOTE
    )


def group_checklist(phase: Phase | str) -> Checklist:
    """The facilitator's checklist for a group session of `phase`: what that phase's session holds."""
    phase = Phase(phase)
    if phase not in GROUP_PHASES:
        raise ValueError(f"no group fidelity checklist for the {phase} phase")
    guide = PHASE_GUIDES[phase]
    items = tuple(
        ChecklistItem(f"group.{phase}.{number}", step, guide.title, guide.source)
        for number, step in enumerate(guide.steps, start=1)
    )
    return Checklist(
        f"iptriad-group-{phase}",
        CHECKLIST_VERSION,
        f"iptriad group IPT checklist: {guide.title.lower()}",
        session_type(SessionKind.GROUP, phase),
        items,
        SOURCE_NOTE,
    )


def form_checklist(
    *, form_id: int, version: int, name: str, session_type_value: str, items: Sequence[Mapping[str, str]]
) -> Checklist:
    """A programme's own form as a checklist, so a rating with it is scored and compared the same way."""
    return Checklist(
        f"form:{form_id}",
        version,
        name,
        session_type_value,
        tuple(ChecklistItem(item["key"], item["text"], name, "the programme's own form") for item in items),
        "the programme's own form",
        form_id=form_id,
    )


def form_ref(form_id: int, version: int) -> str:
    return f"form:{form_id}:{version}"


def checklist_by_ref(ref: str, *, condition: str = "depression") -> Checklist:
    """An iptriad checklist by its reference ("iptriad-individual-middle-grief@1"); a form's is read by the app."""
    checklist_id, _, version = ref.partition("@")
    if version != str(CHECKLIST_VERSION):
        raise UnknownChecklistError(ref)
    parts = checklist_id.split("-")
    try:
        if parts[:2] == ["iptriad", "individual"] and len(parts) in (3, 4):
            areas = parts[3].split("+") if len(parts) == 4 else []
            checklist = individual_checklist(parts[2], areas, condition=condition)
        elif parts[:2] == ["iptriad", "group"] and len(parts) == 3:
            checklist = group_checklist(parts[2])
        else:
            raise UnknownChecklistError(ref)
    except ValueError as error:
        raise UnknownChecklistError(ref) from error
    if checklist.ref != ref:  # an unknown or misordered problem area
        raise UnknownChecklistError(ref)
    return checklist


# --- Answers, score, agreement ------------------------------------------------------------------------------------

ERROR_MISSING = "Answer every item: {count} left."
ERROR_UNKNOWN_ITEM = "'{key}' is not an item of this checklist."
ERROR_UNKNOWN_ANSWER = "'{answer}' is not an answer: use done, partly, not_done or not_applicable."


def answer_errors(checklist: Checklist, answers: Mapping[str, str]) -> list[str]:
    """What is wrong with a set of answers: an item left out, an item the checklist lacks, an answer off the scale."""
    errors = [ERROR_UNKNOWN_ITEM.format(key=key) for key in answers if key not in checklist.keys]
    errors += [
        ERROR_UNKNOWN_ANSWER.format(answer=answer)
        for answer in answers.values()
        if answer not in Answer.__members__.values()
    ]
    missing = [key for key in checklist.keys if key not in answers]
    if missing:
        errors.append(ERROR_MISSING.format(count=len(missing)))
    return errors


def score(answers: Mapping[str, str]) -> Decimal | None:
    """The share of applicable items done, a "Partly" counting half, in percent with one decimal; None when no item
    applied (nothing to score)."""
    credits = [ANSWER_CREDIT[Answer(answer)] for answer in answers.values() if answer != Answer.NOT_APPLICABLE]
    if not credits:
        return None
    share = sum(credits, Decimal(0)) / len(credits) * 100
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Agreement:
    compared: int  # items both ratings answered
    same: int  # ... with the same answer
    score_difference: Decimal | None  # the second score minus the first (supervisor minus self)

    @property
    def share(self) -> Decimal | None:
        """The share of compared items with the same answer, in percent with one decimal."""
        if not self.compared:
            return None
        return (Decimal(self.same) / self.compared * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def agreement(first: Mapping[str, str], second: Mapping[str, str]) -> Agreement:
    """How two ratings of one session agree: item by item over the items both answered, and by score."""
    shared = [key for key in first if key in second]
    same = sum(1 for key in shared if first[key] == second[key])
    first_score, second_score = score(first), score(second)
    difference = second_score - first_score if first_score is not None and second_score is not None else None
    return Agreement(len(shared), same, difference)
