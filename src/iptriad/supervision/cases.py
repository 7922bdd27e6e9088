"""A case as the supervision log knows it: a treatment context of measures, which is an IPT course or a client's
episode in a group, with its client and whose case it is. Found here for the picker and checked here by the services,
so a case of another organisation, a closed course or a member who left is never offered and never accepted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from iptriad.accounts.models import User
from iptriad.clients.models import Client
from iptriad.core.protocol import Phase
from iptriad.core.search import search_terms
from iptriad.courses.models import Course
from iptriad.groups.models import ACTIVE_MEMBER_STATUSES, GroupMember

COURSE = "course"
GROUP = "group"
PICKER_LIMIT = 30  # matches shown per kind: a search narrows thousands of clients to a few


@dataclass(frozen=True)
class Case:
    context_id: int
    kind: str  # COURSE or GROUP
    client: Client
    clinician: User  # the course's therapist, the group's facilitator
    record_id: int  # the course's id, or the group member's (for the link to the record)
    where: str  # "IPT course" or the group's name

    @property
    def url_name(self) -> str:
        return "course-detail" if self.kind == COURSE else "groups_member"

    @property
    def label(self) -> str:
        return f"{self.client.full_name} ({self.client.identifier}), {self.where}, {self.clinician.full_name}"


def _from_course(course: Course) -> Case:
    return Case(course.treatment_context_id, COURSE, course.client, course.therapist, course.pk, "IPT course")


def _from_member(member: GroupMember) -> Case:
    group = member.group
    return Case(member.treatment_context_id, GROUP, member.client, group.facilitator, member.pk, group.name)


def cases_by_context(*, organisation_id: int, context_ids: set[int], open_only: bool) -> dict[int, Case]:
    """The organisation's cases among `context_ids` (two queries); those of another organisation are simply absent.
    `open_only`: only open courses and members still in (or awaiting) their group, as a new review needs."""
    if not context_ids:
        return {}
    courses = Course.objects.filter(organisation_id=organisation_id, treatment_context_id__in=context_ids)
    members = GroupMember.objects.filter(group__organisation_id=organisation_id, treatment_context_id__in=context_ids)
    if open_only:
        courses = courses.exclude(phase=Phase.CLOSED)
        members = members.filter(status__in=ACTIVE_MEMBER_STATUSES)
    found = {
        course.treatment_context_id: _from_course(course) for course in courses.select_related("client", "therapist")
    }
    # An episode moved to another group keeps its context: the latest row is the group it is in now.
    for member in members.select_related("client", "group__facilitator").order_by("pk"):
        found[member.treatment_context_id] = _from_member(member)
    return found


def cases_matching(*, organisation_id: int, query: str) -> list[Case]:
    """Open courses and active group members whose client's name or identifier matches every word of the query
    (the client's stored search text, as the client list searches), at most PICKER_LIMIT of each."""
    terms = search_terms(query)
    if not terms:
        return []
    matches = Q()
    for term in terms:
        matches &= Q(client__search_text__contains=term)
    courses = (
        Course.objects.filter(matches, organisation_id=organisation_id)
        .exclude(phase=Phase.CLOSED)
        .select_related("client", "therapist")
        .order_by("client__family_name", "client__given_name", "pk")[:PICKER_LIMIT]
    )
    members = (
        GroupMember.objects.filter(matches, group__organisation_id=organisation_id, status__in=ACTIVE_MEMBER_STATUSES)
        .select_related("client", "group__facilitator")
        .order_by("client__family_name", "client__given_name", "pk")[:PICKER_LIMIT]
    )
    return [*(_from_course(course) for course in courses), *(_from_member(member) for member in members)]
