"""What the group services share: the permission checks and the messages they raise."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.core.dates import done_date_error
from iptriad.groups.models import Group, GroupMember
from iptriad.groups.permissions import GroupAction, group_policy

ERROR_GROUP_CLOSED = "This group is closed: nothing more can be recorded in it."

DENIED = {
    GroupAction.VIEW: "You may not see this group.",
    GroupAction.MANAGE: "You may not set up this group.",
    GroupAction.RUN: "You may not record in this group.",
    GroupAction.CLINICAL: "You may not see what was recorded in this group.",
    GroupAction.CLEAR: "Only the group's supervising clinician or a supervisor may do this.",
}


def require_group(actor: Actor, action: GroupAction, group: Group) -> None:
    """Services are entry points too (pages, API, CLI): check the group itself, whatever the caller checked."""
    if not group_policy.scope(actor, action, Group.objects.filter(pk=group.pk)).exists():
        raise PermissionDenied(DENIED[action])


def require_open(group: Group) -> None:
    if not group.is_open:
        raise ValidationError(ERROR_GROUP_CLOSED)


def require_member(actor: Actor, action: GroupAction, member: GroupMember) -> None:
    require_group(actor, action, member.group)


# How far back a group's dates may be entered: a programme may record a year's paper forms late.
ENTRY_WINDOW_DAYS = 366


def done_date_errors(values: dict[str, dt.date | None], *, since: dt.date | None = None) -> dict[str, str]:
    """Dates of things done in a group (a meeting held, a consent given, a member leaving): not in the future, and
    not before `since` (by default a year ago), so a slipped year is caught."""
    today = timezone.localdate()
    earliest = since or today - dt.timedelta(days=ENTRY_WINDOW_DAYS)
    errors = {}
    for field, day in values.items():
        if day is not None and (message := done_date_error(day, today=today, opened_on=earliest)):
            errors[field] = message.replace("the course opened", "the group's records begin")
    return errors
