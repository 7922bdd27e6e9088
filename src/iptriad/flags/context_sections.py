"""The "Not on track" section on the course page and on a group member's page (registered from FlagsConfig.ready()).

Nothing on either page evaluates a rule: the section reads the stored row. On the course page, the course's own query
(`course_get_whole`) annotates whether a flag fires (`present`), so a course with none costs no query and a flagged
one costs one. A group member's page reads the row (one query): its member read annotates no section presence.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from iptriad.courses.models import Course
from iptriad.flags.context_selectors import course_page_flags, member_page_flags
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import GroupMember
from iptriad.web.sections import Section

TEMPLATE = "flags/_not_on_track.html"


def _course(actor: Any, course: Course) -> dict[str, Any] | None:
    flags = course_page_flags(actor=actor, course=course)
    return {"flags": flags, "whose": "course"} if flags else None


def _member(actor: Any, member: GroupMember) -> dict[str, Any] | None:
    flags = member_page_flags(actor=actor, member=member)
    return {"flags": flags, "whose": "member"} if flags else None


def _course_flagged() -> Exists:
    """Annotated by the course page's query: whether the course's stored row has a flag."""
    return Exists(ContextFlags.objects.filter(treatment_context_id=OuterRef("treatment_context_id"), flag_count__gt=0))


course_flags_section = Section(name="flags", template=TEMPLATE, context=_course, order=10, present=_course_flagged)
member_flags_section = Section(name="flags", template=TEMPLATE, context=_member, order=10)


def register() -> None:
    from iptriad.courses.page_sections import course_page_sections
    from iptriad.groups.page_sections import member_page_sections

    course_page_sections.register(course_flags_section)
    member_page_sections.register(member_flags_section)
