"""Not-on-track flags: the caller's flagged cases, gravest first, and one course's flags. Read only: the flags are
computed when their inputs change (iptriad.flags.services), never on a request. Scoped by iptriad.flags.access (a
supervisor the organisation, a therapist their courses and the groups they supervise; other roles 403); a course
the caller may not read is a 404; reads are audited as on the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from ninja import Query, Router

from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.flags import CourseFlagsOut, FlagListQuery, FlagPage
from iptriad.courses.models import Course
from iptriad.flags.context_selectors import ShownFlag, course_flags_get, flags_listed, flags_visible, shown_flags
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import GroupMember

router = Router(tags=["flags"])


def _flag(flag: ShownFlag) -> dict[str, Any]:
    return {**asdict(flag), "suggestions": [asdict(suggestion) for suggestion in flag.suggestions]}


def _row(row: ContextFlags) -> dict[str, Any]:
    return {
        "treatment_context": row.treatment_context_id,
        "kind": row.kind,
        "course": getattr(row, "course_id", None),
        "member": getattr(row, "member_id", None),
        "client": row.client,
        "clinician": row.clinician,
        "active": row.active,
        "worst": row.worst,
        "changed_at": row.changed_at,
        "computed_at": row.computed_at,
        "last_review_on": row.last_review_on,
        "rules_version": row.rules_version,
        "flags": [_flag(flag) for flag in shown_flags(row)],
    }


@router.get("/flags", response={200: FlagPage, **ERRORS_READ}, summary="List flagged cases")
def flag_list_api(request: HttpRequest, filters: Query[FlagListQuery]) -> dict[str, Any]:
    """Courses and group members with at least one flag, gravest first, then the most recently changed. Two
    queries whatever the page's size (the count, and the rows with their client, clinician and record)."""
    actor = actor_of(request)
    rows = flags_visible(actor=actor, clinician=filters.clinician, code=filters.code, active=filters.active)
    rows = rows.annotate(
        course_id=Subquery(
            Course.objects.filter(treatment_context_id=OuterRef("treatment_context_id")).values("pk")[:1]
        ),
        member_id=Subquery(
            GroupMember.objects.filter(
                treatment_context_id=OuterRef("treatment_context_id"), transferred_to__isnull=True
            ).values("pk")[:1]
        ),
    )
    count = rows.count()
    shown = list(rows[filters.offset : filters.offset + filters.limit])
    flags_listed(
        actor=actor,
        count=len(shown),
        filters={"clinician": filters.clinician, "code": filters.code.value if filters.code else None},
    )
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": [_row(row) for row in shown]}


@router.get(
    "/courses/{int:course_id}/flags", response={200: CourseFlagsOut, **ERRORS_READ}, summary="Read a course's flags"
)
def course_flags_api(request: HttpRequest, course_id: Id) -> dict[str, Any]:
    """The course's flags as last computed, gravest first, each with its rule, source and suggestions."""
    course, flags, row = course_flags_get(actor=actor_of(request), course_id=course_id)
    return {
        "course": course.pk,
        "computed_at": row.computed_at if row else None,
        "changed_at": row.changed_at if row else None,
        "rules_version": row.rules_version if row else None,
        "flags": [_flag(flag) for flag in flags],
    }
