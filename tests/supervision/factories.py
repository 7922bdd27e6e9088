"""Supervision entries for tests: one made straight in the database (for the permission matrix, which must not depend
on the services it checks) and details to send to the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.courses.models import Course
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry, SupervisionFormat
from iptriad.supervision.services import ActionNote, CaseNote, EntryDetails


@dataclass(frozen=True)
class SupervisionRecords:
    entry: SupervisionEntry
    case: ReviewedCase
    action: SupervisionAction  # open, owned by the course's therapist


def supervision_records(course: Course, *, supervisor: User) -> SupervisionRecords:
    """A meeting a week ago led by `supervisor`, attended by the course's therapist, reviewing the course, with one
    open action for the therapist."""
    held_on = timezone.localdate() - dt.timedelta(days=7)
    org = course.organisation_id
    entry = SupervisionEntry.objects.create(
        organisation_id=org, held_on=held_on, led_by=supervisor, recorded_by=supervisor, note="Matrix meeting"
    )
    entry.attendees.set([course.therapist])
    case = ReviewedCase.objects.create(
        organisation_id=org,
        entry=entry,
        treatment_context_id=course.treatment_context_id,
        client_id=course.client_id,
        clinician_id=course.therapist_id,
        discussion="Discussed the grief focus",
        risk_decision="No change to the risk plan",
    )
    action = SupervisionAction.objects.create(
        organisation_id=org,
        entry=entry,
        case=case,
        text="Revisit the formulation",
        owner_id=course.therapist_id,
        due_on=held_on + dt.timedelta(days=14),
    )
    return SupervisionRecords(entry=entry, case=case, action=action)


def details(
    *,
    attendees: list[User],
    cases: list[CaseNote] | None = None,
    actions: list[ActionNote] | None = None,
    held_on: dt.date | None = None,
) -> EntryDetails:
    return EntryDetails(
        held_on=held_on or timezone.localdate() - dt.timedelta(days=1),
        format=SupervisionFormat.INDIVIDUAL,
        attendee_ids=[user.pk for user in attendees],
        note="Weekly supervision",
        cases=cases or [],
        actions=actions or [],
    )


def action(owner: User | None, *, key: str = "0", context_id: int | None = None, due_in: int = 7) -> ActionNote:
    return ActionNote(
        key=key,
        text="Call the client's GP",
        owner_id=owner.pk if owner is not None else None,
        due_on=timezone.localdate() + dt.timedelta(days=due_in),
        context_id=context_id,
    )
