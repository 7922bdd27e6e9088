"""Demo courses that ended over the past year, so the demo's outcome report has something to count: most recovered,
some improved without recovering, a few unchanged or worse, two dropouts and one without an end score, across both
demo therapists, with the GAD-7 on some. Then the outcome rows of the whole demo organisation are refreshed.

Realistic but fictional: clients "PAST-0001" onwards, made by the clients service; each course opened, moved and
closed by the real services, every PHQ-9 and GAD-7 recorded through the measures service, the records inside written
directly (as iptriad.demo.courses and iptriad.demo.flags do). A client who has a course already is left alone, so
loading the demo again changes nothing. None of these courses is open: the demo's active cases stay as they are.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.clients.models import Client, Sex
from iptriad.clients.services import ClientDetails, client_create
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, CourseSession, CourseTask
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.services.course import course_change_phase, course_close, course_open
from iptriad.demo.courses import DemoCourse, _ending, _focus, _phq9_answers, _records
from iptriad.measures.models import Administration
from iptriad.measures.services import administration_record, occasion_create
from iptriad.outcomes.services import outcomes_contexts_of, outcomes_refresh

THERAPIST = "therapist@demo.iptriad.example"
THERAPIST_2 = "therapist2@demo.iptriad.example"
PREFIX = "PAST"
AREAS = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")
NO_SHOW = -1  # in a course's attendance plan: a session the client did not come to


@dataclass(frozen=True)
class PastCourse:
    therapist_email: str
    sessions: int  # sessions held, a week apart
    phq9: tuple[int, int | None]  # first and last total (None: no score after the first)
    gad7: tuple[int, int] | None = None
    ended_weeks_ago: int = 4
    completed: bool = True  # ran to its end; otherwise the client dropped out
    no_show_at: int | None = None  # a session missed
    adaptation: str = "standard"
    sex: str = Sex.FEMALE


PAST_COURSES = (
    PastCourse(THERAPIST, 12, (19, 5), (14, 4), ended_weeks_ago=50, sex=Sex.MALE),
    PastCourse(THERAPIST, 8, (16, 8), ended_weeks_ago=45),
    PastCourse(THERAPIST, 10, (14, 7), (10, 6), ended_weeks_ago=40, adaptation="perinatal"),
    PastCourse(THERAPIST, 12, (21, 8), ended_weeks_ago=35, no_show_at=3, sex=Sex.MALE),
    PastCourse(THERAPIST, 8, (8, 4), (5, 3), ended_weeks_ago=30),  # not a case at the start
    PastCourse(THERAPIST, 10, (15, 21), ended_weeks_ago=26, sex=Sex.MALE),  # reliably worse
    PastCourse(THERAPIST, 1, (17, None), ended_weeks_ago=22, completed=False),  # dropped out after one session
    PastCourse(THERAPIST, 6, (18, 16), ended_weeks_ago=18, completed=False, sex=Sex.MALE),  # no reliable change
    PastCourse(THERAPIST, 12, (13, 3), ended_weeks_ago=12),
    PastCourse(THERAPIST, 4, (16, None), ended_weeks_ago=8, completed=False),  # no end score
    PastCourse(THERAPIST_2, 12, (20, 6), (15, 5), ended_weeks_ago=48),
    PastCourse(THERAPIST_2, 8, (11, 4), ended_weeks_ago=43, sex=Sex.MALE),
    PastCourse(THERAPIST_2, 10, (17, 9), (9, 7), ended_weeks_ago=38),
    PastCourse(THERAPIST_2, 12, (12, 13), ended_weeks_ago=33, no_show_at=5),  # no reliable change
    PastCourse(THERAPIST_2, 8, (18, 11), ended_weeks_ago=28, adaptation="telephone", sex=Sex.MALE),
    PastCourse(THERAPIST_2, 10, (10, 17), ended_weeks_ago=24),  # reliably worse
    PastCourse(THERAPIST_2, 6, (14, 5), ended_weeks_ago=20, adaptation="perinatal"),
    PastCourse(THERAPIST_2, 2, (19, 18), ended_weeks_ago=16, completed=False, sex=Sex.MALE),  # left early
    PastCourse(THERAPIST_2, 12, (22, 8), (16, 6), ended_weeks_ago=10),
    PastCourse(THERAPIST_2, 8, (9, 16), (6, 11), ended_weeks_ago=6, sex=Sex.MALE),  # not a case, then worse
)
GIVEN = {Sex.FEMALE: ("Lena", "Maya", "Nadia", "Orla", "Priya", "Rosa"), Sex.MALE: ("Karim", "Luca", "Milo", "Omar")}
FAMILY = ("Sampleton", "Fictionby", "Placeholm", "Testwick", "Inventsby", "Madeupson")
LANGUAGES = ("en", "en", "en", "es", "fr", "pt")


def _gad7_answers(total: int) -> list[int | None]:
    answers: list[int | None] = []
    for _ in range(7):
        answers.append(min(3, total))
        total -= min(3, total)
    return answers


def _client(organisation: Organisation, number: int, past: PastCourse, therapist: User, rng: random.Random) -> Client:
    identifier = f"{PREFIX}-{number:04d}"
    existing = Client.objects.filter(organisation=organisation, identifier=identifier).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    given = GIVEN[Sex(past.sex)][number % len(GIVEN[Sex(past.sex)])]
    family = FAMILY[number % len(FAMILY)]
    age = rng.randint(19, 72)
    consent_on = today - dt.timedelta(weeks=past.ended_weeks_ago + past.sessions + 2)
    return client_create(
        actor=Actor.operator(organisation),
        details=ClientDetails(
            identifier=identifier,
            given_name=given,
            family_name=family,
            date_of_birth=today - dt.timedelta(days=age * 365 + rng.randint(30, 330)),
            sex=past.sex,
            gender="",
            phone=f"+44 7700 900{500 + number:03d}",  # Ofcom's range reserved for drama: never a real line
            email=f"{given.lower()}.{family.lower()}.p{number}@client.iptriad.example",
            preferred_language=rng.choice(LANGUAGES),
            consent_to_treatment=True,
            consent_to_treatment_on=consent_on,
            consent_to_data_use=True,
            consent_to_data_use_on=consent_on,
            therapist=therapist,
        ),
    )


def _totals(past: PastCourse) -> list[int | None]:
    """The PHQ-9 of each session: a straight line from the first to the last, none after the first without a last."""
    first, last = past.phq9
    if past.sessions == 1:
        return [first]
    if last is None:
        return [first] + [None] * (past.sessions - 1)
    step = (last - first) / (past.sessions - 1)
    return [round(first + step * index) for index in range(past.sessions)]


def _past_course(organisation: Organisation, number: int, past: PastCourse, rng: random.Random) -> bool:
    therapist = User.objects.get(email=past.therapist_email)
    client = _client(organisation, number, past, therapist, rng)
    if Course.objects.filter(client=client).exists():
        return False
    actor = Actor.for_membership(
        Membership.objects.select_related("user", "organisation").get(user=therapist, organisation=organisation)
    )
    ended = timezone.localdate() - dt.timedelta(weeks=past.ended_weeks_ago)
    opened = ended - dt.timedelta(weeks=past.sessions)
    area = AREAS[number % len(AREAS)]
    planned = past.sessions if past.completed else 12  # a dropout had agreed to twelve
    demo = DemoCourse(
        client.identifier, past.therapist_email, past.adaptation, area, Phase.CLOSED, planned, past.sessions,
        ("Partner", "partner"), "A hard year at home and at work",
    )  # fmt: skip
    course = course_open(actor=actor, client=client, adaptation=past.adaptation, opened_on=opened)
    _records(course, demo, opened)
    for task in ("initial.symptom_review", "initial.suicide_risk", "initial.inventory", "initial.timeline"):
        CourseTask.objects.create(organisation=organisation, course=course, task_id=task, recorded_by=therapist)
    _focus(course, demo, opened)
    course_change_phase(actor=actor, course=course, to_phase=Phase.MIDDLE)
    totals = _totals(past)
    for index, total in enumerate(totals):
        held_on = opened + dt.timedelta(weeks=index)
        missed = index + 1 == past.no_show_at
        session = CourseSession.objects.create(
            organisation_id=course.organisation_id,
            course=course,
            occasion=occasion_create(context=course.treatment_context),
            number=index + 1,
            held_on=held_on,
            phase=Phase.INITIAL if index < 3 else Phase.MIDDLE,
            attendance=Attendance.NO_SHOW if missed else Attendance.ATTENDED,
            risk_check="" if missed else "no_concern",
            recorded_by=therapist,
        )
        if missed or total is None:
            continue
        given = [administration_record(actor=actor, client=client, code="phq9", answers=_phq9_answers(total),
                                       occasion=session.occasion)]  # fmt: skip
        last = index == len(totals) - 1
        if past.gad7 is not None and (index == 0 or last):
            answers = _gad7_answers(past.gad7[0 if index == 0 else 1])
            given.append(
                administration_record(
                    actor=actor, client=client, code="gad7", answers=answers, occasion=session.occasion
                )
            )
        Administration.objects.filter(pk__in=[item.pk for item in given]).update(
            completed_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(10, 0)))
        )
    if past.completed:
        course_change_phase(actor=actor, course=course, to_phase=Phase.TERMINATION)
        _ending(course, demo, opened)
        course_close(
            actor=actor, course=course, reason="completed", note="Finished the agreed sessions.", closed_on=ended
        )
    else:
        course_close(actor=actor, course=course, reason="dropped_out", closed_on=ended)
    return True


def demo_outcomes_load(organisation: Organisation) -> int:
    """The past courses (those not made before); returns the courses made now."""
    rng = random.Random("iptriad-demo-outcomes")  # noqa: S311 (demo data: seeded, nothing secret)
    return sum(_past_course(organisation, number, past, rng) for number, past in enumerate(PAST_COURSES, start=1))


def demo_outcomes_refresh(organisation: Organisation) -> int:
    """Every context's outcome row stored (a later write refreshes its own context on commit)."""
    return outcomes_refresh(outcomes_contexts_of(organisation_id=organisation.pk))
