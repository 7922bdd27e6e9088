"""A group session's roster, saved in one go from a phone: each member's attendance, their symptom check, a risk flag
and a short note. Saving the same session again completes or corrects it; nothing is recorded twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.groups import ATTENDED, Attendance, needs_outreach
from iptriad.core.limits import too_long_errors
from iptriad.groups.models import (
    SHORT_NOTE_MAX,
    GroupMember,
    GroupSession,
    GroupStatus,
    MemberStatus,
    OutreachTask,
    SessionAttendance,
)
from iptriad.groups.permissions import GroupAction
from iptriad.groups.services.common import done_date_errors, require_group, require_open
from iptriad.measures.services import administration_record, occasion_create, risk_alert_open_concern

ERROR_STATUS = "Choose present, absent, excused or make-up."
ERROR_MISSING_MEMBERS = "Record attendance for every member: {names} missing."
ERROR_UNKNOWN_MEMBER = "Someone on this roster is not a member of the group (the page may be out of date: reload it)."
ERROR_CHECK_WHEN_AWAY = "{name} is marked {status}, but has symptom-check answers: mark them present, or clear them."
ERROR_CHECK_TWICE = "{name} already has a symptom check for this session; it is kept as it was."
ERROR_HELD_PRESENT = "{name} is held for clinical review: they take part again once the clinician has cleared them."
ERROR_SESSION_ORDER = "Record session {number} first: sessions are recorded in order."
ERROR_MADE_UP_ON = "Give the day of the make-up meeting."
DEFAULT_CONCERN = "The facilitator is worried about this member (group session {number})."


@dataclasses.dataclass(frozen=True)
class RosterEntry:
    member_id: int
    status: str
    answers: Sequence[int | None] | None = None  # the symptom check, item by item; None or all blank: none taken
    risk_flag: bool = False
    concern: str = ""  # what worried the facilitator, sent with the alert
    note: str = ""
    made_up_on: dt.date | None = None


def _name(member: GroupMember) -> str:
    return f"{member.client.given_name} {member.client.family_name}"


def roster_members(session: GroupSession) -> list[GroupMember]:
    """Who is on the session's roster: the members in the group (held members too, recorded as excused)."""
    return list(
        GroupMember.objects.filter(group_id=session.group_id, status=MemberStatus.JOINED)
        .select_related("client", "treatment_context")
        .order_by("client__family_name", "client__given_name", "pk")
    )


def _validate(
    session: GroupSession,
    members: dict[int, GroupMember],
    entries: list[RosterEntry],
    recorded: dict[int, SessionAttendance],
) -> None:
    errors: list[str] = []
    field_errors: dict[str, str] = {}
    given = {entry.member_id for entry in entries}
    if given - set(members):
        raise ValidationError(ERROR_UNKNOWN_MEMBER)
    missing = [_name(member) for pk, member in members.items() if pk not in given and not member.is_held]
    if missing:
        errors.append(ERROR_MISSING_MEMBERS.format(names=", ".join(missing)))
    for entry in entries:
        member = members[entry.member_id]
        prefix = f"member_{entry.member_id}"
        if entry.status not in Attendance.__members__.values():
            field_errors[f"{prefix}_status"] = ERROR_STATUS
            continue
        has_answers = entry.answers is not None and any(answer is not None for answer in entry.answers)
        if member.is_held and entry.status in ATTENDED:
            field_errors[f"{prefix}_status"] = ERROR_HELD_PRESENT.format(name=_name(member))
        if has_answers and entry.status not in ATTENDED:
            field_errors[f"{prefix}_check"] = ERROR_CHECK_WHEN_AWAY.format(name=_name(member), status=entry.status)
        earlier = recorded.get(member.pk)
        if has_answers and earlier is not None and earlier.symptom_check_id is not None:
            field_errors[f"{prefix}_check"] = ERROR_CHECK_TWICE.format(name=_name(member))
        if entry.status == Attendance.MAKE_UP and entry.made_up_on is None:
            field_errors[f"{prefix}_made_up_on"] = ERROR_MADE_UP_ON
        field_errors |= {
            f"{prefix}_{field}": message
            for field, message in (
                too_long_errors(
                    {"note": entry.note, "concern": entry.concern}, {"note": SHORT_NOTE_MAX, "concern": 300}
                )
                | done_date_errors({"made_up_on": entry.made_up_on})
            ).items()
        }
    if errors or field_errors:
        raise ValidationError({"__all__": errors, **field_errors} if errors else field_errors)


@transaction.atomic
def session_record(
    *, actor: Actor, session: GroupSession, held_on: dt.date, entries: Sequence[RosterEntry], note: str = ""
) -> GroupSession:
    """Save the session's roster. Every symptom check is a measure in the member's context (a positive self-harm
    answer opens an alert there); a risk flag opens a concern; either holds the member for clinical review, through
    iptriad.groups.signals. Two missed sessions in a row open an outreach task for the facilitator."""
    group = session.group
    require_group(actor, GroupAction.RUN, group)
    require_open(group)
    locked = GroupSession.objects.select_for_update().get(pk=session.pk)
    earlier_unheld = GroupSession.objects.filter(group_id=group.pk, number__lt=locked.number, held_on__isnull=True)
    if first := earlier_unheld.order_by("number").first():
        raise ValidationError(ERROR_SESSION_ORDER.format(number=first.number))
    note = note.strip()
    errors = too_long_errors({"note": note}, {"note": SHORT_NOTE_MAX}) | done_date_errors({"held_on": held_on})
    if errors:
        raise ValidationError(errors)
    members = {member.pk: member for member in roster_members(locked)}
    recorded = {row.member_id: row for row in SessionAttendance.objects.select_for_update().filter(session=locked)}
    entries = list(entries)
    _validate(locked, members, entries, recorded)
    now = timezone.now()
    by_member = {entry.member_id: entry for entry in entries}
    for member in members.values():  # a held member not on the form is recorded as excused
        if member.pk not in by_member:
            by_member[member.pk] = RosterEntry(member_id=member.pk, status=Attendance.EXCUSED)
    checks = concerns = 0
    for member_id, entry in by_member.items():
        member = members[member_id]
        row = recorded.get(member_id)
        if row is None:
            row = SessionAttendance(
                organisation_id=group.organisation_id,
                session=locked,
                member=member,
                occasion=occasion_create(context=member.treatment_context),
                recorded_by=actor.user,
            )
        row.status, row.note = entry.status, entry.note.strip()
        row.made_up_on = entry.made_up_on if entry.status == Attendance.MAKE_UP else None
        row.risk_flag = row.risk_flag or entry.risk_flag  # a flag once raised stays on the record
        row.recorded_at = now
        row.save()
        if entry.answers is not None and any(answer is not None for answer in entry.answers):
            row.symptom_check = administration_record(
                actor=actor,
                client=member.client,
                code=group.check_instrument,
                answers=list(entry.answers),
                context=member.treatment_context,
                occasion=row.occasion,
            )
            row.save(update_fields=["symptom_check"])
            checks += 1
        if entry.risk_flag:
            risk_alert_open_concern(
                actor=actor,
                client=member.client,
                concern=entry.concern.strip() or DEFAULT_CONCERN.format(number=locked.number),
                context=member.treatment_context,
                occasion=row.occasion,
            )
            concerns += 1
    first_save = locked.held_on is None
    locked.held_on, locked.note, locked.recorded_by, locked.recorded_at = held_on, note, actor.user, now
    locked.save(update_fields=["held_on", "note", "recorded_by", "recorded_at"])
    if group.status == GroupStatus.FORMING:
        group.status = GroupStatus.RUNNING
        group.save(update_fields=["status"])
    _open_outreach(locked, list(members))
    audit_record(
        actor=actor,
        action=AuditAction.GROUP_SESSION_SAVED,
        obj=locked,
        detail={
            "group": group.pk,
            "number": locked.number,
            "members": len(by_member),
            "checks": checks,
            "concerns": concerns,
            "first_save": first_save,
        },
    )
    return locked


def _open_outreach(session: GroupSession, member_ids: list[int]) -> None:
    """An outreach task for each member whose attendance makes a second miss in a row at this session."""
    statuses: dict[int, list[str]] = defaultdict(list)
    rows = (
        SessionAttendance.objects.filter(member_id__in=member_ids, session__number__lte=session.number)
        .order_by("session__number")
        .values_list("member_id", "status")
    )
    for member_id, status in rows:
        statuses[member_id].append(status)
    due = [member_id for member_id, history in statuses.items() if needs_outreach(history)]
    open_already = set(
        OutreachTask.objects.filter(member_id__in=due, done_at__isnull=True).values_list("member_id", flat=True)
    )
    OutreachTask.objects.bulk_create(
        [
            OutreachTask(organisation_id=session.organisation_id, member_id=member_id, session=session)
            for member_id in due
            if member_id not in open_already
        ],
        ignore_conflicts=True,
    )
