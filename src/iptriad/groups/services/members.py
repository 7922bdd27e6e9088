"""A member's way through a group: added, the pre-group meeting and the decision to join, held for clinical review
and cleared, leaving (dropout or a move to another group), the plan for warning signs, referrals and outreach."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record, audit_record_without_member
from iptriad.clients.models import Client
from iptriad.clients.permissions import client_policy
from iptriad.clients.services import client_require_active
from iptriad.core.groups import DROPOUT_REASONS, NOT_JOINING_REASONS, REFERRAL_REASONS
from iptriad.core.groups.reasons import reason
from iptriad.core.limits import NOTE_MAX, too_long_errors
from iptriad.core.protocol import ProblemAreaCode
from iptriad.groups.models import (
    NAME_MAX,
    SHORT_NOTE_MAX,
    Group,
    GroupMember,
    MemberStatus,
    OutreachOutcome,
    OutreachTask,
    Referral,
)
from iptriad.groups.permissions import GroupAction
from iptriad.groups.services.common import done_date_errors, require_group, require_member, require_open
from iptriad.measures.models import RiskAlert
from iptriad.measures.services import administration_record, risk_alert_open_concern, treatment_context_create

ERROR_ALREADY_IN_GROUP = "This client is already in a group (or awaiting one): a client is in one group at a time."
ERROR_GROUP_FULL = "The group is full ({capacity} members)."
ERROR_NOT_AWAITING = "This member's decision is already recorded."
ERROR_NOT_ACTIVE = "This member is no longer in the group."
ERROR_HELD = (
    "This member is held for clinical review: the supervising clinician must clear them before they can join or "
    "come back to the group."
)
ERROR_NO_PRE_GROUP = "Record the pre-group meeting before the decision."
ERROR_NO_CONSENT = "The member must agree to join: record the date they consented."
ERROR_RISK_UNANSWERED = "Answer both safety questions before deciding."
ERROR_MUST_REFER = (
    "A member with a current suicide plan or an attempt in the last 3 months does not join now: choose a reason "
    "that refers them to a clinician."
)
ERROR_REASON_REQUIRED = "Choose the reason."
ERROR_REFERRED_TO_REQUIRED = "Say who the member was referred to."
ERROR_PROBLEM_AREA = "Choose one of the four problem areas."
ERROR_NOT_HELD = "This member is not held for clinical review."
ERROR_ALERT_OPEN = (
    "Close the risk alert first, with your assessment and the action taken: a member is cleared once the risk has "
    "been assessed."
)
ERROR_CLEAR_NOTE = "Say what you decided, for the facilitator and the record."
ERROR_SAME_GROUP = "Choose another group."
ERROR_TARGET_CLOSED = "That group is closed."
ERROR_FOLLOWED_UP = "This referral's follow-up is already recorded."
ERROR_FOLLOW_UP_REQUIRED = "Say what happened after the referral."
ERROR_OUTREACH_DONE = "This outreach is already recorded."
ERROR_OUTCOME = "Choose what came of it."
ERROR_PLAN_REQUIRED = "Write the member's warning signs and their plan."
ERROR_ANSWERS_REQUIRED = "Answer the screening questionnaire, or leave the pre-group meeting for later."


def _client_name(member: GroupMember) -> str:
    return f"{member.client.given_name} {member.client.family_name}"


@transaction.atomic
def member_add(*, actor: Actor, group: Group, client: Client) -> GroupMember:
    """A registered client joins the group's list, awaiting their pre-group meeting."""
    require_group(actor, GroupAction.MANAGE, group)
    require_open(group)
    if not client_policy.scope(actor, Action.VIEW, Client.objects.filter(pk=client.pk)).exists():
        raise PermissionDenied("You may not add this client.")
    client_require_active(client)
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if locked.members.active().count() >= locked.capacity:
        raise ValidationError(ERROR_GROUP_FULL.format(capacity=locked.capacity))
    if GroupMember.objects.active().filter(client=client).exists():
        raise ValidationError({"client": ERROR_ALREADY_IN_GROUP})
    context = treatment_context_create(client=client, kind="group")
    try:
        with transaction.atomic():
            member = GroupMember.objects.create(
                organisation_id=group.organisation_id,
                group=group,
                client=client,
                treatment_context=context,
                added_by=actor.member(),
            )
    except IntegrityError as error:  # added to two groups at the same moment: the constraint decided
        raise ValidationError({"client": ERROR_ALREADY_IN_GROUP}) from error
    audit_record(actor=actor, action=AuditAction.GROUP_MEMBER_ADDED, obj=member, detail={"client": client.pk})
    return member


@dataclasses.dataclass(frozen=True)
class PreGroupDetails:
    held_on: dt.date
    screening_answers: Sequence[int | None]  # the group's screening questionnaire, item by item
    problem_area: str
    goal: str
    note: str  # symptoms and onset, key relationships, history, the hope given: in the facilitator's words
    suicide_plan: bool | None
    recent_attempt: bool | None
    parent_meeting_on: dt.date | None = None


@transaction.atomic
def pre_group_record(*, actor: Actor, member: GroupMember, details: PreGroupDetails) -> GroupMember:
    """The individual pre-group meeting: screening questionnaire, problem area, goal, risk screen. A positive
    self-harm answer opens an alert to the supervising clinician and holds the member; a 'yes' to either safety
    question raises a concern too, so the clinician hears of it the same day."""
    require_member(actor, GroupAction.RUN, member)
    require_open(member.group)
    client_require_active(member.client)
    locked = GroupMember.objects.select_for_update(of=("self",)).select_related("group", "client").get(pk=member.pk)
    if locked.status != MemberStatus.SCREENING:
        raise ValidationError(ERROR_NOT_AWAITING)
    errors = too_long_errors({"goal": details.goal, "note": details.note}, {"goal": SHORT_NOTE_MAX, "note": NOTE_MAX})
    errors |= done_date_errors({"held_on": details.held_on, "parent_meeting_on": details.parent_meeting_on})
    if details.problem_area not in ProblemAreaCode.__members__.values():
        errors["problem_area"] = ERROR_PROBLEM_AREA
    if details.suicide_plan is None or details.recent_attempt is None:
        errors["suicide_plan"] = ERROR_RISK_UNANSWERED
    if not any(answer is not None for answer in details.screening_answers):
        errors["screening_answers"] = ERROR_ANSWERS_REQUIRED
    if errors:
        raise ValidationError(errors)
    screening = administration_record(
        actor=actor,
        client=locked.client,
        code=locked.group.screening_instrument,
        answers=list(details.screening_answers),
        context=locked.treatment_context,
    )
    locked.pre_group_on = details.held_on
    locked.parent_meeting_on = details.parent_meeting_on
    locked.screening = screening
    locked.problem_area = details.problem_area
    locked.goal = details.goal.strip()
    locked.pre_group_note = details.note.strip()
    locked.suicide_plan, locked.recent_attempt = details.suicide_plan, details.recent_attempt
    locked.save()
    audit_record(actor=actor, action=AuditAction.GROUP_PRE_GROUP_SAVED, obj=locked, detail={"client": locked.client_id})
    if details.suicide_plan or details.recent_attempt:
        said = " and ".join(
            words
            for asked, words in (
                (details.suicide_plan, "a current plan to end their life"),
                (details.recent_attempt, "a suicide attempt in the last 3 months"),
            )
            if asked
        )
        risk_alert_open_concern(
            actor=actor,
            client=locked.client,
            concern=f"Pre-group meeting: the person told of {said}.",
            context=locked.treatment_context,
        )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def member_decide(
    *,
    actor: Actor,
    member: GroupMember,
    joins: bool,
    consent_on: dt.date | None = None,
    reason_code: str = "",
    referred_to: str = "",
    detail: str = "",
) -> GroupMember:
    """Joins the group (with consent), or not, with a coded reason; a reason that refers logs the referral."""
    require_member(actor, GroupAction.RUN, member)
    require_open(member.group)
    locked = GroupMember.objects.select_for_update(of=("self",)).select_related("group").get(pk=member.pk)
    if locked.status != MemberStatus.SCREENING:
        raise ValidationError(ERROR_NOT_AWAITING)
    if locked.pre_group_on is None:
        raise ValidationError(ERROR_NO_PRE_GROUP)
    errors = too_long_errors(
        {"referred_to": referred_to, "detail": detail}, {"referred_to": NAME_MAX, "detail": NOTE_MAX}
    )
    if joins:
        if locked.suicide_plan or locked.recent_attempt:
            raise ValidationError({"reason_code": ERROR_MUST_REFER})
        if locked.is_held:
            raise ValidationError(ERROR_HELD)
        if consent_on is None:
            errors["consent_on"] = ERROR_NO_CONSENT
        else:
            errors |= done_date_errors({"consent_on": consent_on})
    else:
        codes = {coded.code for coded in NOT_JOINING_REASONS}
        if reason_code not in codes:
            errors["reason_code"] = ERROR_REASON_REQUIRED
        elif (locked.suicide_plan or locked.recent_attempt) and not reason(NOT_JOINING_REASONS, reason_code).refer:
            errors["reason_code"] = ERROR_MUST_REFER
        elif reason(NOT_JOINING_REASONS, reason_code).refer and not referred_to.strip():
            errors["referred_to"] = ERROR_REFERRED_TO_REQUIRED
    if errors:
        raise ValidationError(errors)
    locked.decided_at, locked.decided_by = timezone.now(), actor.user
    if joins:
        locked.status, locked.consent_on = MemberStatus.JOINED, consent_on
    else:
        locked.status, locked.not_joining_reason = MemberStatus.NOT_JOINED, reason_code
        locked.left_on = timezone.localdate()
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.GROUP_MEMBER_DECIDED,
        obj=locked,
        detail={"client": locked.client_id, "joins": joins, "reason": reason_code},
    )
    if not joins and reason(NOT_JOINING_REASONS, reason_code).refer:
        referral_reason = reason_code if reason_code in {coded.code for coded in REFERRAL_REASONS} else "other"
        referral_make(
            actor=actor,
            member=locked,
            reason_code=referral_reason,
            referred_to=referred_to,
            detail=detail,
            alert=locked.held_alert,
        )
    return locked


def member_hold_for_alert(alert: RiskAlert) -> GroupMember | None:
    """An alert opened in a member's group context holds the member out of the group until a clinician clears them,
    and logs the referral to the supervising clinician. Called in the alert's transaction (iptriad.groups.signals)."""
    if alert.context_id is None:
        return None
    member = (
        GroupMember.objects.select_for_update(of=("self",))
        .active()
        .filter(treatment_context_id=alert.context_id)
        .select_related("group__supervisor")
        .first()
    )
    if member is None:
        return None
    if not member.is_held:
        member.held_since, member.held_alert = alert.opened_at, alert
        member.cleared_at, member.cleared_by, member.cleared_note = None, None, ""
        member.save(update_fields=["held_since", "held_alert", "cleared_at", "cleared_by", "cleared_note"])
    from_answer = alert.source == "critical_item"
    referral = Referral.objects.create(
        organisation_id=member.organisation_id,
        member=member,
        reason="self_harm_answer" if from_answer else "facilitator_concern",
        referred_to=member.group.supervisor.full_name[:NAME_MAX],
        alert=alert,
        made_at=alert.opened_at,
        made_by_id=alert.opened_by_id or member.group.supervisor_id,
    )
    audit_record_without_member(
        organisation=member.group.organisation,
        action=AuditAction.GROUP_MEMBER_HELD,
        obj=member,
        ip_address=None,
        detail={"client": member.client_id, "alert": alert.pk, "referral": referral.pk},
    )
    return member


@transaction.atomic
def member_clear(*, actor: Actor, member: GroupMember, note: str) -> GroupMember:
    """The supervising clinician has assessed the risk (the alert is closed) and lets the member back into the
    group's flow, saying what they decided."""
    require_member(actor, GroupAction.CLEAR, member)
    locked = GroupMember.objects.select_for_update(of=("self",)).select_related("held_alert").get(pk=member.pk)
    if not locked.is_held:
        raise ValidationError(ERROR_NOT_HELD)
    if locked.held_alert is not None and locked.held_alert.is_open:
        raise ValidationError(ERROR_ALERT_OPEN)
    note = note.strip()
    errors = too_long_errors({"note": note}, {"note": NOTE_MAX})
    if not note:
        errors["note"] = ERROR_CLEAR_NOTE
    if errors:
        raise ValidationError(errors)
    locked.cleared_at, locked.cleared_by, locked.cleared_note = timezone.now(), actor.user, note
    locked.save(update_fields=["cleared_at", "cleared_by", "cleared_note"])
    audit_record(actor=actor, action=AuditAction.GROUP_MEMBER_CLEARED, obj=locked, detail={"client": locked.client_id})
    return locked


@transaction.atomic
def member_drop(
    *, actor: Actor, member: GroupMember, reason_code: str, note: str = "", left_on: dt.date | None = None
) -> GroupMember:
    """The member leaves the group, with the reason (a referral reason logs the referral too)."""
    require_member(actor, GroupAction.RUN, member)
    locked = GroupMember.objects.select_for_update().get(pk=member.pk)
    if locked.status != MemberStatus.JOINED:
        raise ValidationError(ERROR_NOT_ACTIVE)
    left_on = left_on or timezone.localdate()
    errors = too_long_errors({"note": note}, {"note": NOTE_MAX}) | done_date_errors({"left_on": left_on})
    if reason_code not in {coded.code for coded in DROPOUT_REASONS}:
        errors["reason_code"] = ERROR_REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    locked.status, locked.dropout_reason = MemberStatus.DROPPED, reason_code
    locked.left_on, locked.left_note = left_on, note.strip()
    locked.save(update_fields=["status", "dropout_reason", "left_on", "left_note"])
    OutreachTask.objects.filter(member=locked, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor.user, outcome=OutreachOutcome.NOT_RETURNING
    )
    audit_record(
        actor=actor,
        action=AuditAction.GROUP_MEMBER_DROPPED,
        obj=locked,
        detail={"client": locked.client_id, "reason": reason_code},
    )
    return locked


@transaction.atomic
def member_transfer(*, actor: Actor, member: GroupMember, to_group: Group) -> GroupMember:
    """The member moves to another open group, keeping their pre-group meeting, their measures and any hold."""
    require_member(actor, GroupAction.MANAGE, member)
    require_group(actor, GroupAction.MANAGE, to_group)
    locked = GroupMember.objects.select_for_update().get(pk=member.pk)
    if locked.status not in (MemberStatus.SCREENING, MemberStatus.JOINED):
        raise ValidationError(ERROR_NOT_ACTIVE)
    if to_group.pk == locked.group_id:
        raise ValidationError({"to_group": ERROR_SAME_GROUP})
    target = Group.objects.select_for_update().get(pk=to_group.pk)
    if not target.is_open:
        raise ValidationError({"to_group": ERROR_TARGET_CLOSED})
    if target.members.active().count() >= target.capacity:
        raise ValidationError({"to_group": ERROR_GROUP_FULL.format(capacity=target.capacity)})
    status = locked.status
    locked.status, locked.left_on = MemberStatus.TRANSFERRED, timezone.localdate()
    locked.save(update_fields=["status", "left_on"])
    kept = {
        field: getattr(locked, field)
        for field in (
            "pre_group_on", "parent_meeting_on", "screening_id", "problem_area", "goal", "pre_group_note",
            "suicide_plan", "recent_attempt", "consent_on", "decided_at", "decided_by_id", "held_since",
            "held_alert_id", "cleared_at", "cleared_by_id", "cleared_note",
        )
    }  # fmt: skip
    moved = GroupMember.objects.create(
        organisation_id=target.organisation_id,
        group=target,
        client_id=locked.client_id,
        treatment_context_id=locked.treatment_context_id,
        status=status,
        added_by=actor.member(),
        **kept,
    )
    locked.transferred_to = moved
    locked.save(update_fields=["transferred_to"])
    audit_record(
        actor=actor,
        action=AuditAction.GROUP_MEMBER_TRANSFERRED,
        obj=moved,
        detail={"client": locked.client_id, "from_group": locked.group_id, "to_group": target.pk},
    )
    return moved


@transaction.atomic
def member_plan_save(*, actor: Actor, member: GroupMember, warning_signs: str, plan: str) -> GroupMember:
    """In the termination phase: the member's warning signs and what they will do if the signs come back."""
    require_member(actor, GroupAction.RUN, member)
    locked = GroupMember.objects.select_for_update().get(pk=member.pk)
    if locked.status not in (MemberStatus.JOINED, MemberStatus.FINISHED):
        raise ValidationError(ERROR_NOT_ACTIVE)
    warning_signs, plan = warning_signs.strip(), plan.strip()
    errors = too_long_errors(
        {"warning_signs": warning_signs, "plan": plan}, {"warning_signs": NOTE_MAX, "plan": NOTE_MAX}
    )
    if not warning_signs:
        errors["warning_signs"] = ERROR_PLAN_REQUIRED
    if not plan:
        errors["plan"] = ERROR_PLAN_REQUIRED
    if errors:
        raise ValidationError(errors)
    locked.warning_signs, locked.warning_plan, locked.plan_recorded_at = warning_signs, plan, timezone.now()
    locked.save(update_fields=["warning_signs", "warning_plan", "plan_recorded_at"])
    audit_record(
        actor=actor, action=AuditAction.GROUP_MEMBER_PLAN_SAVED, obj=locked, detail={"client": locked.client_id}
    )
    return locked


@transaction.atomic
def referral_make(
    *,
    actor: Actor,
    member: GroupMember,
    reason_code: str,
    referred_to: str,
    detail: str = "",
    alert: RiskAlert | None = None,
) -> Referral:
    require_member(actor, GroupAction.RUN, member)
    referred_to, detail = referred_to.strip(), detail.strip()
    errors = too_long_errors(
        {"referred_to": referred_to, "detail": detail}, {"referred_to": NAME_MAX, "detail": NOTE_MAX}
    )
    if reason_code not in {coded.code for coded in REFERRAL_REASONS}:
        errors["reason_code"] = ERROR_REASON_REQUIRED
    if not referred_to:
        errors["referred_to"] = ERROR_REFERRED_TO_REQUIRED
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        organisation_id=member.organisation_id,
        member=member,
        reason=reason_code,
        referred_to=referred_to,
        detail=detail,
        alert=alert,
        made_by=actor.member(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.GROUP_REFERRAL_MADE,
        obj=referral,
        detail={"client": member.client_id, "reason": reason_code},
    )
    return referral


@transaction.atomic
def referral_follow_up(*, actor: Actor, referral: Referral, follow_up: str) -> Referral:
    require_member(actor, GroupAction.CLEAR, referral.member)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.followed_up_at is not None:
        raise ValidationError(ERROR_FOLLOWED_UP)
    follow_up = follow_up.strip()
    errors = too_long_errors({"follow_up": follow_up}, {"follow_up": NOTE_MAX})
    if not follow_up:
        errors["follow_up"] = ERROR_FOLLOW_UP_REQUIRED
    if errors:
        raise ValidationError(errors)
    locked.followed_up_at, locked.followed_up_by, locked.follow_up = timezone.now(), actor.user, follow_up
    locked.save(update_fields=["followed_up_at", "followed_up_by", "follow_up"])
    audit_record(actor=actor, action=AuditAction.GROUP_REFERRAL_FOLLOWED_UP, obj=locked)
    return locked


@transaction.atomic
def outreach_done(*, actor: Actor, task: OutreachTask, outcome: str, note: str = "") -> OutreachTask:
    """The facilitator contacted (or tried to contact) a member who missed two sessions in a row."""
    require_member(actor, GroupAction.RUN, task.member)
    locked = OutreachTask.objects.select_for_update().get(pk=task.pk)
    if locked.done_at is not None:
        raise ValidationError(ERROR_OUTREACH_DONE)
    note = note.strip()
    errors = too_long_errors({"note": note}, {"note": SHORT_NOTE_MAX})
    if outcome not in OutreachOutcome.values:
        errors["outcome"] = ERROR_OUTCOME
    if errors:
        raise ValidationError(errors)
    locked.done_at, locked.done_by, locked.outcome, locked.note = timezone.now(), actor.user, outcome, note
    locked.save(update_fields=["done_at", "done_by", "outcome", "note"])
    audit_record(
        actor=actor,
        action=AuditAction.GROUP_OUTREACH_DONE,
        obj=locked,
        detail={"client": locked.member.client_id, "outcome": outcome},
    )
    return locked
