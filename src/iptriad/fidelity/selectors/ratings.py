"""Ratings as the pages and the API read them: one rating with the other side's beside it and their agreement, a
person's ratings over time, and the latest ratings per person for the competency records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.fidelity import ANSWER_LABELS, Agreement, Answer, Checklist, agreement
from iptriad.fidelity.models import FidelityRating, RaterRole
from iptriad.fidelity.permissions import FidelityAction, fidelity_policy
from iptriad.fidelity.selectors.sessions import (
    RatedSession,
    checklist_of_rating,
    rated_course_session,
    rated_group_session,
)
from iptriad.groups.models import GroupSession

_RELATED = (
    "rater",
    "clinician",
    "form",
    "course_session__course__client",
    "course_session__course__therapist",
    "group_session__group__facilitator",
)


def ratings_visible(
    *,
    actor: Actor,
    clinician_id: int | None = None,
    course_session_id: int | None = None,
    group_session_id: int | None = None,
    rater_role: str | None = None,
) -> QuerySet[FidelityRating]:
    """The ratings the actor may read, newest first, filtered as asked."""
    ratings = fidelity_policy.scope_ratings(actor, FidelityRating.objects.select_related("rater", "clinician"))
    if clinician_id is not None:
        ratings = ratings.filter(clinician_id=clinician_id)
    if course_session_id is not None:
        ratings = ratings.filter(course_session_id=course_session_id)
    if group_session_id is not None:
        ratings = ratings.filter(group_session_id=group_session_id)
    if rater_role is not None:
        ratings = ratings.filter(rater_role=rater_role)
    return ratings.order_by("-rated_on", "-pk")


def rating_get(*, actor: Actor, rating_id: int) -> FidelityRating:
    rating = (
        fidelity_policy.scope_ratings(actor, FidelityRating.objects.select_related(*_RELATED))
        .filter(pk=rating_id)
        .first()
    )
    if rating is None:
        raise Http404("No such rating.")
    return rating


def session_of(rating: FidelityRating) -> RatedSession:
    if rating.course_session is not None:
        return rated_course_session(rating.course_session)
    return rated_group_session(cast(GroupSession, rating.group_session))  # one of the two (a check constraint)


@dataclass(frozen=True)
class ItemRow:
    key: str
    text: str
    section: str
    self_answer: str | None
    supervisor_answer: str | None

    @property
    def differs(self) -> bool:
        return None not in (self.self_answer, self.supervisor_answer) and self.self_answer != self.supervisor_answer


def answer_label(answer: str | None) -> str:
    if answer is None or answer not in Answer.__members__.values():
        return "—"
    return ANSWER_LABELS[Answer(answer)]


@dataclass(frozen=True)
class RatingPair:
    """A session's ratings side by side: the self-rating and the supervisor's, and how they agree."""

    session: RatedSession
    checklist: Checklist
    self_rating: FidelityRating | None
    supervisor_rating: FidelityRating | None

    @property
    def agreement(self) -> Agreement | None:
        if self.self_rating is None or self.supervisor_rating is None:
            return None
        return agreement(self.self_rating.answers, self.supervisor_rating.answers)

    def rows(self) -> list[ItemRow]:
        mine = self.self_rating.answers if self.self_rating else {}
        theirs = self.supervisor_rating.answers if self.supervisor_rating else {}
        return [
            ItemRow(item.key, item.text, item.section, mine.get(item.key), theirs.get(item.key))
            for item in self.checklist.items
        ]


def rating_pair(*, actor: Actor, rating: FidelityRating, audit: bool = True) -> RatingPair:
    """The rating with the other side's rating of the same session (the actor sees both: same clinician)."""
    session = session_of(rating)
    both = {
        other.rater_role: other
        for other in fidelity_policy.scope_ratings(actor, session.ratings().select_related("rater", "form"))
    }
    both[rating.rater_role] = rating
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.FIDELITY_VIEWED,
            obj=rating,
            detail={"ratings": sorted(other.pk for other in both.values())},
        )
    return RatingPair(
        session=session,
        checklist=checklist_of_rating(rating, session),
        self_rating=both.get(RaterRole.SELF),
        supervisor_rating=both.get(RaterRole.SUPERVISOR),
    )


# --- A person's ratings over time ---------------------------------------------------------------------------------

HISTORY_MONTHS = 12


@dataclass(frozen=True)
class Pair:
    session_key: tuple[str, int]
    self_rating: FidelityRating
    supervisor_rating: FidelityRating

    @property
    def agreement(self) -> Agreement:
        return agreement(self.self_rating.answers, self.supervisor_rating.answers)

    @property
    def month(self) -> dt.date:
        return self.supervisor_rating.rated_on.replace(day=1)


@dataclass(frozen=True)
class Month:
    month: dt.date
    pairs: int
    agreement: Decimal | None  # the mean share of items with the same answer
    self_score: Decimal | None  # the mean score of the self-ratings of those sessions
    supervisor_score: Decimal | None


def _mean(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    if not present:
        return None
    return (sum(present, Decimal(0)) / len(present)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class PersonFidelity:
    membership: Membership
    person: User
    ratings: list[FidelityRating]  # every rating of their sessions over the period, newest first
    pairs: list[Pair]  # sessions both rated, newest first
    months: list[Month]  # oldest first, months with a pair only

    @property
    def self_count(self) -> int:
        return sum(1 for rating in self.ratings if rating.rater_role == RaterRole.SELF)

    @property
    def supervisor_count(self) -> int:
        return sum(1 for rating in self.ratings if rating.rater_role == RaterRole.SUPERVISOR)


def person_fidelity(*, actor: Actor, membership_id: int) -> PersonFidelity:
    """A person's ratings over the last year, paired by session, and the agreement by month: three queries. The
    person is named by their membership (a tenant row: another organisation's is a 404); a clinician sees their own
    page only."""
    membership = (
        Membership.objects.select_related("user")
        .filter(pk=membership_id, organisation_id=actor.organisation.pk, is_active=True)
        .first()
    )
    if membership is None or not fidelity_policy.allows(actor, FidelityAction.VIEW):
        raise Http404("No such person.")
    if not fidelity_policy.sees_everyone(actor) and membership.user_id != actor.user_id:
        raise Http404("No such person.")
    person = membership.user
    person_id = person.pk
    since = timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (HISTORY_MONTHS - 1))
    ratings = list(
        fidelity_policy.scope_ratings(actor, FidelityRating.objects.select_related(*_RELATED))
        .filter(clinician_id=person_id, rated_on__gte=since)
        .order_by("-rated_on", "-pk")
    )
    by_session: dict[tuple[str, int], dict[str, FidelityRating]] = defaultdict(dict)
    for rating in ratings:
        key = ("course", rating.course_session_id) if rating.course_session_id else ("group", rating.group_session_id)
        by_session[key][rating.rater_role] = rating  # type: ignore[index]
    pairs = [
        Pair(key, sides[RaterRole.SELF], sides[RaterRole.SUPERVISOR])
        for key, sides in by_session.items()
        if RaterRole.SELF in sides and RaterRole.SUPERVISOR in sides
    ]
    pairs.sort(key=lambda pair: (pair.supervisor_rating.rated_on, pair.supervisor_rating.pk), reverse=True)
    grouped: dict[dt.date, list[Pair]] = defaultdict(list)
    for pair in pairs:
        grouped[pair.month].append(pair)
    months = [
        Month(
            month=month,
            pairs=len(in_month),
            agreement=_mean(pair.agreement.share for pair in in_month),
            self_score=_mean(pair.self_rating.score for pair in in_month),
            supervisor_score=_mean(pair.supervisor_rating.score for pair in in_month),
        )
        for month, in_month in sorted(grouped.items())
    ]
    audit_record(
        actor=actor,
        action=AuditAction.FIDELITY_VIEWED,
        obj=person,
        detail={"person": person.pk, "ratings": len(ratings)},
    )
    return PersonFidelity(membership=membership, person=person, ratings=ratings, pairs=pairs, months=months)


def people_summary(*, actor: Actor) -> list[tuple[Membership, int, int]]:
    """For a supervisor: each member rated over the last year, with their self- and supervisor-rating counts."""
    since = timezone.localdate() - dt.timedelta(days=365)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        fidelity_policy.scope_ratings(actor, FidelityRating.objects.all())
        .filter(rated_on__gte=since)
        .values_list("clinician_id", "rater_role")
    )
    for clinician_id, role in rows:
        counts[clinician_id][0 if role == RaterRole.SELF else 1] += 1
    memberships = (
        Membership.objects.filter(organisation_id=actor.organisation.pk, user_id__in=list(counts))
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    return [(membership, *counts[membership.user_id]) for membership in memberships]  # type: ignore[misc]


def latest_ratings(
    organisation: Organisation | int, clinician_ids: Iterable[int], *, per_person: int = 5
) -> dict[int, list[FidelityRating]]:
    """The newest `per_person` ratings of each clinician's sessions (self and supervisor), newest first, in one
    query whatever the number of people: for the competency records (issue 13). The caller scopes who asks."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    ids = list(clinician_ids)
    latest: dict[int, list[FidelityRating]] = {clinician_id: [] for clinician_id in ids}
    if not ids:
        return latest
    ranked = (
        FidelityRating.objects.filter(organisation_id=organisation_id, clinician_id__in=ids)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("clinician_id")], order_by=[F("rated_on").desc(), F("pk").desc()])
        )
        .filter(rank__lte=per_person)
        .order_by("clinician_id", "rank")
    )
    for rating in ranked:
        latest[rating.clinician_id].append(rating)
    return latest
