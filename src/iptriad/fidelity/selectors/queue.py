"""What is waiting to be rated: the supervisor's sample ("Sessions to rate") and a clinician's own sessions not yet
self-rated. Each is a fixed number of queries whatever the caseload.

The sample (docs/decisions/0036-fidelity.md): every person's sessions are counted in the order they were held
(individual sessions by therapist, group sessions by lead facilitator, each counted on its own), and every Nth is
selected, N from the person's sampling rule or the organisation's default; a session self-rated below
LOW_SELF_SCORE joins whatever its place. A session a supervisor has rated leaves the queue; one the supervisor led
is never in their own queue (they self-rate it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, Mod, RowNumber
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.core.fidelity import LOW_SELF_SCORE
from iptriad.courses.models import CourseSession
from iptriad.courses.models.sessions import Attendance
from iptriad.fidelity.models import FidelityRating, RaterRole, SamplingRule
from iptriad.fidelity.permissions import FidelityAction, fidelity_policy
from iptriad.fidelity.services.sampling import DEFAULT_ONE_IN
from iptriad.groups.models import GroupSession

M = TypeVar("M", CourseSession, GroupSession)
QUEUE_MAX = 50  # the newest shown; the page says when there are more
REMINDER_DAYS = 30


@dataclass(frozen=True)
class Waiting:
    kind: str  # "individual" or "group"
    session_id: int
    number: int
    held_on: dt.date
    title: str
    clinician_name: str
    low_self_score: Decimal | None = None  # a self-rating below LOW_SELF_SCORE

    @property
    def reason(self) -> str:
        if self.low_self_score is not None:
            return f"Self-rated low ({Decimal(self.low_self_score):.1f}%)"
        return "In the sample"


def default_one_in(organisation_id: int) -> int:
    rule = SamplingRule.objects.filter(organisation_id=organisation_id, clinician__isnull=True).first()
    return rule.one_in if rule is not None else DEFAULT_ONE_IN


def own_sampling_rules(organisation_id: int) -> list[SamplingRule]:
    """The people with a rule of their own, by name."""
    rules = SamplingRule.objects.filter(organisation_id=organisation_id, clinician__isnull=False)
    return list(rules.select_related("clinician").order_by("clinician__full_name", "pk"))


def _rated(role: RaterRole, field: str) -> Exists:
    return Exists(FidelityRating.objects.filter(**{field: OuterRef("pk")}, rater_role=role))


def _low_self(field: str) -> Subquery:
    return Subquery(
        FidelityRating.objects.filter(
            **{field: OuterRef("pk")}, rater_role=RaterRole.SELF, score__lt=LOW_SELF_SCORE
        ).values("score")[:1]
    )


def _one_in(person_field: str, default: int) -> Coalesce:
    rule = SamplingRule.objects.filter(organisation_id=OuterRef("organisation_id"), clinician_id=OuterRef(person_field))
    return Coalesce(Subquery(rule.values("one_in")[:1]), Value(default), output_field=IntegerField())


def _sampled(sessions: QuerySet[M], person_field: str, field: str, default: int, actor: Actor) -> QuerySet[M]:
    """The sessions the rule selects, not yet rated by a supervisor. Positions are counted over every session the
    person led (a window in a subquery of its own), so rating one never moves the others' places."""
    every_nth = (
        sessions.annotate(
            position=Window(RowNumber(), partition_by=[F(person_field)], order_by=[F("held_on").asc(), F("pk").asc()]),
            one_in=_one_in(person_field, default),
        )
        .annotate(place=Mod(F("position"), F("one_in")))
        .filter(place=0)
        .values("pk")
    )
    low_self = _low_self(field)
    return (
        sessions.annotate(low_self=low_self)
        .filter(Q(pk__in=every_nth) | Q(low_self__isnull=False))
        .exclude(_rated(RaterRole.SUPERVISOR, field))
        .exclude(**{person_field: actor.user_id})
    )


def sessions_to_rate(*, actor: Actor) -> tuple[list[Waiting], bool]:
    """The supervisor's queue, newest first, at most QUEUE_MAX, and whether more are waiting: three queries."""
    if not fidelity_policy.allows(actor, FidelityAction.RATE_SAMPLE):
        return [], False
    organisation_id = actor.organisation.pk
    default = default_one_in(organisation_id)
    course_sessions = CourseSession.objects.filter(organisation_id=organisation_id, attendance=Attendance.ATTENDED)
    individual = list(
        _sampled(course_sessions, "course__therapist_id", "course_session", default, actor)
        .select_related("course__client", "course__therapist")
        .order_by("-held_on", "-pk")[: QUEUE_MAX + 1]
    )
    group_sessions = GroupSession.objects.filter(organisation_id=organisation_id, held_on__isnull=False)
    group = list(
        _sampled(group_sessions, "group__facilitator_id", "group_session", default, actor)
        .select_related("group__facilitator")
        .order_by("-held_on", "-pk")[: QUEUE_MAX + 1]
    )
    waiting = [
        Waiting(
            "individual",
            session.pk,
            session.number,
            session.held_on,
            f"Session {session.number} with {session.course.client.given_name} {session.course.client.family_name}",
            session.course.therapist.full_name,
            getattr(session, "low_self", None),
        )
        for session in individual
    ] + [
        Waiting(
            "group",
            session.pk,
            session.number,
            session.held_on,
            f"Group session {session.number}: {session.group.name}",
            session.group.facilitator.full_name,
            getattr(session, "low_self", None),
        )
        for session in group
        if session.held_on is not None  # always: the queue reads held sessions only
    ]
    waiting.sort(key=lambda entry: (entry.held_on, entry.kind, entry.session_id), reverse=True)
    return waiting[:QUEUE_MAX], len(waiting) > QUEUE_MAX


def self_ratings_due(*, actor: Actor) -> list[Waiting]:
    """The actor's own sessions of the last REMINDER_DAYS days not yet self-rated, newest first: two queries."""
    if not fidelity_policy.allows(actor, FidelityAction.RATE_OWN):
        return []
    since = timezone.localdate() - dt.timedelta(days=REMINDER_DAYS)
    organisation_id = actor.organisation.pk
    individual = (
        CourseSession.objects.filter(
            organisation_id=organisation_id,
            course__therapist_id=actor.user_id,
            attendance=Attendance.ATTENDED,
            held_on__gte=since,
        )
        .exclude(_rated(RaterRole.SELF, "course_session"))
        .select_related("course__client")
        .order_by("-held_on", "-pk")
    )
    group = (
        GroupSession.objects.filter(organisation_id=organisation_id, held_on__gte=since)
        .filter(fidelity_policy.led_group_sessions(actor))
        .exclude(_rated(RaterRole.SELF, "group_session"))
        .select_related("group")
        .order_by("-held_on", "-pk")
    )
    name = actor.user.full_name if actor.user is not None else ""
    due = [
        Waiting(
            "individual",
            session.pk,
            session.number,
            session.held_on,
            f"Session {session.number} with {session.course.client.given_name} {session.course.client.family_name}",
            name,
        )
        for session in individual
    ] + [
        Waiting(
            "group",
            session.pk,
            session.number,
            session.held_on,
            f"Group session {session.number}: {session.group.name}",
            name,
        )
        for session in group
        if session.held_on is not None
    ]
    due.sort(key=lambda entry: (entry.held_on, entry.kind, entry.session_id), reverse=True)
    return due
