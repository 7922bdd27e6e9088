"""Demo IPT courses: one in each phase and each problem area, with sessions, measures and one open risk alert.

Realistic but fictional. The course itself is opened and moved through its phases by the real services (so the
protocol's rules hold for the demo too); the records inside are written directly, in the shape the pages write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.clients.models import Client
from iptriad.core.protocol import Phase, protocol
from iptriad.courses.models import (
    Assessment,
    Course,
    CourseSession,
    CourseTask,
    Formulation,
    Goal,
    InventoryPerson,
    MaintenancePlan,
    ProblemAreaChoice,
    RelapsePreventionPlan,
    TerminationReview,
    TimelineEvent,
    TreatmentContract,
    Triad,
)
from iptriad.courses.services.course import course_change_phase, course_close, course_open
from iptriad.measures.models import Administration, RiskAlert
from iptriad.measures.services import administration_record, occasion_create


@dataclass(frozen=True)
class DemoCourse:
    identifier: str
    therapist_email: str
    adaptation: str
    area: str
    phase: Phase
    sessions_planned: int
    sessions_held: int
    person: tuple[str, str]  # name, relationship
    event: str
    risk_at_session: int | None = None  # a PHQ-9 item 9 answered positively at this session
    closed_completed: bool = False


DEMO_COURSES = (
    DemoCourse(
        "DEMO-0001",
        "therapist@demo.iptriad.example",
        "standard",
        "grief",
        Phase.INITIAL,
        16,
        2,
        ("Mum (died in March)", "parent"),
        "Mother died after a short illness",
    ),
    DemoCourse(
        "DEMO-0004",
        "therapist@demo.iptriad.example",
        "standard",
        "grief",
        Phase.MIDDLE,
        16,
        6,
        ("Dad (died last year)", "parent"),
        "Father died suddenly",
    ),
    DemoCourse(
        "DEMO-0007",
        "therapist@demo.iptriad.example",
        "standard",
        "role_dispute",
        Phase.MIDDLE,
        12,
        7,
        ("Partner", "partner"),
        "Arguments with partner about money began",
        risk_at_session=7,
    ),
    DemoCourse(
        "DEMO-0006",
        "therapist2@demo.iptriad.example",
        "ipt_a",
        "role_transition",
        Phase.TERMINATION,
        12,
        10,
        ("Best friend", "friend"),
        "Moved to a new school",
    ),
    DemoCourse(
        "DEMO-0013",
        "therapist2@demo.iptriad.example",
        "standard",
        "interpersonal_deficits",
        Phase.MAINTENANCE,
        16,
        16,
        ("Sister", "sibling"),
        "Lost touch with the last close friend",
    ),
    DemoCourse(
        "DEMO-0016",
        "therapist2@demo.iptriad.example",
        "perinatal",
        "role_transition",
        Phase.CLOSED,
        12,
        12,
        ("Partner", "partner"),
        "Baby born; stopped working",
        closed_completed=True,
    ),
)
# The total PHQ-9 of each session: a course that improves, with the usual bumps.
PHQ9_COURSE = (19, 18, 16, 15, 15, 13, 12, 10, 9, 8, 8, 7, 6, 6, 5, 4)


def _phq9_answers(total: int, item9: int = 0) -> list[int | None]:
    """Nine answers (positions 0-3) summing to `total`, item 9 as given."""
    answers = [0] * 9
    answers[8] = item9
    remaining = total - item9
    for index in range(8):
        answers[index] = min(3, remaining)
        remaining -= answers[index]
    return list(answers)


def _records(course: Course, demo: DemoCourse, opened: dt.date) -> None:
    org = course.organisation_id
    Assessment.objects.create(
        organisation_id=org,
        course=course,
        presenting_problems="Low mood, poor sleep and withdrawal from friends for about three months.",
        diagnosis_code="F32.1",
        diagnosis_label="Moderate depressive episode",
        episode_history="First episode.",
        medication="None at present.",
        suicide_risk_screen="no_risk",
        assessed_on=opened,
        sick_role_given_on=opened,
        psychoeducation_given_on=opened,
    )
    person = InventoryPerson.objects.create(
        organisation_id=org,
        course=course,
        name=demo.person[0],
        relationship=demo.person[1],
        ring=1,
        satisfying="Feels understood when they talk.",
        unsatisfying="Conversations often end in silence or arguments.",
        linked_problem_area=demo.area,
        focus_candidate=True,
    )
    InventoryPerson.objects.create(
        organisation_id=org, course=course, name="Neighbour", relationship="friend", ring=3, satisfying="Friendly"
    )
    TimelineEvent.objects.create(
        organisation_id=org,
        course=course,
        occurred_on=opened - dt.timedelta(days=120),
        kind="life_event",
        description=demo.event,
        person=person,
    )
    TimelineEvent.objects.create(
        organisation_id=org,
        course=course,
        occurred_on=opened - dt.timedelta(days=90),
        kind="symptom_onset",
        description="Low mood and poor sleep began.",
    )
    triad = Triad.objects.create(
        organisation_id=org, course=course, acute_crisis=demo.event, social_support="A neighbour; little else now."
    )
    triad.support_people.add(person)


def _focus(course: Course, demo: DemoCourse, opened: dt.date) -> None:
    org = course.organisation_id
    area = ProblemAreaChoice.objects.create(
        organisation_id=org,
        course=course,
        area=demo.area,
        evidence=f"Symptoms began after: {demo.event.lower()}.",
        dispute_stage="renegotiation" if demo.area == "role_dispute" else "",
        chosen_on=opened + dt.timedelta(days=14),
    )
    for goal in protocol().problem_area(demo.area).goals[:2]:
        Goal.objects.create(organisation_id=org, course=course, problem_area=area, text=goal.text, status="in_progress")
    Formulation.objects.create(
        organisation_id=org,
        course=course,
        text=(
            f"Your depression is an illness that can be treated. It began after a hard time: {demo.event.lower()}. "
            f"Over the next {demo.sessions_planned} weeks we will work on this together; as it eases, your mood is "
            "expected to improve."
        ),
        shared_on=opened + dt.timedelta(days=14),
        agreed_on=opened + dt.timedelta(days=14),
    )
    TreatmentContract.objects.create(
        organisation_id=org,
        course=course,
        sessions_planned=demo.sessions_planned,
        starts_on=opened,
        planned_end_on=opened + dt.timedelta(weeks=demo.sessions_planned),
        missed_session_rule="Tell us a day ahead if you cannot come; a missed session still counts.",
        agreed_on=opened + dt.timedelta(days=14),
    )


def _sessions(course: Course, demo: DemoCourse, actor: Actor, opened: dt.date) -> None:
    strategies = [s.id for s in protocol().problem_area(demo.area).strategies[:2]]
    for number in range(1, demo.sessions_held + 1):
        held_on = opened + dt.timedelta(weeks=number - 1)
        phase = (
            Phase.INITIAL if number <= 3 else Phase.MIDDLE if number <= demo.sessions_planned - 3 else Phase.TERMINATION
        )
        if demo.phase == Phase.MAINTENANCE and number > demo.sessions_planned - 1:
            phase = Phase.TERMINATION
        session = CourseSession.objects.create(
            organisation_id=course.organisation_id,
            course=course,
            occasion=occasion_create(context=course.treatment_context),
            number=number,
            held_on=held_on,
            phase=phase,
            mood_since_last="A bit better since the last session." if number > 1 else "",
            strategies=strategies if phase != Phase.INITIAL else [],
            techniques=["linking_mood_to_events", "communication_analysis"] if phase != Phase.INITIAL else [],
            homework_review="done" if number > 1 else "none_set",
            homework_set="Notice when mood changes and what happened just before.",
            risk_check="concern" if number == demo.risk_at_session else "no_concern",
            recorded_by=course.therapist,
        )
        total = PHQ9_COURSE[min(number - 1, len(PHQ9_COURSE) - 1)]
        positive = number == demo.risk_at_session
        code = "phqa" if demo.adaptation == "ipt_a" else "phq9"
        answers = _phq9_answers(total, item9=1 if positive else 0)
        if code == "phqa":
            answers = [*answers, 0, 1, 1, 1]  # past year sad: Yes; difficulty: somewhat; serious thoughts: No; ever: No
        administration = administration_record(
            actor=actor, client=course.client, code=code, answers=answers, occasion=session.occasion
        )
        completed_at = timezone.make_aware(dt.datetime.combine(held_on, dt.time(10, 0)))
        Administration.objects.filter(pk=administration.pk).update(completed_at=completed_at)
        RiskAlert.objects.filter(administration=administration).update(opened_at=completed_at)


def _ending(course: Course, demo: DemoCourse, opened: dt.date) -> None:
    org = course.organisation_id
    TerminationReview.objects.create(
        organisation_id=org,
        course=course,
        progress_summary="Mood much improved; back in touch with friends.",
        why_better="Spoke up for their own needs and made new contacts.",
        skills_gained="Asking for support.",
        feelings_about_ending="Some sadness about ending, which we talked through.",
        next_step="maintenance" if demo.phase == Phase.MAINTENANCE else "none",
    )
    RelapsePreventionPlan.objects.create(
        organisation_id=org,
        course=course,
        warning_signs="Sleeping badly; not answering messages.",
        what_helps="A walk with a friend; keeping a regular routine.",
        people_to_turn_to=demo.person[0],
        if_symptoms_return="Call the clinic and ask for a review appointment.",
        emergency_contacts=course.organisation.crisis_contacts,
        agreed_on=opened + dt.timedelta(weeks=demo.sessions_planned - 1),
    )


def _demo_course(organisation: Organisation, demo: DemoCourse) -> bool:
    client = Client.objects.filter(organisation=organisation, identifier=demo.identifier).first()
    if client is None or Course.objects.filter(client=client).exists():
        return False
    therapist = User.objects.get(email=demo.therapist_email)
    if client.therapist_id != therapist.pk:
        Client.objects.filter(pk=client.pk).update(therapist=therapist)
        client.refresh_from_db()
    actor = Actor.for_membership(
        Membership.objects.select_related("user", "organisation").get(user=therapist, organisation=organisation)
    )
    opened = timezone.localdate() - dt.timedelta(weeks=demo.sessions_held + 1)
    course = course_open(actor=actor, client=client, adaptation=demo.adaptation, opened_on=opened)
    _records(course, demo, opened)
    for task in ("initial.symptom_review", "initial.suicide_risk", "initial.inventory", "initial.timeline"):
        CourseTask.objects.create(organisation=organisation, course=course, task_id=task, recorded_by=therapist)
    if demo.phase == Phase.INITIAL:
        _sessions(course, demo, actor, opened)
        return True
    _focus(course, demo, opened)
    course_change_phase(actor=actor, course=course, to_phase=Phase.MIDDLE)
    _sessions(course, demo, actor, opened)
    if demo.phase == Phase.MIDDLE:
        return True
    course_change_phase(actor=actor, course=course, to_phase=Phase.TERMINATION)
    _ending(course, demo, opened)
    if demo.phase == Phase.MAINTENANCE:
        TreatmentContract.objects.filter(course=course).update(
            sessions_planned=demo.sessions_planned + 6,
            renegotiated=True,
            renegotiation_note="Six monthly maintenance sessions agreed at the end of the acute course.",
        )
        MaintenancePlan.objects.create(
            organisation=organisation,
            course=course,
            frequency="monthly",
            sessions_planned=6,
            starts_on=timezone.localdate(),
        )
        course_change_phase(actor=actor, course=course, to_phase=Phase.MAINTENANCE)
    if demo.closed_completed:
        course_close(actor=actor, course=course, reason="completed", note="Recovered; no further sessions needed.")
    return True


def demo_courses_load(organisation: Organisation) -> int:
    return sum(_demo_course(organisation, demo) for demo in DEMO_COURSES)
