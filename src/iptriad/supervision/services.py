"""Writes of the supervision log: a meeting logged with its cases and actions, an entry edited, an action followed
up. Each is one transaction, checked here whatever the caller (page, API, demo), and audited.

Every reviewed case is saved with `.save()`, one row at a time, so Django's post_save on ReviewedCase fires for each
(and post_delete for a case taken off an entry): iptriad.flags listens there to recompute the "no supervisory review"
flag. Never write cases with `.update()` or `bulk_create`, which send no signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.dates import done_date_error
from iptriad.core.limits import NOTE_MAX, too_long_errors
from iptriad.measures.models import TreatmentContext
from iptriad.supervision.cases import Case, cases_by_context
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry, SupervisionFormat
from iptriad.supervision.permissions import CLINICAL_ROLES, LogAction, supervision_policy

# How far back a meeting may be logged: a supervisor may write up a term's meetings late, not a slipped year.
ENTRY_WINDOW_DAYS = 366

ERROR_DENIED_WRITE = "Only a supervisor may log or edit supervision meetings."
ERROR_DENIED_FOLLOW_UP = "You may mark done only the actions given to you."
ERROR_FORMAT = "Choose the kind of meeting."
ERROR_NO_ATTENDEES = "Choose who attended."
ERROR_ATTENDEE = "Someone chosen as attending is not a clinician of this organisation (reload the page)."
ERROR_CASE_UNKNOWN = (
    "A case chosen is not an open course or a current group member of this organisation (the page may be out of date: "
    "reload it)."
)
ERROR_CASE_TWICE = "A case is listed twice: review each case once per meeting."
ERROR_CASE_HAS_ACTIONS = "{name} has actions agreed at this meeting: a case with actions stays on the entry."
ERROR_ACTION_TEXT = "Say what is to be done."
ERROR_ACTION_OWNER = "Choose who will do it."
ERROR_ACTION_OWNER_UNKNOWN = "The owner chosen is not a clinician of this organisation (reload the page)."
ERROR_ACTION_DUE = "Give the day it is due."
ERROR_ACTION_DUE_BEFORE = "The due date is before the meeting ({held_on}): an action is due after it is agreed."
ERROR_ACTION_CASE = "This action's case is not one reviewed at this meeting."
ERROR_ALREADY_DONE = "This action is already marked done."
ERROR_DONE_BEFORE = "It was done before the meeting that agreed it ({held_on}): check the date."


@dataclass(frozen=True)
class CaseNote:
    """A case reviewed: its treatment context, what was discussed and the risk decision."""

    context_id: int
    discussion: str = ""
    risk_decision: str = ""


@dataclass(frozen=True)
class ActionNote:
    """An action agreed; `key` names its row in error messages (a form's row, the API's list index)."""

    key: str
    text: str
    owner_id: int | None
    due_on: dt.date | None
    context_id: int | None = None  # the case it belongs to, or None for the meeting


@dataclass(frozen=True)
class EntryDetails:
    held_on: dt.date
    format: str
    attendee_ids: Sequence[int]
    note: str = ""
    cases: Sequence[CaseNote] = ()
    actions: Sequence[ActionNote] = ()  # new actions (editing an entry adds; agreed actions stay as agreed)


def _require(actor: Actor, action: LogAction, message: str) -> None:
    if not supervision_policy.allows(actor, action):
        raise PermissionDenied(message)


def clinicians(organisation_id: int, user_ids: set[int]) -> dict[int, User]:
    """The active clinicians of the organisation among `user_ids` (one query)."""
    if not user_ids:
        return {}
    memberships = Membership.objects.filter(
        organisation_id=organisation_id, user_id__in=user_ids, is_active=True, role__in=list(CLINICAL_ROLES)
    ).select_related("user")
    return {membership.user_id: membership.user for membership in memberships}


def _validate(
    actor: Actor, details: EntryDetails, *, kept_cases: dict[int, ReviewedCase]
) -> tuple[dict[int, User], dict[int, Case], dict[int, User]]:
    """All of the entry's refusals at once, by field; returns the attendees, the new cases and the owners."""
    errors: dict[str, list[str]] = {}

    def refuse(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    today = timezone.localdate()
    if message := done_date_error(
        details.held_on, today=today, opened_on=today - dt.timedelta(days=ENTRY_WINDOW_DAYS), what="The meeting's date"
    ):
        refuse("held_on", message.replace("the course opened", "a year ago"))
    if details.format not in SupervisionFormat.values:
        refuse("format", ERROR_FORMAT)
    organisation_id = actor.organisation.pk
    attendees = clinicians(organisation_id, set(details.attendee_ids))
    if not details.attendee_ids:
        refuse("attendees", ERROR_NO_ATTENDEES)
    elif set(details.attendee_ids) - set(attendees):
        refuse("attendees", ERROR_ATTENDEE)
    for name, message in too_long_errors({"note": details.note}, {"note": NOTE_MAX}).items():
        refuse(name, message)

    context_ids = [case.context_id for case in details.cases]
    if len(set(context_ids)) != len(context_ids):
        refuse("cases", ERROR_CASE_TWICE)
    new_ids = set(context_ids) - set(kept_cases)
    new_cases = cases_by_context(organisation_id=organisation_id, context_ids=new_ids, open_only=True)
    if new_ids - set(new_cases):
        refuse("cases", ERROR_CASE_UNKNOWN)
    for case in details.cases:
        limits = {"discussion": NOTE_MAX, "risk_decision": NOTE_MAX}
        texts = {"discussion": case.discussion, "risk_decision": case.risk_decision}
        for name, message in too_long_errors(texts, limits).items():
            refuse(f"case_{case.context_id}_{name}", message)

    owners = clinicians(organisation_id, {note.owner_id for note in details.actions if note.owner_id is not None})
    for note in details.actions:
        prefix = f"action_{note.key}"
        if not note.text.strip():
            refuse(f"{prefix}_text", ERROR_ACTION_TEXT)
        for name, message in too_long_errors({"text": note.text}, {"text": NOTE_MAX}).items():
            refuse(f"{prefix}_{name}", message)
        if note.owner_id is None:
            refuse(f"{prefix}_owner", ERROR_ACTION_OWNER)
        elif note.owner_id not in owners:
            refuse(f"{prefix}_owner", ERROR_ACTION_OWNER_UNKNOWN)
        if note.due_on is None:
            refuse(f"{prefix}_due_on", ERROR_ACTION_DUE)
        elif note.due_on < details.held_on:
            refuse(f"{prefix}_due_on", ERROR_ACTION_DUE_BEFORE.format(held_on=f"{details.held_on:%-d %B %Y}"))
        if note.context_id is not None and note.context_id not in context_ids:
            refuse(f"{prefix}_case", ERROR_ACTION_CASE)
    if errors:
        raise ValidationError(errors)
    return attendees, new_cases, owners


def _flags_now(context_ids: set[int]) -> dict[int, list[str]]:
    """The flag codes each context carries now (one query), to keep with the review.

    The stored flags live in iptriad.flags, a layer above this app: they are read through the treatment context's
    reverse relation ("flags", ContextFlags.treatment_context), which needs no import of that app. A context with no
    row yet carries none.
    """
    if not context_ids:
        return {}
    rows = TreatmentContext.objects.filter(pk__in=context_ids).values_list("pk", "flags__flags")
    return {
        pk: [flag["code"] for flag in (stored or []) if isinstance(flag, dict) and "code" in flag]
        for pk, stored in rows
    }


def _save_cases_and_actions(
    actor: Actor,
    entry: SupervisionEntry,
    details: EntryDetails,
    new_cases: dict[int, Case],
    kept_cases: dict[int, ReviewedCase],
    owners: dict[int, User],
) -> None:
    flags = _flags_now(set(new_cases))
    saved: dict[int, ReviewedCase] = {}
    for case_note in details.cases:
        reviewed = kept_cases.get(case_note.context_id)
        if reviewed is None:
            case = new_cases[case_note.context_id]
            reviewed = ReviewedCase(
                organisation_id=entry.organisation_id,
                entry=entry,
                treatment_context_id=case.context_id,
                client=case.client,
                clinician=case.clinician,
                flags_reviewed=flags.get(case.context_id, []),
            )
        reviewed.discussion = case_note.discussion.strip()
        reviewed.risk_decision = case_note.risk_decision.strip()
        reviewed.save()  # one row at a time: post_save per case (see the module's docstring)
        saved[case_note.context_id] = reviewed
    for note in details.actions:
        if note.owner_id is None or note.due_on is None:  # _validate refused these: never reached
            raise ValueError(ERROR_ACTION_OWNER)
        SupervisionAction.objects.create(
            organisation_id=entry.organisation_id,
            entry=entry,
            case=saved[note.context_id] if note.context_id is not None else None,
            text=note.text.strip(),
            owner=owners[note.owner_id],
            due_on=note.due_on,
        )


@transaction.atomic
def entry_create(*, actor: Actor, details: EntryDetails) -> SupervisionEntry:
    """Log a meeting led by the acting supervisor: who attended, the cases reviewed (each keeps the flags it carried),
    and the actions agreed. Nothing is written unless everything is accepted."""
    _require(actor, LogAction.WRITE, ERROR_DENIED_WRITE)
    leader = actor.member()
    attendees, new_cases, owners = _validate(actor, details, kept_cases={})
    now = timezone.now()
    entry = SupervisionEntry.objects.create(
        organisation=actor.organisation,
        held_on=details.held_on,
        format=details.format,
        led_by=leader,
        note=details.note.strip(),
        recorded_by=leader,
        created_at=now,
        updated_at=now,
    )
    entry.attendees.set(list(attendees.values()))
    _save_cases_and_actions(actor, entry, details, new_cases, {}, owners)
    audit_record(
        actor=actor,
        action=AuditAction.SUPERVISION_ENTRY_CREATED,
        obj=entry,
        detail={
            "clients": [case.client.pk for case in new_cases.values()],
            "cases": len(details.cases),
            "actions": len(details.actions),
        },
    )
    return entry


@transaction.atomic
def entry_update(*, actor: Actor, entry: SupervisionEntry, details: EntryDetails) -> SupervisionEntry:
    """Change the meeting's details, attendees and case notes; add cases and actions; take off a case that has no
    action. Actions already agreed stay as they are (they are followed up, not rewritten)."""
    _require(actor, LogAction.WRITE, ERROR_DENIED_WRITE)
    locked = (
        supervision_policy.entries(actor, LogAction.WRITE, SupervisionEntry.objects.select_for_update())
        .filter(pk=entry.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERROR_DENIED_WRITE)
    kept = {
        case.treatment_context_id: case for case in ReviewedCase.objects.filter(entry=locked).select_related("client")
    }
    given = {case.context_id for case in details.cases}
    removed = [case for context_id, case in kept.items() if context_id not in given]
    with_actions = set(SupervisionAction.objects.filter(case__in=removed).values_list("case_id", flat=True))
    if with_actions:
        names = sorted(case.client.full_name for case in removed if case.pk in with_actions)
        raise ValidationError({"cases": [ERROR_CASE_HAS_ACTIONS.format(name=name) for name in names]})
    attendees, new_cases, owners = _validate(actor, details, kept_cases=kept)
    for case in removed:
        case.delete()  # post_delete: the case's last review may change
    locked.held_on = details.held_on
    locked.format = details.format
    locked.note = details.note.strip()
    locked.updated_at = timezone.now()
    locked.save()
    locked.attendees.set(list(attendees.values()))
    _save_cases_and_actions(actor, locked, details, new_cases, kept, owners)
    audit_record(
        actor=actor,
        action=AuditAction.SUPERVISION_ENTRY_UPDATED,
        obj=locked,
        detail={
            "clients": sorted({case.client_id for case in kept.values()} | {c.client.pk for c in new_cases.values()}),
            "cases_added": len(new_cases),
            "cases_removed": len(removed),
            "actions_added": len(details.actions),
        },
    )
    return locked


@transaction.atomic
def action_done(*, actor: Actor, action: SupervisionAction, done_on: dt.date, follow_up: str) -> SupervisionAction:
    """Mark an action done with how it was followed up: its owner, or a supervisor."""
    _require(actor, LogAction.FOLLOW_UP, ERROR_DENIED_FOLLOW_UP)
    locked = (
        supervision_policy.actions(
            actor, LogAction.FOLLOW_UP, SupervisionAction.objects.select_for_update(of=("self",))
        )
        .select_related("entry", "case")
        .filter(pk=action.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERROR_DENIED_FOLLOW_UP)
    if locked.done_on is not None:
        raise ValidationError(ERROR_ALREADY_DONE)
    errors = too_long_errors({"follow_up": follow_up}, {"follow_up": NOTE_MAX})
    today = timezone.localdate()
    if message := done_date_error(done_on, today=today, opened_on=locked.entry.held_on, what="The day it was done"):
        errors["done_on"] = (
            ERROR_DONE_BEFORE.format(held_on=f"{locked.entry.held_on:%-d %B %Y}") if done_on <= today else message
        )
    if errors:
        raise ValidationError(errors)
    locked.done_on = done_on
    locked.done_by = actor.member()
    locked.follow_up = follow_up.strip()
    locked.save(update_fields=["done_on", "done_by", "follow_up"])
    audit_record(
        actor=actor,
        action=AuditAction.SUPERVISION_ACTION_DONE,
        obj=locked,
        detail={"entry": locked.entry_id, "client": locked.case.client_id if locked.case is not None else None},
    )
    return locked
