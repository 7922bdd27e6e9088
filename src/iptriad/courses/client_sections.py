"""What the courses app adds to the client's pages, which sit below it: the client's IPT courses on their record
page, and the progress in their current (or latest) course on their measures page."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client
from iptriad.clients.sections import client_record_sections
from iptriad.courses.models import Course
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.course import courses_of_client
from iptriad.courses.selectors.measures import client_course_progress
from iptriad.measures.sections import client_measures_sections
from iptriad.web.sections import Section


def client_no_courses(actor: Actor, client: Client) -> dict[str, Any] | None:
    """The section for a client who never had a course (their record's query said so): the way to open one."""
    if not course_policy.allows(actor, Action.LIST):
        return None
    return {"client": client, "courses": [], "may_open_course": not client.is_archived}


def _ever_in_a_course() -> Exists:
    return Exists(Course.objects.filter(client_id=OuterRef("pk")))


def client_courses(actor: Actor, client: Client) -> dict[str, Any] | None:
    if not course_policy.allows(actor, Action.LIST):
        return None
    courses = list(courses_of_client(actor=actor, client=client))
    return {
        "client": client,
        "courses": courses,
        "may_open_course": not client.is_archived and not any(course.is_open for course in courses),
    }


def client_course_measures(actor: Actor, client: Client) -> dict[str, Any] | None:
    progress = client_course_progress(actor=actor, client=client)
    if progress is None:
        return None
    return {"course": progress.course, "trajectories": progress.trajectories}


def register() -> None:
    client_record_sections.register(
        Section(
            "courses",
            "courses/_client_courses.html",
            client_courses,
            order=10,
            present=_ever_in_a_course,
            absent=client_no_courses,
        )
    )
    client_measures_sections.register(
        Section("course-progress", "courses/_client_measures_progress.html", client_course_measures)
    )
