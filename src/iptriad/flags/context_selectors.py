"""Reading the stored flags of one course, one group member, or a caller's whole scope, with each flag's rule, source
and what the protocol suggests next (iptriad.core.flags). Nothing is evaluated here: rows are as the last refresh
stored them (iptriad.flags.services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, require
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.flags import RULES, SUGGESTIONS, FlagCode, Suggestion, rule, severity
from iptriad.courses.models import Course
from iptriad.courses.permissions import course_policy
from iptriad.flags.access import flags_policy
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import GroupMember


@dataclass(frozen=True)
class ShownFlag:
    """One stored flag with its words: what fired, why for this case, since when, the rule, its source, what next."""

    code: str
    title: str
    why: str
    since: dt.date
    rule: str
    source: str
    severity: int  # 1 is the gravest (iptriad.core.flags.SEVERITY)
    suggestions: tuple[Suggestion, ...]


def shown_flags(row: ContextFlags | None, codes: Collection[FlagCode] | None = None) -> list[ShownFlag]:
    """The row's flags in words, gravest first; `codes` narrows them (a facilitator's). A code no longer among the
    rules (a row stored by an older rules version, not refreshed yet) is left out rather than shown without words."""
    if row is None:
        return []
    known = {each.code.value: each.code for each in RULES}
    flags: list[ShownFlag] = []
    for entry in row.flags:
        code = known.get(str(entry.get("code")))
        if code is None or (codes is not None and code not in codes):
            continue
        words = rule(code)
        flags.append(
            ShownFlag(
                code=code.value,
                title=words.title,
                why=str(entry.get("why", "")),
                since=dt.date.fromisoformat(str(entry["since"])),
                rule=words.rule,
                source=words.source,
                severity=severity(code),
                suggestions=SUGGESTIONS[code],
            )
        )
    return sorted(flags, key=lambda flag: flag.severity)


def context_flags_row(treatment_context_id: int, organisation_id: int) -> ContextFlags | None:
    """One query; call only for a context the caller may read (its page's object was scoped already)."""
    return ContextFlags.objects.filter(
        treatment_context_id=treatment_context_id, organisation_id=organisation_id
    ).first()


def course_page_flags(*, actor: Actor, course: Course) -> list[ShownFlag]:
    """The flags on the course page (whose read the page audits): for the roles that read the course."""
    if not flags_policy.allows(actor, Action.VIEW) or not course_policy.allows(actor, Action.VIEW):
        return []
    return shown_flags(context_flags_row(course.treatment_context_id, course.organisation_id))


def member_page_flags(*, actor: Actor, member: GroupMember) -> list[ShownFlag]:
    """The flags of the member's episode on their page (scoped by the groups policy already), as the role sees them."""
    codes = flags_policy.codes_shown(actor)
    if codes is not None and not codes:
        return []
    return shown_flags(context_flags_row(member.treatment_context_id, member.organisation_id), codes)


def flags_visible(
    *, actor: Actor, clinician: int | None = None, code: FlagCode | None = None, active: bool | None = True
) -> QuerySet[ContextFlags]:
    """The caller's flagged contexts (rows with at least one flag), gravest first; 403 for a role that may not."""
    require(flags_policy, actor, Action.LIST)
    rows = flags_policy.scope(actor, Action.LIST, ContextFlags.objects.filter(flag_count__gt=0))
    if clinician is not None:
        rows = rows.filter(clinician_id=clinician)
    if code is not None:
        # The JSON list holds at most one entry per rule: a test of each position works on SQLite and PostgreSQL.
        rows = rows.filter(_has_code(code))
    if active is not None:
        rows = rows.filter(active=active)
    return rows.select_related("client", "clinician").order_by("worst", "-changed_at", "pk")


def _has_code(code: FlagCode) -> Q:
    found = Q()
    for position in range(len(RULES)):
        found |= Q(**{f"flags__{position}__code": code.value})
    return found


def flags_listed(*, actor: Actor, count: int, filters: dict[str, Any]) -> None:
    """A list of flagged clients read: audited as a client list, with its filters (no clinical content)."""
    audit_record(actor=actor, action=AuditAction.CLIENT_LISTED, detail={"list": "flags", "count": count, **filters})


def course_flags_get(*, actor: Actor, course_id: int) -> tuple[Course, list[ShownFlag], ContextFlags | None]:
    """One course's flags for the API: 404 for a course the caller may not read (another organisation's included);
    audited as a read of the course."""
    # The course first: another organisation's course, or one the role may not read, is a 404 for every role.
    course = get_object_or_404(course_policy.scope(actor, Action.VIEW, Course.objects.all()), pk=course_id)
    require(flags_policy, actor, Action.VIEW)
    row = context_flags_row(course.treatment_context_id, course.organisation_id)
    audit_record(
        actor=actor, action=AuditAction.COURSE_VIEWED, obj=course, detail={"client": course.client_id, "part": "flags"}
    )
    return course, shown_flags(row), row
