"""The supervisor's dashboard, read from the stored flags (`ContextFlags`) in a fixed number of queries whatever the
caseload: no rule is evaluated here (iptriad.flags computes the rows when their inputs change).

Worst first: by each person's gravest flag (the lowest `worst` rank over their open cases, the order of
`iptriad.core.flags.SEVERITY`), then by how many of their cases are flagged. "What changed" is counted since the
person's last supervision meeting (the latest `SupervisionEntry.held_on` they led or attended); a flag is marked new
when raised after the later of that meeting and its case's own last review (`last_review_on`).

Queries, for the whole dashboard: the people with their last meetings (one), the counts per person (one aggregate
over the narrow flags rows), the rows changed since those meetings (one, when anyone has met), and each person's
gravest few cases with their clients and the record to open (one: a window function over the narrow rows, then
only the rows kept are joined). A person's page is the same with every flagged case of theirs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import reverse

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Role
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.flags import FlagCode, gravest, rule
from iptriad.courses.models import Course
from iptriad.flags.dashboard.permissions import dashboard_policy
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import GroupMember
from iptriad.supervision.models import SupervisionEntry

CASES_PER_PERSON = 3  # on the dashboard; the person's page lists every flagged case
CASES_ON_HOME = 5  # the supervisor's home names the gravest few; the dashboard has the rest
PERSON_PAGE_LIMIT = 500  # a bound on one page, far above any real caseload
CLINICIAN_ROLES = (Role.THERAPIST, Role.FACILITATOR)
COURSE_KIND, GROUP_KIND = "course", "group"  # ContextFlags.kind: the treatment context's registered kind


@dataclass(frozen=True)
class FlagShown:
    code: str
    title: str
    why: str
    since: dt.date | None
    new: bool  # raised after the case's last review point


@dataclass(frozen=True)
class CaseRow:
    kind: str  # "course" or "group"
    client_name: str
    client_identifier: str
    client_id: int
    flags: list[FlagShown]
    changed_at: dt.datetime | None
    last_review_on: dt.date | None
    url: str  # the record to open: the course page or the group member's page ("" when neither exists any more)

    @property
    def new_flags(self) -> int:
        return sum(1 for flag in self.flags if flag.new)


@dataclass
class PersonRow:
    user_id: int
    membership_id: int  # the person's page is addressed by their membership: a row of the organisation
    name: str
    role: str
    active_cases: int = 0
    flagged_cases: int = 0
    gravest_rank: int | None = None
    gravest: str = ""  # the gravest flag's title
    last_meeting: dt.date | None = None
    changed_since: int = 0  # flagged cases whose flags changed since the last meeting
    cleared_since: int = 0  # open cases whose last flags cleared since the last meeting
    cases: list[CaseRow] = field(default_factory=list)

    @property
    def more_cases(self) -> int:
        return self.flagged_cases - len(self.cases)


@dataclass(frozen=True)
class Dashboard:
    people: list[PersonRow]
    active_cases: int
    flagged_cases: int
    sees_everyone: bool


def _day_after(day: dt.date, time_zone: str) -> dt.datetime:
    """The first moment after a meeting's day, in the organisation's time zone: changes that day were discussed."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zoneinfo.ZoneInfo(time_zone))


def _counts(scoped: QuerySet[ContextFlags], people: dict[int, PersonRow], time_zone: str) -> dict[int, dict[str, Any]]:
    """Open and flagged cases and the gravest rank per person (one aggregate over the narrow rows), then what changed
    since each person's last meeting (a second aggregate over the rows changed since the earliest of those meetings:
    the per-person date as a condition inside the first one was checked on every row, five times its cost)."""
    rows = (
        scoped.filter(active=True)
        .order_by()
        .values("clinician_id")
        # Only columns of the (organisation, clinician, active, worst) index, so PostgreSQL may answer from the index
        # alone: `worst` is null exactly when nothing fires (iptriad.flags.models), so counting it counts the flagged.
        .annotate(active_cases=Count("clinician_id"), flagged_cases=Count("worst"), gravest_rank=Min("worst"))
    )
    counts = {row["clinician_id"]: {**row, "changed_since": 0, "cleared_since": 0} for row in rows}
    after = {
        user_id: _day_after(person.last_meeting, time_zone)
        for user_id, person in people.items()
        if person.last_meeting is not None
    }
    if not after:
        return counts
    since = Q()
    for user_id, moment in after.items():
        since |= Q(clinician_id=user_id, changed_at__gte=moment)
    changed = (
        scoped.filter(since, active=True, changed_at__gte=min(after.values()))
        .order_by()
        .values("clinician_id")
        .annotate(changed_since=Count("worst"), cleared_since=Count("pk", filter=Q(worst__isnull=True)))
    )
    for row in changed:
        if row["clinician_id"] in counts:
            counts[row["clinician_id"]].update(row)
    return counts


def _with_records(cases: QuerySet[ContextFlags]) -> QuerySet[ContextFlags]:
    """The record each case opens, as subqueries of the same query: its course, or its latest group membership
    (a transfer keeps the treatment context, so the latest row is where the member is now)."""
    course = Course.objects.filter(treatment_context_id=OuterRef("treatment_context_id")).values("pk")[:1]
    member = (
        GroupMember.objects.filter(treatment_context_id=OuterRef("treatment_context_id"))
        .order_by("-added_at", "-pk")
        .values("pk")[:1]
    )
    # Each subquery only for its kind of case (CASE runs only the branch taken).
    shown = ("kind", "clinician_id", "flags", "worst", "changed_at", "last_review_on")
    names = ("client__given_name", "client__family_name", "client__identifier")
    return (
        cases.select_related("client")
        .only(*shown, *names)
        .annotate(
            course_pk=Case(When(kind=COURSE_KIND, then=Subquery(course)), default=None, output_field=IntegerField()),
            member_pk=Case(When(kind=GROUP_KIND, then=Subquery(member)), default=None, output_field=IntegerField()),
        )
    )


def _since_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _case_row(row: ContextFlags, meeting: dt.date | None) -> CaseRow:
    reviewed = max((day for day in (meeting, row.last_review_on) if day is not None), default=None)
    flags = []
    for stored in row.flags:
        since = _since_date(stored.get("since"))
        try:
            title = rule(FlagCode(stored.get("code"))).title
        except ValueError:  # a rule retired since the row was computed: show its code rather than nothing
            title = str(stored.get("code"))
        new = reviewed is not None and since is not None and since > reviewed
        flags.append(FlagShown(str(stored.get("code")), title, str(stored.get("why", "")), since, new))
    course_pk = getattr(row, "course_pk", None)
    member_pk = getattr(row, "member_pk", None)
    if course_pk is not None:
        url = reverse("course-detail", args=[course_pk])
    elif member_pk is not None:
        url = reverse("groups_member", args=[member_pk])
    else:
        url = ""
    return CaseRow(
        kind=row.kind,
        client_name=row.client.full_name,
        client_identifier=row.client.identifier,
        client_id=row.client_id,
        flags=flags,
        changed_at=row.changed_at,
        last_review_on=row.last_review_on,
        url=url,
    )


def _worst_first(person: PersonRow) -> tuple[int, int, int, int, str]:
    rank = person.gravest_rank if person.flagged_cases else None
    return (
        rank is None,
        rank if rank is not None else 0,
        -person.flagged_cases,
        -person.changed_since,
        person.name.casefold(),
    )


def _people(actor: Actor, only: Q | None) -> dict[int, PersonRow]:
    """The organisation's therapists and facilitators, and whoever else holds open cases (a supervisor running a
    course, a member since deactivated whose clients still need a clinician), each with their last supervision
    meeting (led or attended), in one query."""
    org = actor.organisation.pk
    entries = SupervisionEntry.objects.filter(organisation_id=org).order_by("-held_on").values("held_on")
    holds_cases = ContextFlags.objects.filter(organisation_id=org, clinician_id=OuterRef("user_id"), active=True)
    members = Membership.objects.filter(organisation_id=org).filter(
        Q(role__in=CLINICIAN_ROLES, is_active=True) | Exists(holds_cases)
    )
    if only is not None:
        members = members.filter(only)
    rows = members.order_by().annotate(
        led=Subquery(entries.filter(led_by_id=OuterRef("user_id"))[:1]),
        went=Subquery(entries.filter(attendees=OuterRef("user_id"))[:1]),
    )
    people = {}
    fields = ("pk", "user_id", "user__full_name", "role", "led", "went")
    for membership_id, user_id, name, role, led, went in rows.values_list(*fields):
        person = PersonRow(user_id=user_id, membership_id=membership_id, name=name, role=Role(role).label)
        person.last_meeting = max((day for day in (led, went) if day is not None), default=None)
        people[user_id] = person
    return people


def dashboard(*, actor: Actor, with_cases: bool = True, record: bool = True) -> Dashboard:
    """Every therapist and facilitator (or the actor alone, for their own row), worst first, with their gravest
    few flagged cases; without them (the supervisor's home) it names no client, so nothing is audited. A role without
    the dashboard gets nobody (the view refuses it first)."""
    sees_everyone = dashboard_policy.sees_everyone(actor)
    only = None if sees_everyone else Q(user_id=actor.user_id)
    scoped = dashboard_policy.scope(actor, ContextFlags.objects.all())
    people = _people(actor, only)
    counts = _counts(scoped, people, actor.organisation.time_zone)
    _fill(people, counts)
    if with_cases:
        _add_top_cases(people, scoped)
    ordered = sorted(people.values(), key=_worst_first)
    if with_cases and record:
        _record_viewed(actor, [case.client_id for person in ordered for case in person.cases], page="dashboard")
    return Dashboard(
        people=ordered,
        active_cases=sum(person.active_cases for person in ordered),
        flagged_cases=sum(person.flagged_cases for person in ordered),
        sees_everyone=sees_everyone,
    )


def gravest_cases(*, actor: Actor, limit: int = CASES_ON_HOME, record: bool = True) -> list[CaseRow]:
    """The gravest flagged cases the actor sees, worst first, for the supervisor's home to name with their rules;
    one query, and the clients it names are recorded as any list of clients is (`record`; the home's cache records
    each view itself: record_home_viewed)."""
    order = (F("worst").asc(), F("changed_at").desc(nulls_last=True), "pk")
    scoped = dashboard_policy.scope(actor, ContextFlags.objects.all()).filter(active=True, worst__isnull=False)
    # Ranked over the narrow flags rows alone; only the few kept are joined to their clients and records.
    top = scoped.order_by(*order).values("pk")[:limit]
    rows = _with_records(ContextFlags.objects.filter(pk__in=top)).order_by(*order)
    cases = [_case_row(row, None) for row in rows]
    if record:
        record_home_viewed(actor, [case.client_id for case in cases])
    return cases


def _add_top_cases(people: dict[int, PersonRow], scoped: QuerySet[ContextFlags]) -> None:
    """Each person's gravest few flagged cases in one query (a row number per clinician, kept up to the few)."""
    window = Window(
        RowNumber(),
        partition_by=[F("clinician_id")],
        order_by=[F("worst").asc(nulls_last=True), F("changed_at").desc(nulls_last=True), F("pk").asc()],
    )
    # The window runs over the narrow flags rows alone; only the few kept are joined to their clients and records.
    ranked = scoped.filter(active=True, worst__isnull=False).annotate(place=window).filter(place__lte=CASES_PER_PERSON)
    top = _with_records(ContextFlags.objects.filter(pk__in=ranked.values("pk"))).order_by(
        "clinician_id", F("worst").asc(nulls_last=True), F("changed_at").desc(nulls_last=True), "pk"
    )
    for row in top:
        person = people.get(row.clinician_id)
        if person is not None:
            person.cases.append(_case_row(row, person.last_meeting))


def _fill(people: dict[int, PersonRow], counts: dict[int, dict[str, Any]]) -> None:
    for user_id, person in people.items():
        row = counts.get(user_id, {})
        person.active_cases = row.get("active_cases", 0)
        person.flagged_cases = row.get("flagged_cases", 0)
        person.gravest_rank = row.get("gravest_rank")
        person.changed_since = row.get("changed_since", 0)
        person.cleared_since = row.get("cleared_since", 0)
        # `worst` is the gravest flag's rank in core.flags.SEVERITY (1: self-harm), as iptriad.flags stores it.
        if person.flagged_cases and person.gravest_rank is not None:
            person.gravest = rule(gravest(person.gravest_rank)).title


def person_dashboard(*, actor: Actor, membership_id: int) -> PersonRow:
    """One person's row with every flagged case of theirs, worst first; 404 for anyone the actor may not see
    (another organisation's member, a member who is not a clinician and holds no case, or another clinician for a
    therapist or facilitator)."""
    if not dashboard_policy.allows(actor):
        raise Http404("No such person.")
    people = _people(actor, Q(pk=membership_id))
    person = next(iter(people.values()), None)
    if person is None or not dashboard_policy.may_see_person(actor, person.user_id):
        raise Http404("No such person.")
    scoped = dashboard_policy.scope(actor, ContextFlags.objects.filter(clinician_id=person.user_id))
    counts = _counts(scoped, people, actor.organisation.time_zone)
    _fill(people, counts)
    cases = _with_records(scoped.filter(active=True, worst__isnull=False)).order_by(
        F("worst").asc(nulls_last=True), F("changed_at").desc(nulls_last=True), "pk"
    )
    person.cases = [_case_row(row, person.last_meeting) for row in cases[:PERSON_PAGE_LIMIT]]
    _record_viewed(actor, [case.client_id for case in person.cases], page=f"dashboard person {person.user_id}")
    return person


def record_dashboard_viewed(actor: Actor, client_ids: Sequence[int]) -> None:
    """The clients a dashboard shown (from the cache or not) names, recorded as any list of clients is."""
    _record_viewed(actor, list(client_ids), page="dashboard")


def record_home_viewed(actor: Actor, client_ids: Sequence[int]) -> None:
    """The clients the supervisor's home names (its gravest cases, from the cache or not), recorded likewise."""
    _record_viewed(actor, list(client_ids), page="home")


def _record_viewed(actor: Actor, client_ids: list[int], page: str) -> None:
    """Who saw which clients' names and flags, as any list of clients is recorded (the client list's action)."""
    if client_ids:
        audit_record(
            actor=actor,
            action=AuditAction.CLIENT_LISTED,
            detail={"client_ids": client_ids, "list": page, "page": 1, "searched": False},
        )
