"""What fidelity adds to the course page: the course's sessions with their ratings, and a link to rate each one.

Registered on iptriad.courses.page_sections (courses sits below fidelity), shown once a session of the course is
rated. One query: the sessions with the ids of their two ratings. A role that may not see ratings (an administrator
never reaches the course page anyway) gets no section.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course, CourseSession
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.page_sections import course_page_sections
from iptriad.fidelity.models import FidelityRating, RaterRole
from iptriad.fidelity.permissions import FidelityAction, fidelity_policy
from iptriad.web.sections import Section

SESSIONS_SHOWN = 12  # the newest: a long maintenance course keeps the page short


def _rating(role: RaterRole) -> Subquery:
    return Subquery(FidelityRating.objects.filter(course_session_id=OuterRef("pk"), rater_role=role).values("pk")[:1])


def course_fidelity(actor: Actor, course: Course) -> dict[str, Any] | None:
    if not fidelity_policy.allows(actor, FidelityAction.VIEW):
        return None
    sees = fidelity_policy.sees_everyone(actor) or course.therapist_id == actor.user_id
    if not sees:
        return None
    sessions = list(
        CourseSession.objects.filter(course=course, attendance=Attendance.ATTENDED)
        .annotate(self_rating=_rating(RaterRole.SELF), supervisor_rating=_rating(RaterRole.SUPERVISOR))
        .order_by("-number")[:SESSIONS_SHOWN]
        .values("pk", "number", "held_on", "phase", "self_rating", "supervisor_rating")
    )
    if not sessions:
        return None
    return {"sessions": sessions, "course": course}


def _rated() -> Exists:
    """Most course pages are opened before any of their sessions is rated: then the section costs no query (the
    course's sessions to rate are on the therapist's Fidelity page)."""
    return Exists(FidelityRating.objects.filter(course_session__course_id=OuterRef("pk")))


def register() -> None:
    course_page_sections.register(
        Section("fidelity", "fidelity/_course_fidelity.html", course_fidelity, order=60, present=_rated)
    )
