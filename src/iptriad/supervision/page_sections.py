"""The case's supervision log on its record: the course page and a group member's page, pages of apps below this one
(iptriad.courses.page_sections, iptriad.groups.page_sections), which render what is registered here.

Shown to the clinical roles that may open the page (the course's therapist and supervisors; the group's facilitators,
supervising clinician and supervisors), never to an administrator. One query, or none when the page's own query
found the case never reviewed (`present`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from iptriad.accounts.actors import Actor
from iptriad.courses.page_sections import course_page_sections
from iptriad.groups.page_sections import member_page_sections
from iptriad.supervision.models import ReviewedCase
from iptriad.supervision.permissions import LogAction, supervision_policy
from iptriad.supervision.selectors import case_log
from iptriad.web.sections import Section

TEMPLATE = "supervision/_case_log.html"


def _case_log(actor: Actor, record: Any) -> dict[str, Any] | None:
    """`record` is a Course or a GroupMember: both carry `treatment_context_id`."""
    if not supervision_policy.allows(actor, LogAction.READ):
        return None
    reviews = case_log(actor=actor, context_id=record.treatment_context_id)
    bring = _never_reviewed(actor, record) or {}
    if not reviews:
        return bring or None
    return {**bring, "reviews": reviews}


def _never_reviewed(actor: Actor, record: Any) -> dict[str, Any] | None:
    """A supervisor still gets the way to bring the case to supervision; no one else sees an empty section."""
    if not supervision_policy.allows(actor, LogAction.WRITE):
        return None
    return {"reviews": [], "bring": True, "may_open": True, "context_id": record.treatment_context_id}


def _reviewed() -> Exists:
    return Exists(ReviewedCase.objects.filter(treatment_context_id=OuterRef("treatment_context_id")))


def register() -> None:
    section = Section("supervision_log", TEMPLATE, _case_log, order=60, present=_reviewed, absent=_never_reviewed)
    course_page_sections.register(section)
    member_page_sections.register(section)
