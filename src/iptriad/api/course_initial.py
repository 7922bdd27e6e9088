"""The initial phase's records of a course: the assessment, the interpersonal inventory, the timeline and the
Interpersonal Triad. The course selectors find the records (a colleague's or another organisation's is a 404) and
the services of iptriad.courses.services.initial check and save them, audited, as the pages do."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status

from iptriad.accounts.actors import Actor
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE, NO_CONTENT
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.courses import TriadOut
from iptriad.api.schemas.initial import (
    AssessmentIn,
    AssessmentSavedOut,
    EventIn,
    EventItemOut,
    EventPatch,
    PersonIn,
    PersonItemOut,
    PersonPatch,
    TriadIn,
)
from iptriad.core.details import details_from, field_names
from iptriad.courses.models import Assessment, Course, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.selectors.course import course_get
from iptriad.courses.selectors.initial import (
    inventory_choices,
    inventory_person_get,
    inventory_person_get_for_view,
    timeline_event_get,
    timeline_event_get_for_view,
)
from iptriad.courses.services.initial import (
    ERROR_PERSON_OTHER_COURSE,
    ERROR_SUPPORT_PEOPLE_OTHER_COURSE,
    AssessmentDetails,
    EventDetails,
    PersonDetails,
    TriadDetails,
    assessment_save,
    inventory_person_create,
    inventory_person_delete,
    inventory_person_update,
    timeline_event_create,
    timeline_event_delete,
    timeline_event_update,
    triad_save,
)

router = Router(tags=["course: initial phase"], by_alias=True)  # foreign keys as "<name>_id"


def _people(actor: Actor, course: Course, ids: list[int], field: str, message: str) -> list[InventoryPerson]:
    """The inventory people of this course with these ids, as the forms offer them; any other id is refused with
    the service's message (another course's person and a missing one alike)."""
    wanted = set(ids)
    people = list(inventory_choices(actor=actor, course=course).filter(pk__in=wanted))
    if len(people) != len(wanted):
        raise ValidationError({field: message})
    return people


# --- The assessment -------------------------------------------------------------------------------------------


@router.put(
    "/courses/{int:course_id}/assessment",
    response={200: AssessmentSavedOut, **ERRORS_WRITE},
    summary="Record the assessment",
)
def assessment_save_api(request: HttpRequest, course_id: Id, payload: AssessmentIn) -> Assessment:
    """Assessment and diagnosis, the suicide risk screen, the sick role and psychoeducation (the whole record:
    what is left out is saved empty). Dates are not in the future nor before the course opened."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    return assessment_save(actor=actor, course=course, details=details_from(AssessmentDetails, payload.model_dump()))


# --- The interpersonal inventory ------------------------------------------------------------------------------


@router.post(
    "/courses/{int:course_id}/inventory",
    response={201: PersonItemOut, **ERRORS_WRITE},
    summary="Add a person to the inventory",
)
@idempotent
def person_create_api(request: HttpRequest, course_id: Id, payload: PersonIn) -> Status[InventoryPerson]:
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    details = details_from(PersonDetails, payload.model_dump())
    return Status(201, inventory_person_create(actor=actor, course=course, details=details))


@router.get("/inventory/{int:person_id}", response={200: PersonItemOut, **ERRORS_READ}, summary="Read a person")
def person_get_api(request: HttpRequest, person_id: Id) -> InventoryPerson:
    return inventory_person_get_for_view(actor=actor_of(request), person_id=person_id)


@router.patch("/inventory/{int:person_id}", response={200: PersonItemOut, **ERRORS_WRITE}, summary="Change a person")
def person_update_api(request: HttpRequest, person_id: Id, payload: PersonPatch) -> InventoryPerson:
    """Only the fields sent change; the person is then checked whole, as on the edit form."""
    actor = actor_of(request)
    person = inventory_person_get(actor=actor, person_id=person_id)
    current = {name: getattr(person, name) for name in field_names(PersonDetails)}
    details = details_from(PersonDetails, current | payload.model_dump(exclude_unset=True))
    return inventory_person_update(actor=actor, person=person, details=details)


@router.delete("/inventory/{int:person_id}", response={**NO_CONTENT, **ERRORS_WRITE}, summary="Remove a person")
def person_delete_api(request: HttpRequest, person_id: Id) -> Status[None]:
    """Their timeline events stay, without the link; they leave the triad's support people."""
    actor = actor_of(request)
    inventory_person_delete(actor=actor, person=inventory_person_get(actor=actor, person_id=person_id))
    return Status(204, None)


# --- The timeline ---------------------------------------------------------------------------------------------


def _event_details(actor: Actor, course: Course, values: dict[str, Any]) -> EventDetails:
    """The event's details with its person id (sent, or the event's own) as the person of this course."""
    person = None
    if values["person"] is not None:
        (person,) = _people(actor, course, [values["person"]], "person", ERROR_PERSON_OTHER_COURSE)
    return details_from(EventDetails, values, person=person)


@router.post(
    "/courses/{int:course_id}/timeline",
    response={201: EventItemOut, **ERRORS_WRITE},
    summary="Add an event to the timeline",
)
@idempotent
def event_create_api(request: HttpRequest, course_id: Id, payload: EventIn) -> Status[TimelineEvent]:
    """A dated life event or change in symptoms: not in the future, not before the client was born."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    details = _event_details(actor, course, payload.model_dump())
    return Status(201, timeline_event_create(actor=actor, course=course, details=details))


@router.get("/timeline/{int:event_id}", response={200: EventItemOut, **ERRORS_READ}, summary="Read a timeline event")
def event_get_api(request: HttpRequest, event_id: Id) -> TimelineEvent:
    return timeline_event_get_for_view(actor=actor_of(request), event_id=event_id)


@router.patch(
    "/timeline/{int:event_id}", response={200: EventItemOut, **ERRORS_WRITE}, summary="Change a timeline event"
)
def event_update_api(request: HttpRequest, event_id: Id, payload: EventPatch) -> TimelineEvent:
    """Only the fields sent change; send `person: null` to unlink the person."""
    actor = actor_of(request)
    event = timeline_event_get(actor=actor, event_id=event_id)
    current = {"occurred_on": event.occurred_on, "kind": event.kind, "description": event.description}
    values = {**current, "person": event.person_id, **payload.model_dump(exclude_unset=True)}
    return timeline_event_update(actor=actor, event=event, details=_event_details(actor, event.course, values))


@router.delete("/timeline/{int:event_id}", response={**NO_CONTENT, **ERRORS_WRITE}, summary="Remove a timeline event")
def event_delete_api(request: HttpRequest, event_id: Id) -> Status[None]:
    actor = actor_of(request)
    timeline_event_delete(actor=actor, event=timeline_event_get(actor=actor, event_id=event_id))
    return Status(204, None)


# --- The Interpersonal Triad ----------------------------------------------------------------------------------


@router.put(
    "/courses/{int:course_id}/triad",
    response={200: TriadOut, **ERRORS_WRITE},
    summary="Record the Interpersonal Triad",
)
def triad_save_api(request: HttpRequest, course_id: Id, payload: TriadIn) -> Triad:
    """The acute crisis, the vulnerabilities and the social support (the whole record: what is left out is saved
    empty); `support_people` are inventory person ids of this course."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    people = _people(actor, course, payload.support_people, "support_people", ERROR_SUPPORT_PEOPLE_OTHER_COURSE)
    details = details_from(TriadDetails, payload.model_dump(), support_people=tuple(people))
    return triad_save(actor=actor, course=course, details=details)
