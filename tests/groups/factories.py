"""A group with members, made through the set-up services (group creation, adding, pre-group, deciding), for tests of
the session roster, pages, the API and permissions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation, User
from iptriad.clients.models import Client
from iptriad.groups.contexts import GROUP
from iptriad.groups.models import (
    Group,
    GroupMember,
    GroupSession,
    GroupStatus,
    GroupTemplate,
    MemberStatus,
    OutreachTask,
    ProgrammeSite,
    Referral,
    SessionAttendance,
)
from iptriad.groups.services.members import PreGroupDetails, member_add, member_decide, pre_group_record
from iptriad.groups.services.setup import GroupDetails, group_create
from iptriad.measures.models import Occasion, TreatmentContext
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


@dataclass(frozen=True)
class GroupRecords:
    """One organisation's group objects of every kind, made straight in the database (no services), for the
    permission matrix: the matrix must not depend on the behaviour it checks."""

    site: ProgrammeSite
    template: GroupTemplate
    group: Group
    member: GroupMember  # joined, with session 1 recorded
    session: GroupSession  # session 1, held
    attendance: SessionAttendance
    referral: Referral
    outreach: OutreachTask


def group_records(
    organisation: Organisation,
    *,
    facilitator: User,
    supervisor: User,
    identifier: str = "",
    client: Client | None = None,
    label: str = "Matrix",
) -> GroupRecords:
    org = organisation.pk
    site = ProgrammeSite.objects.create(organisation_id=org, name=f"{label} site of {organisation.slug}")
    template = GroupTemplate.objects.create(
        organisation_id=org,
        name=f"{label}: ten sessions ({organisation.slug})",
        sessions=10,
        initial_sessions=2,
        termination_sessions=2,
        completed_at_least=7,
        created_by=supervisor,
    )
    starts_on = timezone.localdate() - dt.timedelta(days=14)
    group = Group.objects.create(
        organisation_id=org,
        site=site,
        name=f"{label} group ({organisation.slug})",
        facilitator=facilitator,
        supervisor=supervisor,
        capacity=12,
        format_code="who_8",
        format_name="WHO Group IPT: 8 sessions",
        sessions_planned=8,
        initial_sessions=1,
        termination_sessions=1,
        screening_instrument="phq9",
        check_instrument="phq9",
        completed_at_least=6,
        starts_on=starts_on,
        status=GroupStatus.RUNNING,
    )
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            organisation_id=org,
            group=group,
            number=number,
            phase="initial" if number == 1 else ("termination" if number == 8 else "middle"),
            planned_on=starts_on + dt.timedelta(days=7 * (number - 1)),
        )
        for number in range(1, 9)
    )
    client = client or make_client(organisation, identifier, None, given_name="Gala", family_name="Groupmember")
    context = TreatmentContext.objects.create(organisation_id=org, client=client, kind=GROUP)
    member = GroupMember.objects.create(
        organisation_id=org,
        group=group,
        client=client,
        treatment_context=context,
        status=MemberStatus.JOINED,
        added_by=supervisor,
        pre_group_on=starts_on - dt.timedelta(days=3),
        problem_area="grief",
        goal="Sleep through the night",
        suicide_plan=False,
        recent_attempt=False,
        consent_on=starts_on - dt.timedelta(days=3),
    )
    session = sessions[0]
    GroupSession.objects.filter(pk=session.pk).update(held_on=starts_on, recorded_by=facilitator)
    session.refresh_from_db()
    attendance = SessionAttendance.objects.create(
        organisation_id=org,
        session=session,
        member=member,
        status="absent",
        occasion=Occasion.objects.create(organisation_id=org, context=context),
        recorded_by=facilitator,
    )
    referral = Referral.objects.create(
        organisation_id=org, member=member, reason="facilitator_concern", referred_to="Clinic", made_by=facilitator
    )
    outreach = OutreachTask.objects.create(organisation_id=org, member=member, session=session)
    return GroupRecords(
        site=site,
        template=template,
        group=group,
        member=member,
        session=session,
        attendance=attendance,
        referral=referral,
        outreach=outreach,
    )
