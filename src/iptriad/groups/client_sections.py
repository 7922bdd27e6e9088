"""What group IPT adds to pages of the apps below it: the client's group memberships on their record page, and on a
risk alert's page the group member the alert holds.

The page itself decides who sees the client (their therapist, supervisors, administrators); the section shows
membership and attendance to all of them, and whether the member is held only to the clinical roles. One query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from iptriad.accounts.actors import Actor
from iptriad.clients.models import Client
from iptriad.clients.sections import client_record_sections
from iptriad.groups.models import Group, GroupMember
from iptriad.groups.permissions import GroupAction, group_policy
from iptriad.groups.selectors.members import client_group_rows
from iptriad.measures.models import RiskAlert
from iptriad.measures.sections import alert_sections
from iptriad.web.sections import Section


def client_groups(actor: Actor, client: Client) -> dict[str, Any] | None:
    rows = client_group_rows(actor, client)
    return {"rows": rows} if rows else None


def register() -> None:
    client_record_sections.register(
        Section("groups", "groups/_client_groups.html", client_groups, order=20, present=_ever_in_a_group)
    )


def _ever_in_a_group() -> Exists:
    """Most clients never join a group: their record page asks nothing more of groups."""
    return Exists(GroupMember.objects.filter(client_id=OuterRef("pk")))


def alert_group_member(actor: Actor, alert: RiskAlert) -> dict[str, Any] | None:
    """On a risk alert's page: the group membership the alert holds, with the way to clear the member once the
    alert is closed (for those who may clear). One query; nothing when the alert did not arise in a group."""
    if alert.context_id is None:
        return None
    member = (
        GroupMember.objects.filter(treatment_context_id=alert.context_id, held_alert_id=alert.pk)
        .select_related("group")
        .order_by("-pk")
        .first()
    )
    if member is None:
        return None
    may_clear = group_policy.scope(actor, GroupAction.CLEAR, Group.objects.filter(pk=member.group_id)).exists()
    return {"member": member, "group": member.group, "may_clear": may_clear, "alert": alert}


def register_alert_section() -> None:
    alert_sections.register(Section("group_member", "groups/_alert_group_member.html", alert_group_member, order=5))
