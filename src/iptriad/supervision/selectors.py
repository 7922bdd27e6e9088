"""Reads of the supervision log, scoped by iptriad.supervision.permissions (a foreign or missing entry is a 404) in a
fixed number of queries whatever the organisation's size. Reading an entry's clinical content is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.flags import FlagCode, rule
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry, SupervisionFormat
from iptriad.supervision.permissions import CLINICAL_ROLES, LogAction, supervision_policy

MY_ACTIONS_ON_HOME = 10
FORMAT_LABELS = dict(SupervisionFormat.choices)


def flag_titles(codes: Iterable[str]) -> list[str]:
    """The words of flag codes kept with a review (iptriad.core.flags); a code the rules no longer know shows as is."""
    titles = []
    for code in codes:
        try:
            titles.append(rule(FlagCode(code)).title)
        except ValueError:
            titles.append(str(code))
    return titles


# --- The log --------------------------------------------------------------------------------------------------


def log_entries(*, actor: Actor) -> QuerySet[SupervisionEntry]:
    """The entries the actor may read, newest first, with their counts (one query a page, plus the page count)."""
    entries = supervision_policy.entries(actor, LogAction.READ, SupervisionEntry.objects.all())
    return (
        entries.select_related("led_by")
        .annotate(
            case_count=Count("cases", distinct=True),
            attendee_count=Count("attendees", distinct=True),
            open_actions=Count("actions", filter=Q(actions__done_on__isnull=True), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def entry_get(*, actor: Actor, entry_id: int, action: LogAction = LogAction.READ) -> SupervisionEntry:
    entry = (
        supervision_policy.entries(actor, action, SupervisionEntry.objects.all())
        .select_related("led_by", "recorded_by")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404("No such supervision entry.")
    return entry


def entry_cases(entry: SupervisionEntry) -> list[ReviewedCase]:
    """The cases on an entry, in the order they were added (for its edit form)."""
    return list(ReviewedCase.objects.filter(entry=entry).order_by("pk"))


def clinicians_of(actor: Actor) -> list[User]:
    """The organisation's active clinicians, by name: who may attend a meeting or own an action."""
    memberships = Membership.objects.filter(
        organisation_id=actor.organisation.pk, is_active=True, role__in=list(CLINICAL_ROLES)
    ).select_related("user")
    return sorted((membership.user for membership in memberships), key=lambda user: (user.full_name, user.pk))


@dataclass(frozen=True)
class ReviewedCaseView:
    case: ReviewedCase
    flags: list[str]  # the titles of the flags it carried at review
    actions: list[SupervisionAction] = field(default_factory=list)


@dataclass(frozen=True)
class EntryView:
    entry: SupervisionEntry
    whole: bool  # the reader sees the whole entry (false: only their own cases and actions)
    attendees: list[User]
    cases: list[ReviewedCaseView]
    meeting_actions: list[SupervisionAction]  # actions not tied to a case


def entry_view(*, actor: Actor, entry: SupervisionEntry, audit: bool = True) -> EntryView:
    """An entry as the actor may read it, in three queries (attendees, cases, actions); audited with the clients."""
    attendees = list(entry.attendees.order_by("full_name", "pk"))
    whole = supervision_policy.sees_whole_entry(actor, entry, {user.pk for user in attendees})
    cases = list(ReviewedCase.objects.filter(entry=entry).select_related("client", "clinician").order_by("pk"))
    actions = list(
        SupervisionAction.objects.filter(entry=entry).select_related("owner", "done_by").order_by("due_on", "pk")
    )
    if not whole:
        mine = {case.pk for case in cases if case.clinician_id == actor.user_id}
        actions = [action for action in actions if action.owner_id == actor.user_id or action.case_id in mine]
        mine |= {action.case_id for action in actions if action.case_id is not None}
        cases = [case for case in cases if case.pk in mine]
    by_case: dict[int, list[SupervisionAction]] = {}
    for action in actions:
        if action.case_id is not None:
            by_case.setdefault(action.case_id, []).append(action)
    views = [ReviewedCaseView(case, flag_titles(case.flags_reviewed), by_case.get(case.pk, [])) for case in cases]
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.SUPERVISION_ENTRY_VIEWED,
            obj=entry,
            detail={"clients": [case.client_id for case in cases], "whole": whole},
        )
    return EntryView(
        entry=entry,
        whole=whole,
        attendees=attendees,
        cases=views,
        meeting_actions=[action for action in actions if action.case_id is None],
    )


# --- Actions --------------------------------------------------------------------------------------------------


def action_get(*, actor: Actor, action_id: int) -> SupervisionAction:
    """An action the actor may follow up (their own; a supervisor's whole organisation), else 404."""
    action = (
        supervision_policy.actions(actor, LogAction.FOLLOW_UP, SupervisionAction.objects.all())
        .select_related("entry", "case__client", "owner", "done_by")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    return action


@dataclass(frozen=True)
class MyActions:
    actions: list[SupervisionAction]
    overdue: int
    today: dt.date


def open_actions_owned(actor: Actor) -> QuerySet[SupervisionAction]:
    """The signed-in person's open actions (none for a role that follows nothing up), unordered: the home page counts
    them inside its own query (iptriad.home.selectors) and reads them only when there are some."""
    if actor.user_id is None or not supervision_policy.allows(actor, LogAction.FOLLOW_UP):
        return SupervisionAction.objects.none()
    return SupervisionAction.objects.filter(
        organisation_id=actor.organisation.pk, owner_id=actor.user_id, done_on__isnull=True
    )


def my_actions(*, actor: Actor, open_count: int | None = None, limit: int = MY_ACTIONS_ON_HOME) -> MyActions | None:
    """The signed-in person's open actions, overdue first (by due date), in one query, or none when `open_count`
    (counted already) is 0; None for a role without any."""
    if actor.user_id is None or not supervision_policy.allows(actor, LogAction.FOLLOW_UP):
        return None
    today = timezone.localdate()
    if open_count == 0:
        return MyActions(actions=[], overdue=0, today=today)
    actions = list(open_actions_owned(actor).select_related("entry", "case__client").order_by("due_on", "pk")[:limit])
    return MyActions(actions=actions, overdue=sum(action.due_on < today for action in actions), today=today)


# --- For other apps -------------------------------------------------------------------------------------------


def last_reviews(context_ids: Iterable[int]) -> dict[int, dt.date]:
    """The day each treatment context was last reviewed in supervision (one query for any number); a context never
    reviewed is absent. Used by iptriad.flags for the "no supervisory review" rule."""
    ids = list(set(context_ids))
    if not ids:
        return {}
    rows = (
        ReviewedCase.objects.filter(treatment_context_id__in=ids)
        .values("treatment_context_id")
        .annotate(last=Max("entry__held_on"))
        .order_by()
    )
    return {row["treatment_context_id"]: row["last"] for row in rows}


@dataclass(frozen=True)
class CaseLogAction:
    text: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    follow_up: str


@dataclass
class CaseLogReview:
    entry_id: int
    clinician_id: int  # whose case it was at review: they may open the entry (iptriad.supervision.permissions)
    held_on: dt.date
    format: str
    discussion: str
    risk_decision: str
    flags: list[str]
    actions: list[CaseLogAction] = field(default_factory=list)


def case_log(*, actor: Actor, context_id: int) -> list[CaseLogReview]:
    """Every meeting that reviewed the case, newest first, with its actions: one query (the cases joined to their
    entries and, left-outer, their actions). The page showing it has already decided the actor may see the case."""
    if not supervision_policy.allows(actor, LogAction.READ):
        return []
    rows = (
        ReviewedCase.objects.filter(organisation_id=actor.organisation.pk, treatment_context_id=context_id)
        .order_by("-entry__held_on", "-entry_id", "actions__due_on", "actions__pk")
        .values(
            "pk",
            "entry_id",
            "entry__held_on",
            "entry__format",
            "clinician_id",
            "discussion",
            "risk_decision",
            "flags_reviewed",
            "actions__pk",
            "actions__text",
            "actions__owner__full_name",
            "actions__due_on",
            "actions__done_on",
            "actions__follow_up",
        )
    )
    reviews: dict[int, CaseLogReview] = {}
    for row in rows:
        review = reviews.get(row["pk"])
        if review is None:
            review = reviews[row["pk"]] = CaseLogReview(
                entry_id=row["entry_id"],
                clinician_id=row["clinician_id"],
                held_on=row["entry__held_on"],
                format=_format_label(row["entry__format"]),
                discussion=row["discussion"],
                risk_decision=row["risk_decision"],
                flags=flag_titles(row["flags_reviewed"] or []),
            )
        if row["actions__pk"] is not None:
            review.actions.append(
                CaseLogAction(
                    text=row["actions__text"],
                    owner=row["actions__owner__full_name"],
                    due_on=row["actions__due_on"],
                    done_on=row["actions__done_on"],
                    follow_up=row["actions__follow_up"] or "",
                )
            )
    return list(reviews.values())


def _format_label(value: Any) -> str:
    return str(FORMAT_LABELS.get(value, value))
