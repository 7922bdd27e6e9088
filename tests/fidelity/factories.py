"""Sessions to rate and their ratings, for the fidelity tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.core.fidelity import Answer, Checklist, individual_checklist, score
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, CourseSession
from iptriad.fidelity.models import FidelityRating, RaterRole
from tests.courses.factories import occasion_for


def held_sessions(
    course: Course, count: int, *, first_day: dt.date | None = None, phase: Phase = Phase.MIDDLE
) -> list[CourseSession]:
    """`count` attended sessions of the course, a week apart, numbered after those it has."""
    start = first_day or timezone.localdate() - dt.timedelta(weeks=count)
    after = course.sessions.count()
    return [
        CourseSession.objects.create(
            organisation_id=course.organisation_id,
            course=course,
            occasion=occasion_for(course),
            number=after + index + 1,
            held_on=start + dt.timedelta(weeks=index),
            phase=phase,
            recorded_by=course.therapist,
        )
        for index in range(count)
    ]


def all_answered(checklist: Checklist, answer: Answer = Answer.DONE, **overrides: Answer) -> dict[str, str]:
    """Every item answered `answer`, except the keys overridden (keys with dots given as __ in the name)."""
    answers = dict.fromkeys(checklist.keys, answer.value)
    answers.update({key.replace("__", "."): value.value for key, value in overrides.items()})
    return answers


def self_rating(session: CourseSession, therapist: User) -> FidelityRating:
    """The therapist's self-rating of a session, every item done (written directly: the matrix's object)."""
    checklist = individual_checklist(session.phase)
    return FidelityRating.objects.create(
        organisation_id=session.organisation_id,
        course_session=session,
        clinician=therapist,
        rater=therapist,
        rater_role=RaterRole.SELF,
        checklist=checklist.ref,
        answers=all_answered(checklist),
        score=score(all_answered(checklist)),
        note="Matrix self-rating",
    )
