"""Programme counts: how many people a programme screened, how many joined, were reached and completed, why others did
not join or left, and their symptom scores at the start and the end (programmes.md §1, issue 12 item 8).

Everything is counted in SQL, in a fixed number of queries whatever the number of groups and members: one aggregate
over the members, one count per coded reason list, one for open referrals (and one grouped query for a table of rows).

A member who moved to another group counts once, in the group they moved to: the row left behind (status
"transferred", with `transferred_to` set) is not counted, and attendance and checks are read through the member's
treatment context, which the move keeps, so sessions attended before the move still count.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from iptriad.accounts.actors import Actor
from iptriad.core.groups import ATTENDED, DROPOUT_REASONS, NOT_JOINING_REASONS
from iptriad.core.protocol import Phase
from iptriad.groups.models import Group, GroupMember, MemberStatus, ProgrammeSite, Referral, SessionAttendance
from iptriad.groups.permissions import WHOLE_ORGANISATION_ROLES, GroupAction, group_policy

FEW = 5  # a mean over fewer paired members than this is marked "few members: read with care"

# What each count means, shown on the page next to it.
DEFINITIONS = {
    "screened": "People whose pre-group meeting is recorded.",
    "joined": (
        "Screened people who agreed to join and were taken in (including those who later dropped out or finished). "
        "Someone who moved to another group is counted once, in the group they moved to."
    ),
    "reached": "Joined members who came to at least one group session (present, or caught up in a make-up meeting).",
    "completed": (
        "Joined members who came to at least the number of sessions their group counts as complete (6 of 8 unless "
        "the group says otherwise); make-up meetings count."
    ),
    "not_joined": "Screened people who did not join, by the reason recorded at their pre-group meeting.",
    "dropped": "Joined members who left the group before its end, by the reason recorded.",
    "held": "Members held out of the group's sessions until the supervising clinician clears them.",
    "referrals_open": "Referrals to a clinician or other care whose follow-up is not yet recorded.",
    "baseline": "The mean total of the screening questionnaire taken at the pre-group meeting.",
    "end": (
        "The mean of each member's latest symptom check taken in a session of the group's ending phase (the "
        "end-of-group rating)."
    ),
    "paired": "Members with both a screening score and an end score; the change is the mean of end minus screening.",
}


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Outcome:
    """Scores at the start and the end for one set of members (joined, reached or completed)."""

    label: str
    members: int
    baseline_n: int
    baseline_mean: Decimal | None
    end_n: int
    end_mean: Decimal | None
    paired: int
    change_mean: Decimal | None
    withheld: bool  # the reader sees no clinical content and the means cover fewer than FEW members

    @property
    def few(self) -> bool:
        return 0 < self.paired < FEW


@dataclass(frozen=True)
class ProgrammeCounts:
    groups: int
    screened: int
    awaiting: int
    joined: int
    reached: int
    completed: int
    not_joined: int
    not_joined_reasons: list[ReasonCount]
    dropped: int
    dropout_reasons: list[ReasonCount]
    held_now: int
    referrals_open: int
    outcomes: list[Outcome]


@dataclass(frozen=True)
class CountsRow:
    """One group's (or one site's) main counts, for a table."""

    key: int | None
    screened: int
    joined: int
    reached: int
    completed: int
    dropped: int
    held_now: int


def counted_members(groups: QuerySet[Group]) -> QuerySet[GroupMember]:
    """The members of these groups, each client once per group episode: the row a transfer left behind is not
    counted (the member counts in the group they moved to)."""
    return GroupMember.objects.filter(group__in=groups).exclude(
        status=MemberStatus.TRANSFERRED, transferred_to__isnull=False
    )


def _annotated(members: QuerySet[GroupMember]) -> QuerySet[GroupMember]:
    attended = (
        SessionAttendance.objects.filter(
            member__treatment_context_id=OuterRef("treatment_context_id"), status__in=[str(s) for s in ATTENDED]
        )
        .order_by()
        .values("member__treatment_context_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    end = (
        SessionAttendance.objects.filter(
            member__treatment_context_id=OuterRef("treatment_context_id"),
            session__phase=Phase.TERMINATION.value,
            symptom_check__isnull=False,
            symptom_check__total__isnull=False,
        )
        .order_by("-session__held_on", "-session__number", "-pk")
        .values("symptom_check__total")[:1]
    )
    score: DecimalField[Decimal, Decimal] = DecimalField(max_digits=7, decimal_places=2)
    return members.annotate(
        attended=Coalesce(Subquery(attended, output_field=IntegerField()), Value(0)),
        baseline=F("screening__total"),
        end_score=Subquery(end, output_field=score),
    ).annotate(change=ExpressionWrapper(F("end_score") - F("baseline"), output_field=score))


JOINED_Q = Q(decided_at__isnull=False) & ~Q(status=MemberStatus.NOT_JOINED)
REACHED_Q = JOINED_Q & Q(attended__gte=1)
COMPLETED_Q = JOINED_Q & Q(attended__gte=F("group__completed_at_least"))
HELD_Q = Q(held_since__isnull=False, cleared_at__isnull=True, status__in=[MemberStatus.SCREENING, MemberStatus.JOINED])
SETS = (
    ("joined", "Joined members", JOINED_Q),
    ("reached", "Reached", REACHED_Q),
    ("completed", "Completed", COMPLETED_Q),
)


def _main_counts() -> dict[str, Any]:
    return {
        "screened": Count("pk", filter=Q(pre_group_on__isnull=False)),
        "awaiting": Count("pk", filter=Q(status=MemberStatus.SCREENING)),
        "joined": Count("pk", filter=JOINED_Q),
        "reached": Count("pk", filter=REACHED_Q),
        "completed": Count("pk", filter=COMPLETED_Q),
        "not_joined": Count("pk", filter=Q(status=MemberStatus.NOT_JOINED)),
        "dropped": Count("pk", filter=Q(status=MemberStatus.DROPPED)),
        "held_now": Count("pk", filter=HELD_Q),
    }


def _outcome_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {}
    for key, _label, condition in SETS:
        paired = condition & Q(baseline__isnull=False, end_score__isnull=False)
        aggregates |= {
            f"{key}_baseline_n": Count("pk", filter=condition & Q(baseline__isnull=False)),
            f"{key}_baseline_mean": Avg("baseline", filter=condition),
            f"{key}_end_n": Count("pk", filter=condition & Q(end_score__isnull=False)),
            f"{key}_end_mean": Avg("end_score", filter=condition),
            f"{key}_paired": Count("pk", filter=paired),
            f"{key}_change_mean": Avg("change", filter=paired),
        }
    return aggregates


def _reasons(members: QuerySet[GroupMember], field: str, coded: tuple[Any, ...]) -> list[ReasonCount]:
    found = dict(
        members.exclude(**{field: ""}).order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
    )
    return [ReasonCount(reason.code, reason.label, found[reason.code]) for reason in coded if found.get(reason.code)]


def _rounded(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def programme_counts(actor: Actor, groups: QuerySet[Group]) -> ProgrammeCounts:
    """The counts over the groups the actor may see among `groups`, in 4 queries whatever their size.

    Means of scores are aggregates, shown to every reader; but to a reader without access to clinical content (an
    administrator) a mean over fewer than FEW members is withheld, as it could be one person's score."""
    scoped = group_policy.scope(actor, GroupAction.VIEW, groups)
    members = counted_members(scoped)
    totals = _annotated(members).aggregate(
        groups=Count("group_id", distinct=True), **_main_counts(), **_outcome_aggregates()
    )
    clinical = group_policy.allows(actor, GroupAction.CLINICAL)
    outcomes = []
    for key, label, _condition in SETS:
        baseline_n, end_n, paired = totals[f"{key}_baseline_n"], totals[f"{key}_end_n"], totals[f"{key}_paired"]
        outcomes.append(
            Outcome(
                label=label,
                members=totals[key],
                baseline_n=baseline_n,
                baseline_mean=_rounded(totals[f"{key}_baseline_mean"]),
                end_n=end_n,
                end_mean=_rounded(totals[f"{key}_end_mean"]),
                paired=paired,
                change_mean=_rounded(totals[f"{key}_change_mean"]),
                withheld=not clinical and min(baseline_n or FEW, end_n or FEW, paired or FEW) < FEW,
            )
        )
    referrals_open = Referral.objects.filter(member__group__in=scoped, followed_up_at__isnull=True).count()
    return ProgrammeCounts(
        groups=totals["groups"],
        screened=totals["screened"],
        awaiting=totals["awaiting"],
        joined=totals["joined"],
        reached=totals["reached"],
        completed=totals["completed"],
        not_joined=totals["not_joined"],
        not_joined_reasons=_reasons(members, "not_joining_reason", NOT_JOINING_REASONS),
        dropped=totals["dropped"],
        dropout_reasons=_reasons(members, "dropout_reason", DROPOUT_REASONS),
        held_now=totals["held_now"],
        referrals_open=referrals_open,
        outcomes=outcomes,
    )


def counts_by(actor: Actor, groups: QuerySet[Group], key: str) -> dict[int | None, CountsRow]:
    """The main counts per group ("group_id") or per site ("group__site_id"), in one grouped query."""
    members = counted_members(group_policy.scope(actor, GroupAction.VIEW, groups))
    rows = _annotated(members).order_by().values(key).annotate(**_main_counts())
    return {
        row[key]: CountsRow(
            key=row[key],
            screened=row["screened"],
            joined=row["joined"],
            reached=row["reached"],
            completed=row["completed"],
            dropped=row["dropped"],
            held_now=row["held_now"],
        )
        for row in rows
    }


@dataclass(frozen=True)
class GroupCountsPage:
    group: Group
    counts: ProgrammeCounts


@dataclass(frozen=True)
class SiteCountsPage:
    site: ProgrammeSite
    rows: list[dict[str, Any]]  # {"group": Group, "counts": CountsRow | None}
    counts: ProgrammeCounts


@dataclass(frozen=True)
class AllCountsPage:
    rows: list[dict[str, Any]]  # {"site": ProgrammeSite | None, "counts": CountsRow}
    counts: ProgrammeCounts


def _visible_groups(actor: Actor) -> QuerySet[Group]:
    return group_policy.scope(actor, GroupAction.VIEW, Group.objects.all())


def group_counts_page(*, actor: Actor, group_id: int) -> GroupCountsPage:
    group = _visible_groups(actor).select_related("site").filter(pk=group_id).first()
    if group is None:
        raise Http404("No such group.")
    return GroupCountsPage(group=group, counts=programme_counts(actor, Group.objects.filter(pk=group.pk)))


def site_counts_page(*, actor: Actor, site_id: int) -> SiteCountsPage:
    """A therapist or facilitator sees only the sites of their groups (another site answers 404)."""
    visible = _visible_groups(actor)
    sites = ProgrammeSite.objects.filter(organisation_id=actor.organisation.pk)
    if actor.role not in WHOLE_ORGANISATION_ROLES:
        sites = sites.filter(pk__in=visible.values("site_id"))
    site = sites.filter(pk=site_id).first()
    if site is None:
        raise Http404("No such site.")
    groups = visible.filter(site=site)
    by_group = counts_by(actor, groups, "group_id")
    rows = [{"group": group, "counts": by_group.get(group.pk)} for group in groups.order_by("-starts_on", "name")]
    return SiteCountsPage(site=site, rows=rows, counts=programme_counts(actor, groups))


def all_counts_page(*, actor: Actor) -> AllCountsPage:
    groups = _visible_groups(actor)
    by_site = counts_by(actor, groups, "group__site_id")
    sites = {site.pk: site for site in ProgrammeSite.objects.filter(organisation_id=actor.organisation.pk)}
    named = [(sites.get(key) if key else None, row) for key, row in by_site.items()]
    named.sort(key=lambda pair: (pair[0] is None, pair[0].name if pair[0] else ""))
    return AllCountsPage(
        rows=[{"site": site, "counts": row} for site, row in named], counts=programme_counts(actor, groups)
    )
