"""Changes to the initial part of a course: one audited function per action, in a transaction.

The assessment (§3.1 tasks 1-4), the interpersonal inventory (§4.2), the timeline (§4.4) and the
Interpersonal Triad (§1.3) of ipt-protocol.md. Every write needs an open course the actor may change;
a closed course's records are read-only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.protocol import ProblemAreaCode, protocol
from iptriad.core.protocol.closeness import MAX_RINGS
from iptriad.core.protocol.model import SickRoleKind
from iptriad.courses.models import Assessment, Course, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.models.initial import Relationship, RiskScreen, TimelineKind
from iptriad.courses.services.course import course_for_change
from iptriad.measures.services import risk_alert_open_concern

# Risk screen results after which the clinician opens a risk alert (ipt-protocol.md §10.2: moderate and
# high or imminent risk call for action beyond documenting). Pages and the course section read this.
RISK_ALERT_SCREENS = frozenset({RiskScreen.MODERATE, RiskScreen.HIGH})

ERROR_DATE_IN_FUTURE = "This date is in the future: give the date it was done."
ERROR_DATE_BEFORE_COURSE = "The course opened on {opened}: give a date on or after it."
ERROR_RISK_SCREEN = "Choose the result of the suicide risk screen from the list."
ERROR_TOO_LONG = "Shorten this to {limit} characters or fewer."
ERROR_NAME_REQUIRED = "Give the person's name or initials."
ERROR_RELATIONSHIP = "Choose the relationship from the list."
ERROR_RELATIONSHIP_UNDESCRIBED = "Say what the relationship is, for example neighbour or teacher."
ERROR_RING = f"Choose a ring from 1 (closest) to {MAX_RINGS}."
ERROR_ANGLE = "Give the position on the ring in degrees, from 0 up to but not including 360."
ERROR_PROBLEM_AREA = "Choose one of the four problem areas, or none."
ERROR_EVENT_IN_FUTURE = "The timeline records what has already happened: give a date that is not in the future."
ERROR_EVENT_BEFORE_BIRTH = "This date is before the client was born: check the year."
ERROR_EVENT_KIND = "Choose what kind of event this is."
ERROR_DESCRIPTION_REQUIRED = "Say what happened."
ERROR_PERSON_OTHER_COURSE = "Choose a person from this client's interpersonal inventory."
ERROR_SUPPORT_PEOPLE_OTHER_COURSE = "Choose support people from this client's interpersonal inventory."
ERROR_NO_SICK_ROLE = "Maintenance IPT gives no sick role: the client starts in remission."
ERROR_SICK_ROLE_REVIEW_BEFORE_GIVEN = "The sick role is reviewed after it was given: give both dates, in that order."
ERROR_RECORD_GONE = "This record was removed in the meantime; nothing was saved."


@dataclasses.dataclass(frozen=True)
class AssessmentDetails:
    """What the assessment form records (every field may stay empty until it is known)."""

    presenting_problems: str = ""
    diagnosis_code: str = ""
    diagnosis_label: str = ""
    episode_history: str = ""
    medication: str = ""
    suicide_risk_screen: str = ""
    suicide_risk_notes: str = ""
    assessed_on: dt.date | None = None
    sick_role_given_on: dt.date | None = None
    sick_role_notes: str = ""
    sick_role_reviewed_on: dt.date | None = None
    psychoeducation_given_on: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class PersonDetails:
    """One important person of the interpersonal inventory, every field of ipt-protocol.md §4.2."""

    name: str
    relationship: str
    relationship_detail: str = ""
    ring: int = 2  # the model's default
    angle: float | None = None  # degrees clockwise from the top; None: spread evenly on the ring
    contact: str = ""
    satisfying: str = ""
    unsatisfying: str = ""
    communication: str = ""
    knows_about_depression: bool | None = None
    feelings: str = ""
    expectations: str = ""
    support: str = ""
    can_ask_for_support: bool | None = None
    change_since_onset: str = ""
    desired_change: str = ""
    linked_problem_area: str = ""
    focus_candidate: bool = False


@dataclasses.dataclass(frozen=True)
class EventDetails:
    """A dated life event or change in symptoms (§4.4), optionally about a person of the inventory."""

    occurred_on: dt.date
    kind: str
    description: str
    person: InventoryPerson | None = None


@dataclasses.dataclass(frozen=True)
class TriadDetails:
    """The clinical Interpersonal Triad (§1.3): crisis, vulnerabilities and social support."""

    acute_crisis: str = ""
    biological_vulnerabilities: str = ""
    psychological_vulnerabilities: str = ""
    social_vulnerabilities: str = ""
    social_support: str = ""
    support_people: tuple[InventoryPerson, ...] = ()


# ---------------------------------------------------------------------------------------------------------
# The assessment


@transaction.atomic
def assessment_save(*, actor: Actor, course: Course, details: AssessmentDetails) -> Assessment:
    """Record or update the course's assessment, diagnosis, sick role and psychoeducation."""
    course = course_for_change(actor, course)
    details = _tidy(details)
    errors = _lengths(Assessment, details)
    if details.suicide_risk_screen and details.suicide_risk_screen not in RiskScreen.values:
        errors["suicide_risk_screen"] = ERROR_RISK_SCREEN
    for field in ("assessed_on", "sick_role_given_on", "sick_role_reviewed_on", "psychoeducation_given_on"):
        message = _date_error(getattr(details, field), course)
        if message:
            errors[field] = message
    reviewed, given = details.sick_role_reviewed_on, details.sick_role_given_on
    if protocol().adaptation(course.adaptation).sick_role.kind is SickRoleKind.NONE:
        for field in ("sick_role_given_on", "sick_role_reviewed_on"):
            if getattr(details, field) is not None:
                errors[field] = ERROR_NO_SICK_ROLE
    if reviewed is not None and "sick_role_reviewed_on" not in errors and (given is None or reviewed < given):
        errors["sick_role_reviewed_on"] = ERROR_SICK_ROLE_REVIEW_BEFORE_GIVEN
    _raise(errors)
    assessment = Assessment.objects.filter(course=course).first()
    created = assessment is None
    if assessment is None:
        assessment = Assessment(organisation_id=course.organisation_id, course=course)
    previous_screen = "" if created else assessment.suicide_risk_screen
    changed = _apply(assessment, details, created=created)
    if changed or created:
        assessment.updated_at = timezone.now()
        assessment.save()
        _saved(actor, course, assessment, changed)
    if risk_alert_needed(assessment.suicide_risk_screen) and assessment.suicide_risk_screen != previous_screen:
        # A risk flag is never left as a note: a moderate or high screen opens an alert in the same transaction,
        # which stays open until the assessment and action are recorded (ipt-protocol.md §10.2).
        label = RiskScreen(assessment.suicide_risk_screen).label.lower()
        risk_alert_open_concern(
            actor=actor,
            client=course.client,
            concern=f"Initial assessment: suicide risk screen {label}.",
            context=course.treatment_context,
        )
    return assessment


def risk_alert_needed(screen: str) -> bool:
    """Whether a suicide risk screen result should lead to a risk alert (moderate, high or imminent)."""
    return screen in RISK_ALERT_SCREENS


# ---------------------------------------------------------------------------------------------------------
# The interpersonal inventory


@transaction.atomic
def inventory_person_create(*, actor: Actor, course: Course, details: PersonDetails) -> InventoryPerson:
    course = course_for_change(actor, course)
    details = _tidy(details)
    _validate_person(details)
    person = InventoryPerson(organisation_id=course.organisation_id, course=course)
    changed = _apply(person, details, created=True)
    person.save()
    _saved(actor, course, person, changed)
    return person


@transaction.atomic
def inventory_person_update(*, actor: Actor, person: InventoryPerson, details: PersonDetails) -> InventoryPerson:
    course = course_for_change(actor, person.course)
    person = _fresh(InventoryPerson, person.pk, course)
    details = _tidy(details)
    _validate_person(details)
    changed = _apply(person, details, created=False)
    if changed:
        person.save()
        _saved(actor, course, person, changed)
    return person


@transaction.atomic
def inventory_person_delete(*, actor: Actor, person: InventoryPerson) -> None:
    """Remove a person; their timeline events stay without the link, and they leave the triad's support."""
    course = course_for_change(actor, person.course)
    person = _fresh(InventoryPerson, person.pk, course)
    # Recorded before the delete, while the person still has its id.
    audit_record(actor=actor, action=AuditAction.COURSE_RECORD_DELETED, obj=person, detail={"course": course.pk})
    person.delete()
    _touch(course)


def _validate_person(details: PersonDetails) -> None:
    errors = _lengths(InventoryPerson, details)
    if not details.name:
        errors["name"] = ERROR_NAME_REQUIRED
    if details.relationship not in Relationship.values:
        errors["relationship"] = ERROR_RELATIONSHIP
    elif details.relationship == Relationship.OTHER and not details.relationship_detail:
        errors["relationship_detail"] = ERROR_RELATIONSHIP_UNDESCRIBED
    if not 1 <= details.ring <= MAX_RINGS:
        errors["ring"] = ERROR_RING
    if details.angle is not None and not (math.isfinite(details.angle) and 0 <= details.angle < 360):
        errors["angle"] = ERROR_ANGLE
    if details.linked_problem_area and details.linked_problem_area not in set(ProblemAreaCode):
        errors["linked_problem_area"] = ERROR_PROBLEM_AREA
    _raise(errors)


# ---------------------------------------------------------------------------------------------------------
# The timeline


@transaction.atomic
def timeline_event_create(*, actor: Actor, course: Course, details: EventDetails) -> TimelineEvent:
    course = course_for_change(actor, course)
    details = _tidy(details)
    _validate_event(course, details)
    event = TimelineEvent(organisation_id=course.organisation_id, course=course)
    changed = _apply(event, details, created=True)
    event.save()
    _saved(actor, course, event, changed)
    return event


@transaction.atomic
def timeline_event_update(*, actor: Actor, event: TimelineEvent, details: EventDetails) -> TimelineEvent:
    course = course_for_change(actor, event.course)
    event = _fresh(TimelineEvent, event.pk, course)
    details = _tidy(details)
    _validate_event(course, details)
    changed = _apply(event, details, created=False)
    if changed:
        event.save()
        _saved(actor, course, event, changed)
    return event


@transaction.atomic
def timeline_event_delete(*, actor: Actor, event: TimelineEvent) -> None:
    course = course_for_change(actor, event.course)
    event = _fresh(TimelineEvent, event.pk, course)
    audit_record(actor=actor, action=AuditAction.COURSE_RECORD_DELETED, obj=event, detail={"course": course.pk})
    event.delete()
    _touch(course)


def _validate_event(course: Course, details: EventDetails) -> None:
    errors: dict[str, str] = {}
    if details.occurred_on > timezone.localdate():
        errors["occurred_on"] = ERROR_EVENT_IN_FUTURE
    elif details.occurred_on < course.client.date_of_birth:
        errors["occurred_on"] = ERROR_EVENT_BEFORE_BIRTH
    if details.kind not in TimelineKind.values:
        errors["kind"] = ERROR_EVENT_KIND
    if not details.description:
        errors["description"] = ERROR_DESCRIPTION_REQUIRED
    if details.person is not None and details.person.course_id != course.pk:
        errors["person"] = ERROR_PERSON_OTHER_COURSE
    _raise(errors)


# ---------------------------------------------------------------------------------------------------------
# The Interpersonal Triad


@transaction.atomic
def triad_save(*, actor: Actor, course: Course, details: TriadDetails) -> Triad:
    """Record or update the course's triad; the support people must come from this course's inventory."""
    course = course_for_change(actor, course)
    details = _tidy(details)
    wanted = {person.pk for person in details.support_people}
    if any(person.course_id != course.pk for person in details.support_people) or (
        len(wanted) != InventoryPerson.objects.filter(course=course, pk__in=wanted).count()
    ):
        raise ValidationError({"support_people": ERROR_SUPPORT_PEOPLE_OTHER_COURSE})
    triad = Triad.objects.filter(course=course).first()
    created = triad is None
    if triad is None:
        triad = Triad(organisation_id=course.organisation_id, course=course)
    changed = _apply(triad, details, created=created)  # the texts; the people are compared by id below
    current = set() if created else set(triad.support_people.values_list("pk", flat=True))
    if wanted != current:
        changed.append("support_people")
    if changed or created:
        triad.updated_at = timezone.now()
        triad.save()
        triad.support_people.set(sorted(wanted))
        _saved(actor, course, triad, changed)
    return triad


# ---------------------------------------------------------------------------------------------------------
# Shared steps


def _fresh(model: type[Any], pk: int, course: Course) -> Any:
    """The record as stored now (a page's form may have filled in the instance it was given)."""
    record = model.objects.select_for_update().filter(pk=pk, course=course).first()
    if record is None:
        raise ValidationError(ERROR_RECORD_GONE)
    return record


def _tidy(details: Any) -> Any:
    """The details with surrounding whitespace removed from every text."""
    changes = {
        field.name: getattr(details, field.name).strip()
        for field in dataclasses.fields(details)
        if isinstance(getattr(details, field.name), str)
    }
    return dataclasses.replace(details, **changes)


def _lengths(model: type[Model], details: Any) -> dict[str, str]:
    """Texts longer than their column allows (services are entry points too: API, CLI)."""
    errors: dict[str, str] = {}
    for field in dataclasses.fields(details):
        limit = getattr(model._meta.get_field(field.name), "max_length", None)
        value = getattr(details, field.name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            errors[field.name] = ERROR_TOO_LONG.format(limit=limit)
    return errors


def _date_error(day: dt.date | None, course: Course) -> str:
    if day is None:
        return ""
    if day > timezone.localdate():
        return ERROR_DATE_IN_FUTURE
    if day < course.opened_on:
        return ERROR_DATE_BEFORE_COURSE.format(opened=date_format(course.opened_on, "j F Y"))
    return ""


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _apply(record: Model, details: Any, *, created: bool) -> list[str]:
    """Copy the details onto the record; the names of the fields that changed (or were given, when new)."""
    changed = []
    for field in dataclasses.fields(details):
        value = getattr(details, field.name)
        if field.name == "support_people":  # a many-to-many relation, set by triad_save itself
            continue
        if created:
            if value not in ("", None, False):
                changed.append(field.name)
        elif getattr(record, field.name) != value:
            changed.append(field.name)
        setattr(record, field.name, value)
    return changed


def _saved(actor: Actor, course: Course, record: Model, changed: list[str]) -> None:
    _touch(course)
    # Field names only: the audit trail never copies clinical content (docs/decisions/0004).
    audit_record(
        actor=actor, action=AuditAction.COURSE_RECORD_SAVED, obj=record, detail={"course": course.pk, "fields": changed}
    )


def _touch(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())
