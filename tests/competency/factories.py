"""Competency records and fidelity ratings for the tests: rows written directly, so a test states only what it needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from iptriad.accounts.models import Membership, Organisation, User
from iptriad.competency.models import Certification, TrainingKind, TrainingRecord
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, CourseSession
from iptriad.fidelity.models import FidelityRating, RaterRole
from tests.courses.factories import occasion_for


def make_training(
    person: User,
    organisation: Organisation,
    *,
    completed_on: dt.date,
    kind: str = TrainingKind.COURSE,
    title: str = "IPT two-day course",
    hours: Decimal | None = Decimal("14.0"),
) -> TrainingRecord:
    return TrainingRecord.objects.create(
        organisation=organisation,
        person=person,
        kind=kind,
        title=title,
        provider="Training provider",
        completed_on=completed_on,
        hours=hours,
        recorded_by=person,
    )


def make_certification(
    person: User,
    organisation: Organisation,
    *,
    certified_on: dt.date,
    valid_until: dt.date | None = None,
    what: str = "IPT Institute certification",
) -> Certification:
    return Certification.objects.create(
        organisation=organisation,
        person=person,
        what=what,
        body="IPT Institute",
        certified_on=certified_on,
        valid_until=valid_until,
        recorded_by=person,
    )


@dataclass(frozen=True)
class CompetencyRecords:
    membership: Membership  # what the record's pages address
    training: TrainingRecord
    certification: Certification


def competency_records(person: User, organisation: Organisation) -> CompetencyRecords:
    """A person's training and certification, for the permission matrix and the IDOR probes."""
    return CompetencyRecords(
        membership=Membership.objects.get(user=person, organisation=organisation),
        training=make_training(person, organisation, completed_on=dt.date(2025, 3, 1)),
        certification=make_certification(
            person, organisation, certified_on=dt.date(2025, 6, 1), valid_until=dt.date(2028, 6, 1)
        ),
    )


def rate(
    course: Course, *, clinician: User, rater: User, role: str, score: str | None, rated_on: dt.date, number: int
) -> FidelityRating:
    """A rating of session `number` of the course (made when missing), as the fidelity app stores it."""
    session = CourseSession.objects.filter(course=course, number=number).first() or CourseSession.objects.create(
        organisation_id=course.organisation_id,
        course=course,
        occasion=occasion_for(course),
        number=number,
        held_on=rated_on,
        phase=Phase.MIDDLE,
        recorded_by=clinician,
    )
    return FidelityRating.objects.create(
        organisation_id=course.organisation_id,
        course_session=session,
        clinician=clinician,
        rater=rater,
        rater_role=RaterRole(role),
        checklist="iptriad-individual:1",
        score=Decimal(score) if score is not None else None,
        rated_on=rated_on,
    )


def record_of(user: User) -> int:
    """The id a person's record is addressed by: their (only) membership's."""
    return Membership.objects.get(user=user).pk
