"""What a session's roster page shows: the session and its group, each member in the group with what is recorded
for them at this session and how many sessions they attended before it; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from iptriad.accounts.actors import Actor
from iptriad.core.groups import ATTENDED, PHASE_GUIDES, PhaseGuide
from iptriad.core.instruments import Instrument, instrument
from iptriad.core.protocol import Phase
from iptriad.groups.models import GroupMember, GroupSession, MemberStatus, SessionAttendance
from iptriad.groups.permissions import GroupAction, group_policy
from iptriad.measures.models import RiskAlert


@dataclass(frozen=True)
class RosterRow:
    member: GroupMember
    recorded: SessionAttendance | None  # this session's row, once saved
    attended_before: int  # sessions attended (present or make-up) before this one

    @property
    def has_check(self) -> bool:
        return self.recorded is not None and self.recorded.symptom_check_id is not None


@dataclass(frozen=True)
class Roster:
    session: GroupSession
    rows: list[RosterRow]  # members in the group, not held
    held: list[RosterRow]  # held for clinical review: recorded as excused
    guide: PhaseGuide
    check: Instrument
    held_before: int  # sessions of the group held before this one

    @property
    def is_recorded(self) -> bool:
        return self.session.held_on is not None


def session_for_roster(*, actor: Actor, session_id: int) -> GroupSession:
    sessions = GroupSession.objects.select_related("group", "group__facilitator", "group__supervisor")
    session = group_policy.scope(actor, GroupAction.RUN, sessions, "group").filter(pk=session_id).first()
    if session is None:
        raise Http404("No such session.")
    return session


def session_roster(*, actor: Actor, session_id: int) -> Roster:
    """Four queries: the session with its group, the members with their clients, this session's rows with their
    checks, and each member's attendance before this session."""
    session = session_for_roster(actor=actor, session_id=session_id)
    members = list(
        GroupMember.objects.filter(group_id=session.group_id, status=MemberStatus.JOINED)
        .select_related("client")
        .order_by("client__family_name", "client__given_name", "pk")
    )
    recorded = {
        row.member_id: row for row in SessionAttendance.objects.filter(session=session).select_related("symptom_check")
    }
    attended = dict(
        SessionAttendance.objects.filter(member__in=members, session__number__lt=session.number)
        .values("member_id")
        .annotate(attended=Count("pk", filter=Q(status__in=list(ATTENDED))))
        .values_list("member_id", "attended")
    )
    rows = [RosterRow(member, recorded.get(member.pk), attended.get(member.pk, 0)) for member in members]
    group = session.group
    return Roster(
        session=session,
        rows=[row for row in rows if not row.member.is_held],
        held=[row for row in rows if row.member.is_held],
        guide=PHASE_GUIDES[Phase(session.phase)],
        check=instrument(group.check_instrument),
        held_before=session.number - 1,
    )


@dataclass(frozen=True)
class RiskRaised:
    member_name: str
    what: str  # the alert's summary: the item answered, or the facilitator's concern
    opened_at: dt.datetime
    is_open: bool


@dataclass(frozen=True)
class SessionRisks:
    raised: list[RiskRaised]

    @property
    def any_open(self) -> bool:
        return any(risk.is_open for risk in self.raised)


def session_risks(*, session: GroupSession) -> SessionRisks:
    """The alerts this session raised (a positive self-harm answer on a check, a facilitator's concern): one query."""
    raised = (
        RiskAlert.objects.filter(
            Q(occasion__group_attendance__session=session)
            | Q(administration__occasion__group_attendance__session=session)
        )
        .select_related("client")
        .order_by("opened_at", "pk")
    )
    return SessionRisks(
        [
            RiskRaised(
                member_name=f"{alert.client.given_name} {alert.client.family_name}",
                what=alert.summary,
                opened_at=alert.opened_at,
                is_open=alert.is_open,
            )
            for alert in raised
        ]
    )
