"""Demo fidelity ratings: the demo therapist's and facilitator's sessions of the last months self-rated (all but the
newest, so the reminders show), the supervisor's ratings on every other one, with some disagreement, so the agreement
over time shows on each person's fidelity page. Written through the fidelity services (checklists, validation,
audit), then dated the day after each session, as they would have been made.

Answers are seeded, so every load is the same; a session already rated is left as it is (the demo loads again).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation
from iptriad.core.fidelity import Answer, Checklist
from iptriad.courses.models import CourseSession
from iptriad.courses.models.sessions import Attendance
from iptriad.fidelity.models import FidelityRating
from iptriad.fidelity.selectors.sessions import RatedSession, checklist_for, rated_session_get
from iptriad.fidelity.services.ratings import rating_record
from iptriad.groups.models import GroupSession

THERAPIST = "therapist@demo.iptriad.example"
FACILITATOR = "facilitator@demo.iptriad.example"
SUPERVISOR = "supervisor@demo.iptriad.example"
WEEKS_BACK = 16  # the sessions of about four months
LEFT_FOR_REMINDERS = 2  # each person's newest sessions stay unrated


def _actor(organisation: Organisation, email: str) -> Actor:
    return Actor.for_membership(
        Membership.objects.select_related("user", "organisation").get(organisation=organisation, user__email=email)
    )


def _answers(checklist: Checklist, rng: random.Random, *, done: float) -> dict[str, str]:
    answers = {}
    for item in checklist.items:
        if item.key.startswith("technique.") and rng.random() < 0.6:
            answers[item.key] = Answer.NOT_APPLICABLE.value  # a session uses a few techniques, not all
            continue
        roll = rng.random()
        answers[item.key] = (
            Answer.DONE if roll < done else Answer.PARTLY if roll < done + 0.15 else Answer.NOT_DONE
        ).value
    return answers


def _disagree(answers: dict[str, str], rng: random.Random, share: float) -> dict[str, str]:
    """The supervisor's view of the same session: most answers the same, some a step lower or higher."""
    shifted = {}
    for key, answer in answers.items():
        if answer != Answer.NOT_APPLICABLE and rng.random() < share:
            answer = Answer.PARTLY.value if answer == Answer.DONE else Answer.DONE.value
        shifted[key] = answer
    return shifted


def _rate_pair(
    session: RatedSession, clinician: Actor, supervisor: Actor, rng: random.Random, *, index: int, total: int
) -> int:
    if session.ratings().exists():
        return 0
    progress = index / max(total - 1, 1)  # later sessions: more done, and closer agreement (supervision works)
    checklist = checklist_for(session)
    own = _answers(checklist, rng, done=0.6 + 0.3 * progress)
    ratings = [rating_record(actor=clinician, session=session, answers=own)]
    if index % 2 == 1:
        theirs = _disagree(own, rng, share=0.35 - 0.25 * progress)
        ratings.append(rating_record(actor=supervisor, session=session, answers=theirs, note="Reviewed the recording."))
    held_on = session.held_on or timezone.localdate()  # only held sessions are rated
    rated_on = min(held_on + dt.timedelta(days=1), timezone.localdate())
    FidelityRating.objects.filter(pk__in=[rating.pk for rating in ratings]).update(rated_on=rated_on)
    return len(ratings)


def demo_fidelity_load(organisation: Organisation) -> int:
    """The ratings created now."""
    rng = random.Random(13)  # noqa: S311 (demo data, not security)
    supervisor = _actor(organisation, SUPERVISOR)
    since = timezone.localdate() - dt.timedelta(weeks=WEEKS_BACK)
    created = 0
    for email, kind in ((THERAPIST, "individual"), (FACILITATOR, "group")):
        clinician = _actor(organisation, email)
        if kind == "individual":
            ids = list(
                CourseSession.objects.filter(
                    organisation=organisation,
                    course__therapist=clinician.user,
                    attendance=Attendance.ATTENDED,
                    held_on__gte=since,
                )
                .order_by("held_on", "pk")
                .values_list("pk", flat=True)
            )
        else:
            ids = list(
                GroupSession.objects.filter(
                    organisation=organisation, group__facilitator=clinician.user, held_on__gte=since
                )
                .order_by("held_on", "pk")
                .values_list("pk", flat=True)
            )
        rated = ids[:-LEFT_FOR_REMINDERS] if len(ids) > LEFT_FOR_REMINDERS else []
        for index, session_id in enumerate(rated):
            session = rated_session_get(actor=clinician, kind=kind, session_id=session_id)
            created += _rate_pair(session, clinician, supervisor, rng, index=index, total=len(rated))
    return created
