"""Demo courses that are clearly not on track, each with a realistic history, so the demo supervisor sees flags with
their rules: early non-response, reliable deterioration, two missed sessions, and a course never reviewed in
supervision. Then the flags of the whole demo organisation are refreshed (the rows a dashboard reads).

Realistic but fictional. As in iptriad.demo.courses, the course is opened and moved into its middle phase by the
real services, every PHQ-9 is recorded through the measures service; the records inside are written directly.
Clients DEMO-0019, DEMO-0022, DEMO-0025 and DEMO-0028 are used; one that has a course already is left alone, so
loading the demo again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.clients.models import Client
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, CourseSession, CourseTask
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.services.course import course_change_phase, course_open
from iptriad.demo.courses import DemoCourse, _focus, _phq9_answers, _records
from iptriad.flags.services import flags_contexts_of, flags_refresh
from iptriad.measures.models import Administration
from iptriad.measures.services import administration_record, occasion_create

THERAPIST = "therapist@demo.iptriad.example"
THERAPIST_2 = "therapist2@demo.iptriad.example"


@dataclass(frozen=True)
class OffTrackCourse:
    course: DemoCourse
    # One entry per weekly session from the first: the PHQ-9 total given there, or None for a no-show.
    history: tuple[int | None, ...]
    why: str  # what the demo shows, for the reader of this file


OFF_TRACK = (
    OffTrackCourse(
        DemoCourse(
            "DEMO-0019",
            THERAPIST,
            "standard",
            "role_dispute",
            Phase.MIDDLE,
            12,
            6,
            ("Brother", "sibling"),
            "Falling out with brother over their father's care",
        ),
        (21, 20, 20, 19, 19, 18),
        "PHQ-9 still 18 at week 5: early non-response (>= 17 from week 4)",
    ),
    OffTrackCourse(
        DemoCourse(
            "DEMO-0022",
            THERAPIST_2,
            "standard",
            "role_transition",
            Phase.MIDDLE,
            12,
            5,
            ("Manager", "colleague"),
            "Made redundant after twelve years",
        ),
        (9, 11, 12, 14, 16),
        "PHQ-9 9 at the start, 16 now: reliable deterioration (at least 6 points worse)",
    ),
    OffTrackCourse(
        DemoCourse(
            "DEMO-0025",
            THERAPIST,
            "standard",
            "grief",
            Phase.MIDDLE,
            16,
            5,
            ("Grandmother (died in May)", "other_family"),
            "Grandmother died after a fall",
        ),
        (15, 14, 12, None, None),
        "The last two sessions missed in a row",
    ),
    OffTrackCourse(
        DemoCourse(
            "DEMO-0028",
            THERAPIST_2,
            "standard",
            "interpersonal_deficits",
            Phase.MIDDLE,
            12,
            5,
            ("Neighbour", "friend"),
            "Moved to the city alone",
        ),
        (16, 14, 12, 11, 9),
        "Improving, but not reviewed in supervision since it opened five weeks ago",
    ),
)


def _actor(user: User, organisation: Organisation) -> Actor:
    return Actor.for_membership(
        Membership.objects.select_related("user", "organisation").get(user=user, organisation=organisation)
    )


def _off_track_course(organisation: Organisation, off_track: OffTrackCourse) -> bool:
    demo = off_track.course
    client = Client.objects.filter(organisation=organisation, identifier=demo.identifier).first()
    if client is None or Course.objects.filter(client=client).exists():
        return False
    therapist = User.objects.get(email=demo.therapist_email)
    if client.therapist_id != therapist.pk:
        Client.objects.filter(pk=client.pk).update(therapist=therapist)
        client.refresh_from_db()
    actor = _actor(therapist, organisation)
    opened = timezone.localdate() - dt.timedelta(weeks=len(off_track.history))
    course = course_open(actor=actor, client=client, adaptation=demo.adaptation, opened_on=opened)
    _records(course, demo, opened)
    for task in ("initial.symptom_review", "initial.suicide_risk", "initial.inventory", "initial.timeline"):
        CourseTask.objects.create(organisation=organisation, course=course, task_id=task, recorded_by=therapist)
    _focus(course, demo, opened)
    course_change_phase(actor=actor, course=course, to_phase=Phase.MIDDLE)
    for number, total in enumerate(off_track.history, start=1):
        held_on = opened + dt.timedelta(weeks=number - 1)
        session = CourseSession.objects.create(
            organisation_id=course.organisation_id,
            course=course,
            occasion=occasion_create(context=course.treatment_context),
            number=number,
            held_on=held_on,
            phase=Phase.INITIAL if number <= 3 else Phase.MIDDLE,
            attendance=Attendance.ATTENDED if total is not None else Attendance.NO_SHOW,
            mood_since_last="About the same." if total is not None and number > 1 else "",
            risk_check="no_concern" if total is not None else "",
            recorded_by=therapist,
        )
        if total is None:
            continue
        administration = administration_record(
            actor=actor, client=client, code="phq9", answers=_phq9_answers(total), occasion=session.occasion
        )
        Administration.objects.filter(pk=administration.pk).update(
            completed_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(10, 0)))
        )
    return True


def demo_flags_load(organisation: Organisation) -> int:
    """The off-track courses (those not made before), then every context's flags refreshed; returns the courses
    made now."""
    created = sum(_off_track_course(organisation, off_track) for off_track in OFF_TRACK)
    flags_refresh(flags_contexts_of(organisation_id=organisation.pk))
    return created
