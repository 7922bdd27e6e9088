"""A group with members, made through the set-up services (group creation, adding, pre-group, deciding), for tests of
the session roster, pages, the API and permissions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation, User
from iptriad.clients.models import Client
from iptriad.groups.models import Group, GroupMember
from iptriad.groups.services.members import PreGroupDetails, member_add, member_decide, pre_group_record
from iptriad.groups.services.setup import GroupDetails, group_create
from tests.conftest import make_client

PHQ9_MODERATE = [2, 2, 1, 1, 2, 1, 1, 1, 0]  # 11, item 9 "not at all"


@dataclass(frozen=True)
class GroupCast:
    group: Group
    members: list[GroupMember]


def make_group(
    admin: Actor,
    *,
    facilitator: User,
    supervisor: User,
    name: str = "Tuesday women's group",
    format_code: str = "who_8",
    starts_on: dt.date | None = None,
    capacity: int = 15,
) -> Group:
    return group_create(
        actor=admin,
        details=GroupDetails(
            name=name,
            format_code=format_code,
            facilitator=facilitator,
            supervisor=supervisor,
            starts_on=starts_on or timezone.localdate() - dt.timedelta(days=60),
            capacity=capacity,
        ),
    )


def make_clients(organisation: Organisation, count: int, prefix: str = "G") -> list[Client]:
    return [
        make_client(organisation, f"{prefix}-{number:04d}", None, given_name=f"Member{number}", family_name="Groupson")
        for number in range(1, count + 1)
    ]


def joined_members(admin: Actor, runner: Actor, group: Group, clients: list[Client]) -> list[GroupMember]:
    """Each client added, screened at a pre-group meeting and joined."""
    members = []
    held_on = timezone.localdate() - dt.timedelta(days=61)
    for client in clients:
        member = member_add(actor=admin, group=group, client=client)
        pre_group_record(
            actor=runner,
            member=member,
            details=PreGroupDetails(
                held_on=held_on,
                screening_answers=PHQ9_MODERATE,
                problem_area="role_dispute",
                goal="Talk with my sister again",
                note="Low since the quarrel in June.",
                suicide_plan=False,
                recent_attempt=False,
            ),
        )
        members.append(member_decide(actor=runner, member=member, joins=True, consent_on=held_on))
    return members
