"""Reads of competency records: the team's overview, one person's record, the rows the forms change. Each is a fixed
number of queries whatever the size of the team or of a record; reads of a person's record are audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.competency.models import (
    REFRESHER_MONTHS_DEFAULT,
    REFRESHING_KINDS,
    Certification,
    CompetencySettings,
    TrainingRecord,
)
from iptriad.competency.permissions import RECORD_ROLES, CompetencyAction, competency_policy
from iptriad.fidelity.models import FidelityRating, RaterRole

# "Recent" ratings on the overview: the count over this many days (a design choice: about a quarter).
RECENT_RATING_DAYS = 90
# A certification whose end is this near shows as "ends soon" (a design choice: time to book a refresher).
ENDS_SOON_DAYS = 90
# The ratings listed on a person's record, newest first.
RATINGS_SHOWN = 10


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (31 January + 1 = 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def refresher_months(organisation: Organisation) -> int:
    row = CompetencySettings.objects.filter(organisation_id=organisation.pk).values_list("refresher_months").first()
    return row[0] if row else REFRESHER_MONTHS_DEFAULT


def certification_state(certification: Certification | None, today: dt.date) -> str:
    """ "expired", "ends_soon", "valid", "no_end", or "" when there is none: words on the page, never colour alone."""
    if certification is None:
        return ""
    if certification.valid_until is None:
        return "no_end"
    if certification.valid_until < today:
        return "expired"
    if certification.valid_until <= today + dt.timedelta(days=ENDS_SOON_DAYS):
        return "ends_soon"
    return "valid"


CERTIFICATION_STATES = {
    "expired": "Expired",
    "ends_soon": "Ends soon",
    "valid": "Valid",
    "no_end": "No end date",
    "": "None recorded",
}


@dataclasses.dataclass(frozen=True)
class LastRating:
    score: Decimal | None
    rated_on: dt.date


@dataclasses.dataclass(frozen=True)
class Ratings:
    """The person's fidelity ratings in short: their latest self-rating and supervisor's rating, and how many in
    the last RECENT_RATING_DAYS days."""

    latest_self: LastRating | None
    latest_supervisor: LastRating | None
    recent_count: int


@dataclasses.dataclass(frozen=True)
class Standing:
    """Where a person's record stands today: what falls due next and whether it is overdue."""

    refresher_due_on: dt.date | None  # their last course, workshop or refresher + the interval
    due_on: dt.date | None  # the earlier of that and their latest certification's end
    overdue: bool
    certification_state: str

    @property
    def certification_label(self) -> str:
        return CERTIFICATION_STATES[self.certification_state]

    @property
    def status(self) -> str:
        if self.overdue:
            return "Overdue"
        if self.due_on is None:
            return "Nothing recorded" if self.refresher_due_on is None else "Up to date"
        return "Up to date"


def standing_of(
    *, last_refreshing_on: dt.date | None, certification: Certification | None, months: int, today: dt.date
) -> Standing:
    refresher_due_on = add_months(last_refreshing_on, months) if last_refreshing_on else None
    dates = [day for day in (refresher_due_on, certification.valid_until if certification else None) if day]
    due_on = min(dates) if dates else None
    return Standing(
        refresher_due_on=refresher_due_on,
        due_on=due_on,
        overdue=due_on is not None and due_on < today,
        certification_state=certification_state(certification, today),
    )


# ---------------------------------------------------------------------------------------------------------------
# The team's overview


@dataclasses.dataclass(frozen=True)
class PersonRow:
    membership_id: int
    person: User
    role: str  # the role's label
    latest_training: TrainingRecord | None
    latest_certification: Certification | None
    certifications: int
    standing: Standing
    ratings: Ratings | None  # None: the actor may not see ratings (an administrator)

    @property
    def nothing_recorded(self) -> bool:
        return self.latest_training is None and self.latest_certification is None


def _latest(queryset: QuerySet[Any], field: str) -> Subquery:
    return Subquery(queryset.values(field)[:1])


def _ratings_annotations(organisation_id: int, today: dt.date) -> dict[str, Any]:
    ratings = FidelityRating.objects.filter(organisation_id=organisation_id, clinician_id=OuterRef("user_id"))
    newest = ratings.order_by("-rated_on", "-pk")
    own, supervisor = newest.filter(rater_role=RaterRole.SELF), newest.filter(rater_role=RaterRole.SUPERVISOR)
    recent = (
        ratings.filter(rated_on__gt=today - dt.timedelta(days=RECENT_RATING_DAYS))
        .order_by()
        .values("clinician_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {
        "self_score": _latest(own, "score"),
        "self_on": _latest(own, "rated_on"),
        "supervisor_score": _latest(supervisor, "score"),
        "supervisor_on": _latest(supervisor, "rated_on"),
        "recent_ratings": Coalesce(Subquery(recent, output_field=IntegerField()), Value(0)),
    }


def _ratings_of(row: Any) -> Ratings:
    return Ratings(
        latest_self=LastRating(row.self_score, row.self_on) if row.self_on else None,
        latest_supervisor=LastRating(row.supervisor_score, row.supervisor_on) if row.supervisor_on else None,
        recent_count=row.recent_ratings,
    )


def _sort_key(row: PersonRow) -> tuple[int, dt.date, str]:
    """Overdue first (longest overdue first), then nothing recorded, then by what falls due soonest."""
    standing = row.standing
    if standing.overdue:
        group = 0
    elif row.nothing_recorded:
        group = 1
    else:
        group = 2 if standing.due_on else 3
    return (group, standing.due_on or dt.date.max, row.person.full_name.casefold())


def team_overview(*, actor: Actor) -> list[PersonRow]:
    """Every active supervisor, therapist and facilitator of the organisation with their record in short, overdue
    first: three queries (the people with their latest rows' ids and rating figures, those training rows, those
    certifications) and the interval, whatever the team's size."""
    if not competency_policy.allows(actor, CompetencyAction.TEAM):
        return []
    organisation_id = actor.organisation.pk
    today = timezone.localdate()
    trainings = TrainingRecord.objects.filter(organisation_id=organisation_id, person_id=OuterRef("user_id"))
    newest_training = trainings.order_by("-completed_on", "-pk")
    certifications = Certification.objects.filter(organisation_id=organisation_id, person_id=OuterRef("user_id"))
    annotations: dict[str, Any] = {
        "latest_training_id": _latest(newest_training, "pk"),
        "last_refreshing_on": _latest(newest_training.filter(kind__in=REFRESHING_KINDS), "completed_on"),
        "latest_certification_id": _latest(certifications.order_by("-certified_on", "-pk"), "pk"),
        "certification_count": Coalesce(
            Subquery(
                certifications.order_by().values("person_id").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    }
    show_ratings = competency_policy.allows(actor, CompetencyAction.RATINGS)
    if show_ratings:
        annotations |= _ratings_annotations(organisation_id, today)
    memberships: list[Any] = list(  # with the annotations above
        Membership.objects.filter(organisation_id=organisation_id, is_active=True, role__in=RECORD_ROLES)
        .select_related("user")
        .annotate(**annotations)
    )
    training_rows = TrainingRecord.objects.in_bulk([m.latest_training_id for m in memberships if m.latest_training_id])
    certification_rows = Certification.objects.in_bulk(
        [m.latest_certification_id for m in memberships if m.latest_certification_id]
    )
    months = refresher_months(actor.organisation)
    rows = []
    for membership in memberships:
        certification = certification_rows.get(membership.latest_certification_id)
        rows.append(
            PersonRow(
                membership_id=membership.pk,
                person=membership.user,
                role=Role(membership.role).label,
                latest_training=training_rows.get(membership.latest_training_id),
                latest_certification=certification,
                certifications=membership.certification_count,
                standing=standing_of(
                    last_refreshing_on=membership.last_refreshing_on,
                    certification=certification,
                    months=months,
                    today=today,
                ),
                ratings=_ratings_of(membership) if show_ratings else None,
            )
        )
    return sorted(rows, key=_sort_key)


def team_viewed(*, actor: Actor, rows: list[PersonRow]) -> None:
    """The overview shows everyone's standing (and, to a supervisor, their ratings): who looked is kept."""
    audit_record(actor=actor, action=AuditAction.COMPETENCY_LISTED, detail={"people": [r.person.pk for r in rows]})


# ---------------------------------------------------------------------------------------------------------------
# One person's record


def person_get(*, actor: Actor, membership_id: int) -> Membership:
    """A person with a record the actor may see, by their membership of the organisation: 404 for anyone else
    (another organisation's member, an administrator, a colleague's record to a therapist), so a record's existence
    is never revealed."""
    membership = (
        competency_policy.members(actor, CompetencyAction.VIEW).select_related("user").filter(pk=membership_id).first()
    )
    if membership is None:
        raise Http404("No such person.")
    return membership


def membership_id_of(*, actor: Actor, person_id: int) -> int | None:
    """Where a row's person's record is (the page to go back to), or None when they are no longer a member."""
    return (
        competency_policy.members(actor, CompetencyAction.VIEW)
        .filter(user_id=person_id)
        .values_list("pk", flat=True)
        .first()
    )


@dataclasses.dataclass(frozen=True)
class PersonRecord:
    membership: Membership
    person: User
    role: str
    trainings: list[TrainingRecord]
    certifications: list[tuple[Certification, str]]  # with its state's label
    hours_by_kind: list[tuple[str, Decimal]]
    standing: Standing
    refresher_months: int
    ratings: Ratings | None  # None: the actor may not see ratings
    last_ratings: list[FidelityRating]


def person_record(*, actor: Actor, membership: Membership) -> PersonRecord:
    """The whole record of a person the actor may see (from person_get): a fixed number of queries."""
    person = membership.user
    today = timezone.localdate()
    trainings = list(
        competency_policy.scope(actor, CompetencyAction.VIEW, TrainingRecord.objects.filter(person_id=person.pk))
    )
    certifications = list(
        competency_policy.scope(actor, CompetencyAction.VIEW, Certification.objects.filter(person_id=person.pk))
    )
    months = refresher_months(actor.organisation)
    last_refreshing_on = next((t.completed_on for t in trainings if t.kind in REFRESHING_KINDS), None)
    hours: dict[str, Decimal] = {}
    for training in trainings:
        if training.hours:
            label = training.get_kind_display()
            hours[label] = hours.get(label, Decimal(0)) + training.hours
    ratings: Ratings | None = None
    last_ratings: list[FidelityRating] = []
    if competency_policy.allows(actor, CompetencyAction.RATINGS):
        ratings, last_ratings = _person_ratings(actor, person, today)
    return PersonRecord(
        membership=membership,
        person=person,
        role=Role(membership.role).label,
        trainings=trainings,
        certifications=[(c, CERTIFICATION_STATES[certification_state(c, today)]) for c in certifications],
        hours_by_kind=sorted(hours.items()),
        standing=standing_of(
            last_refreshing_on=last_refreshing_on,
            certification=certifications[0] if certifications else None,
            months=months,
            today=today,
        ),
        refresher_months=months,
        ratings=ratings,
        last_ratings=last_ratings,
    )


def _person_ratings(actor: Actor, person: User, today: dt.date) -> tuple[Ratings, list[FidelityRating]]:
    """Two queries: the summary as on the overview (its annotations, on the person's membership), the last ratings."""
    organisation_id = actor.organisation.pk
    summary = (
        Membership.objects.filter(organisation_id=organisation_id, user_id=person.pk)
        .annotate(**_ratings_annotations(organisation_id, today))
        .first()
    )
    last = list(
        FidelityRating.objects.filter(organisation_id=organisation_id, clinician_id=person.pk).order_by(
            "-rated_on", "-pk"
        )[:RATINGS_SHOWN]
    )
    return (_ratings_of(summary) if summary else Ratings(None, None, 0)), last


def person_viewed(*, actor: Actor, person: User, ratings: bool) -> None:
    audit_record(
        actor=actor, action=AuditAction.COMPETENCY_VIEWED, obj=person, detail={"person": person.pk, "ratings": ratings}
    )


# ---------------------------------------------------------------------------------------------------------------
# The rows the forms change


def training_get(*, actor: Actor, training_id: int, action: CompetencyAction = CompetencyAction.VIEW) -> TrainingRecord:
    """A training row the actor may see (404 otherwise); the caller then checks they may change it (403)."""
    scoped = competency_policy.scope(actor, action, TrainingRecord.objects.select_related("person"))
    training = scoped.filter(pk=training_id).first()
    if training is None:
        raise Http404("No such training record.")
    return training


def certification_get(
    *, actor: Actor, certification_id: int, action: CompetencyAction = CompetencyAction.VIEW
) -> Certification:
    scoped = competency_policy.scope(actor, action, Certification.objects.select_related("person"))
    certification = scoped.filter(pk=certification_id).first()
    if certification is None:
        raise Http404("No such certification.")
    return certification
