"""Reads for the initial part of a course, scoped by the course policy, and the closeness circle to draw."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.protocol import protocol
from iptriad.core.protocol.closeness import (
    CENTRE_LABEL_LIMIT,
    DOT_RADIUS,
    LABEL_FONT_SIZE,
    CircleLayout,
    Seat,
    layout,
    short_label,
)
from iptriad.core.protocol.model import SickRoleKind
from iptriad.courses.models import Assessment, Course, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.permissions import course_policy


def assessment_of(*, actor: Actor, course: Course) -> Assessment | None:
    return course_policy.scope_records(actor, Action.VIEW, Assessment.objects.filter(course=course)).first()


def triad_of(*, actor: Actor, course: Course) -> Triad | None:
    """The triad with its support people (two queries)."""
    triads = course_policy.scope_records(actor, Action.VIEW, Triad.objects.filter(course=course))
    return triads.prefetch_related("support_people").first()


def inventory_of(*, actor: Actor, course: Course) -> list[InventoryPerson]:
    """The course's important people, closest ring first, in one query."""
    return list(_people(actor, Action.VIEW).filter(course=course))


def inventory_choices(*, actor: Actor, course: Course) -> QuerySet[InventoryPerson]:
    """The people a form may link to (timeline events, the triad's support): this course's only."""
    return _people(actor, Action.UPDATE).filter(course=course)


def inventory_person_get(*, actor: Actor, person_id: int, action: Action = Action.UPDATE) -> InventoryPerson:
    """The person if the actor may act on their course, else 404 (foreign and missing look alike)."""
    return get_object_or_404(_people(actor, action).select_related("course__client"), pk=person_id)


def inventory_person_get_for_view(*, actor: Actor, person_id: int) -> InventoryPerson:
    person = inventory_person_get(actor=actor, person_id=person_id, action=Action.VIEW)
    _viewed(actor, person.course, person)
    return person


def timeline_of(*, actor: Actor, course: Course) -> list[TimelineEvent]:
    """The course's timeline in date order, with the person each event is about, in one query."""
    events = course_policy.scope_records(actor, Action.VIEW, TimelineEvent.objects.filter(course=course))
    return list(events.select_related("person"))


def timeline_count_of_person(*, actor: Actor, person: InventoryPerson) -> int:
    events = course_policy.scope_records(actor, Action.VIEW, TimelineEvent.objects.filter(person=person))
    return events.count()


def timeline_event_get(*, actor: Actor, event_id: int, action: Action = Action.UPDATE) -> TimelineEvent:
    events = TimelineEvent.objects.select_related("course__client", "person")
    return get_object_or_404(course_policy.scope_records(actor, action, events), pk=event_id)


def timeline_event_get_for_view(*, actor: Actor, event_id: int) -> TimelineEvent:
    event = timeline_event_get(actor=actor, event_id=event_id, action=Action.VIEW)
    _viewed(actor, event.course, event)
    return event


def _people(actor: Actor, action: Action) -> QuerySet[InventoryPerson]:
    return course_policy.scope_records(actor, action, InventoryPerson.objects.all())


def _viewed(actor: Actor, course: Course, record: InventoryPerson | TimelineEvent) -> None:
    # Ids and the record's type only, as every audit event (docs/decisions/0004).
    audit_record(
        actor=actor,
        action=AuditAction.COURSE_VIEWED,
        obj=course,
        detail={"client": course.client_id, "record": record._meta.model_name, "record_id": record.pk},
    )


# ---------------------------------------------------------------------------------------------------------
# What the pages show beside the records: the sick role of the adaptation and the closeness circle


@dataclass(frozen=True)
class SickRoleGuidance:
    """The kind of sick role the course's adaptation gives (§3.1 item 4), with the protocol's note on it."""

    adaptation: str
    limited: bool
    none: bool  # maintenance IPT: the client is in remission
    notes: tuple[str, ...]


def sick_role_guidance(course: Course) -> SickRoleGuidance:
    adaptation = protocol().adaptation(course.adaptation)
    sick_role = adaptation.sick_role
    # The adaptation's notes from the same source as its sick role are the ones that explain it.
    notes = tuple(note.text for note in adaptation.notes if note.source == sick_role.source)
    return SickRoleGuidance(
        adaptation=adaptation.name,
        limited=sick_role.kind == SickRoleKind.LIMITED,
        none=sick_role.kind == SickRoleKind.NONE,
        notes=notes,
    )


@dataclass(frozen=True)
class CircleDot:
    person: InventoryPerson
    label: str  # the name, shortened to fit beside the dot
    x: float
    y: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class RingPeople:
    number: int
    label: str
    people: list[InventoryPerson]


@dataclass(frozen=True)
class PersonRow:
    """A person of the inventory with the name of their linked problem area, for the inventory page."""

    person: InventoryPerson
    problem_area: str


def inventory_rows(people: list[InventoryPerson]) -> list[PersonRow]:
    names = {area.code.value: area.name for area in protocol().problem_areas}
    return [PersonRow(person=person, problem_area=names.get(person.linked_problem_area, "")) for person in people]


@dataclass(frozen=True)
class ClosenessCircle:
    """Everything the closeness circle template draws, computed here so the template only writes it out."""

    geometry: CircleLayout
    client_name: str
    centre_label: str
    dots: list[CircleDot]
    rings: list[RingPeople]  # the text alternative: every ring drawn, with its people
    description: str
    font_size: float
    dot_radius: float


def closeness_circle(*, client_name: str, people: list[InventoryPerson]) -> ClosenessCircle:
    """Lay out the people already read (no query); `client_name` goes in the centre."""
    geometry = layout([Seat(key=person.pk, ring=person.ring, angle=person.angle) for person in people])
    by_key = {person.pk: person for person in people}
    dots = [
        CircleDot(
            person=by_key[dot.key],
            label=short_label(by_key[dot.key].name),
            x=dot.x,
            y=dot.y,
            label_x=dot.label_x,
            label_y=dot.label_y,
        )
        for dot in geometry.dots
    ]
    rings = [
        RingPeople(
            number=ring.number,
            label=f"Ring {ring.number} (closest)" if ring.number == 1 else f"Ring {ring.number}",
            people=[person for person in people if person.ring == ring.number],
        )
        for ring in geometry.rings
    ]
    return ClosenessCircle(
        geometry=geometry,
        client_name=client_name,
        centre_label=short_label(client_name, CENTRE_LABEL_LIMIT),
        dots=dots,
        rings=rings,
        description=_describe(client_name, rings),
        font_size=LABEL_FONT_SIZE,
        dot_radius=DOT_RADIUS,
    )


def _describe(client_name: str, rings: list[RingPeople]) -> str:
    counts = "; ".join(
        f"ring {ring.number}{' (closest)' if ring.number == 1 else ''}: "
        + (f"{len(ring.people)} {'person' if len(ring.people) == 1 else 'people'}" if ring.people else "nobody")
        for ring in rings
    )
    return f"{client_name} in the centre, with {len(rings)} rings around. {counts[0].upper()}{counts[1:]}."
