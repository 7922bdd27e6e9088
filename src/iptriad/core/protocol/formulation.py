"""A first draft of the interpersonal formulation, in plain language, composed from the structured records.

§3.1 item 8 [S3][S4][S38b]: the therapist tells the client how the diagnosis connects to the chosen problem area,
along these lines: "your depression is an illness that can be treated; it began after your mother's death, which
you have found hard to accept; that pattern is called complicated bereavement; over the next 12 weeks we will work
on it; as it resolves, both your situation and your mood are expected to improve". The draft keeps that order:

1. the illness, by the diagnosis label, as something that can be treated;
2. when it began (the latest recorded onset) and the dated life events around it (§3.1 item 6, §4.4);
3. the pattern: each chosen problem area by its lay name and its IPT name, with the evidence for it, the people
   involved and, for a role dispute, its stage (§5);
4. the contract: how many sessions, how often and until when (§3.1 item 9);
5. the expectation that the situation and the mood improve as the problem resolves.

Anything not recorded is left out: the draft never says "None" and never leaves an empty sentence. It is only a
draft: the therapist edits it, and the client must agree to the words that are kept.

Design notes (the reference is silent): the onset is the latest "symptoms began" event, because a timeline may
hold earlier episodes; life events count as "around" an onset or a worsening from 6 months before it to 3 months
after it, following "close in time to symptom onset" (§5.1 [S1c]) and "just before or after symptoms began or
worsened" (§5.3 [S12b]); a person belongs to a problem area when the inventory links them to it, and a focus
candidate linked to no chosen area is named once, after the patterns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from iptriad.core.protocol.loader import protocol
from iptriad.core.protocol.model import DisputeStage, ProblemAreaCode

# How far from an onset or a worsening a life event still counts as "around" it (Design note, see above).
AROUND_BEFORE = dt.timedelta(days=183)
AROUND_AFTER = dt.timedelta(days=92)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class EventKind(StrEnum):
    """The kinds of timeline event (§4.4); the values are those the course records store."""

    SYMPTOM_ONSET = "symptom_onset"
    SYMPTOM_WORSENING = "symptom_worsening"
    SYMPTOM_IMPROVEMENT = "symptom_improvement"
    LIFE_EVENT = "life_event"


@dataclass(frozen=True)
class TimelineFact:
    """One dated event of the timeline, described in the therapist's words."""

    occurred_on: dt.date
    kind: EventKind
    description: str


@dataclass(frozen=True)
class PersonFact:
    """One important person of the interpersonal inventory."""

    name: str
    relationship: str = ""  # to the client, in plain words ("partner", "mother"); empty when not worth saying
    linked_area: ProblemAreaCode | None = None
    focus_candidate: bool = False


@dataclass(frozen=True)
class AreaFact:
    """A chosen (active) problem area, with the evidence for it."""

    code: ProblemAreaCode
    evidence: str = ""
    dispute_stage: DisputeStage | None = None


@dataclass(frozen=True)
class ContractFact:
    sessions_planned: int
    frequency: str = ""  # how often, in plain words that follow "meeting": "once a week"
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class FormulationFacts:
    """What the draft is composed from; every piece may be missing."""

    diagnosis_label: str = ""
    timeline: tuple[TimelineFact, ...] = ()
    people: tuple[PersonFact, ...] = ()
    areas: tuple[AreaFact, ...] = ()
    contract: ContractFact | None = None


def plain_date(day: dt.date) -> str:
    """'1 May 2026', the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def plain_month(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _clean(text: str) -> str:
    """One line, single spaces, no trailing punctuation that a sentence will add again."""
    return " ".join(text.split()).rstrip(" .;:,")


def _sentence(text: str) -> str:
    cleaned = _clean(text)
    if not cleaned:
        return ""
    cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned if cleaned[-1] in "!?" else f"{cleaned}."


def _lower_first(label: str) -> str:
    """'Moderate depressive episode' -> 'moderate depressive episode'; 'PTSD' and 'IPT-A' stay as they are."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _and(items: Iterable[str]) -> str:
    listed = [item for item in items if item]
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} and {listed[-1]}"


def onset(timeline: Iterable[TimelineFact]) -> dt.date | None:
    """The latest recorded onset of symptoms: the start of the current episode."""
    dates = [event.occurred_on for event in timeline if event.kind is EventKind.SYMPTOM_ONSET]
    return max(dates) if dates else None


def worsenings(timeline: Iterable[TimelineFact]) -> tuple[dt.date, ...]:
    """Dates the symptoms got worse since the onset, in order, each once."""
    events = tuple(timeline)
    began = onset(events)
    if began is None:
        return ()
    dates = {event.occurred_on for event in events if event.kind is EventKind.SYMPTOM_WORSENING}
    return tuple(sorted(day for day in dates if day >= began))


def events_around_onset(timeline: Iterable[TimelineFact]) -> tuple[TimelineFact, ...]:
    """The life events close in time to the onset or to a later worsening, oldest first."""
    events = tuple(timeline)
    began = onset(events)
    if began is None:
        return ()
    anchors = (began, *worsenings(events))
    around = [
        event
        for event in events
        if event.kind is EventKind.LIFE_EVENT
        and _clean(event.description)
        and any(anchor - AROUND_BEFORE <= event.occurred_on <= anchor + AROUND_AFTER for anchor in anchors)
    ]
    return tuple(sorted(around, key=lambda event: event.occurred_on))


def _person(person: PersonFact) -> str:
    name = _clean(person.name)
    relationship = _clean(person.relationship)
    if not name:
        return ""
    return f"{name} (your {relationship})" if relationship else name


def people_of_area(facts: FormulationFacts, code: ProblemAreaCode) -> tuple[PersonFact, ...]:
    return tuple(person for person in facts.people if person.linked_area is code and _clean(person.name))


def other_focus_people(facts: FormulationFacts) -> tuple[PersonFact, ...]:
    """Focus candidates not linked to any chosen area: named once, after the patterns."""
    chosen = {area.code for area in facts.areas}
    return tuple(
        person
        for person in facts.people
        if person.focus_candidate and person.linked_area not in chosen and _clean(person.name)
    )


def _illness_paragraph(facts: FormulationFacts) -> str:
    label = _clean(facts.diagnosis_label)
    sentences = [f"Your {_lower_first(label)} is an illness that can be treated." if label else ""]
    began = onset(facts.timeline)
    if began is not None:
        subject = "It" if label else "Your symptoms"
        worse = worsenings(facts.timeline)
        got_worse = f" and got worse in {_and(plain_month(day) for day in worse)}" if worse else ""
        sentences.append(f"{subject} began in {plain_month(began)}{got_worse}.")
        events = events_around_onset(facts.timeline)
        if events:
            listed = "; ".join(f"{_clean(event.description)} ({plain_date(event.occurred_on)})" for event in events)
            sentences.append(f"Around {'those times' if worse else 'that time'}: {listed}.")
    return " ".join(sentence for sentence in sentences if sentence)


def _area_paragraph(facts: FormulationFacts, area: AreaFact, opening: str) -> str:
    definition = protocol().problem_area(area.code)
    lay_name, name = definition.lay_name, definition.name.lower()
    called = lay_name if lay_name.lower() == name else f"{lay_name} (in IPT, {name})"
    sentences = [f"{opening} {called}.", _sentence(area.evidence)]
    people = _and(_person(person) for person in people_of_area(facts, area.code))
    if people:
        sentences.append(f"It involves {people}.")
    if area.code is ProblemAreaCode.ROLE_DISPUTE and area.dispute_stage is not None:
        stage = definition.stage(area.dispute_stage)
        sentences.append(
            _sentence(f"The dispute is at the stage IPT calls {stage.name.lower()}: {_lower_first(stage.description)}")
        )
    return " ".join(sentence for sentence in sentences if sentence)


def _pattern_paragraphs(facts: FormulationFacts) -> list[str]:
    areas = facts.areas
    if len(areas) == 1:
        paragraphs = [_area_paragraph(facts, areas[0], "This pattern is called")]
    else:
        openings = ("The first is called", "The second is called", "Another is called")
        paragraphs = [
            _area_paragraph(facts, area, openings[min(index, len(openings) - 1)]) for index, area in enumerate(areas)
        ]
        if paragraphs:
            paragraphs[0] = f"{len(areas) if len(areas) > 2 else 'Two'} patterns are involved. {paragraphs[0]}"
    others = [_person(person) for person in other_focus_people(facts)]
    if others:
        who = "The person most involved is" if len(others) == 1 else "The people most involved are"
        paragraphs.append(f"{who} {_and(others)}.")
    return paragraphs


def _work_paragraph(facts: FormulationFacts) -> str:
    contract = facts.contract
    if contract is None or contract.sessions_planned < 1:
        return ""
    count = contract.sessions_planned
    sessions = "session" if count == 1 else f"{count} sessions"
    frequency = _clean(contract.frequency)
    how_often = f", meeting {frequency}" if frequency else ""
    until = f", until {plain_date(contract.ends_on)}" if contract.ends_on is not None else ""
    what = {0: "this", 1: "it"}.get(len(facts.areas), "them")
    return f"Over the next {sessions}{how_often}{until}, we will work on {what} together."


def _hope_paragraph(facts: FormulationFacts) -> str:
    if not facts.areas:
        return ""
    verb = "it resolves" if len(facts.areas) == 1 else "they resolve"
    return f"As {verb}, both your situation and your mood are expected to improve."


def formulation_draft(facts: FormulationFacts) -> str:
    """The draft as paragraphs separated by a blank line; empty when nothing is recorded yet."""
    paragraphs = [
        _illness_paragraph(facts),
        *_pattern_paragraphs(facts),
        _work_paragraph(facts),
        _hope_paragraph(facts),
    ]
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
