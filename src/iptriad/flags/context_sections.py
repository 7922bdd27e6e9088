"""The "Not on track" section on the course page and on a group member's page (registered from FlagsConfig.ready()).

One query on each page (the stored row), none of it evaluating a rule; nothing is shown when no flag fires.
The course page reads its course with `course_get_whole` in courses, which annotates no section presence: one query
is the price of not reaching into that read from above (docs/decisions/0037-not-on-track-flags.md).
"""

from __future__ import annotations

from typing import Any

from iptriad.courses.models import Course
from iptriad.flags.context_selectors import course_page_flags, member_page_flags
from iptriad.groups.models import GroupMember
from iptriad.web.sections import Section

TEMPLATE = "flags/_not_on_track.html"


def _course(actor: Any, course: Course) -> dict[str, Any] | None:
    flags = course_page_flags(actor=actor, course=course)
    return {"flags": flags, "whose": "course"} if flags else None


def _member(actor: Any, member: GroupMember) -> dict[str, Any] | None:
    flags = member_page_flags(actor=actor, member=member)
    return {"flags": flags, "whose": "member"} if flags else None


course_flags_section = Section(name="flags", template=TEMPLATE, context=_course, order=10)
member_flags_section = Section(name="flags", template=TEMPLATE, context=_member, order=10)


def register() -> None:
    from iptriad.courses.page_sections import course_page_sections
    from iptriad.groups.page_sections import member_page_sections

    course_page_sections.register(course_flags_section)
    member_page_sections.register(member_flags_section)
