"""The supervision log: list and read entries, log a meeting (with its cases and actions), mark an action done. The
same policy (iptriad.supervision.permissions), services, validation and audit as the pages: an entry the caller may
not read is a 404, an administrator reads no log (403), reading an entry is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Status

from iptriad.accounts.actors import Actor
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.supervision import (
    SupervisionActionDoneIn,
    SupervisionActionOut,
    SupervisionEntryDetailOut,
    SupervisionEntryIn,
    SupervisionEntryListQuery,
    SupervisionEntryPage,
)
from iptriad.supervision.cases import cases_by_context
from iptriad.supervision.models import SupervisionAction, SupervisionEntry
from iptriad.supervision.permissions import LogAction, supervision_policy
from iptriad.supervision.selectors import action_get, entry_get, entry_view, log_entries
from iptriad.supervision.services import (
    ERROR_DENIED_WRITE,
    ActionNote,
    CaseNote,
    EntryDetails,
    action_done,
    entry_create,
)

router = Router(tags=["supervision"])
ERROR_NO_LOG = "Your role may not see the supervision log."


def _action(action: SupervisionAction, context_of_case: dict[int, int]) -> dict[str, Any]:
    return {
        "id": action.pk,
        "text": action.text,
        "owner": action.owner,
        "due_on": action.due_on,
        "treatment_context": context_of_case.get(action.case_id) if action.case_id else None,
        "done_on": action.done_on,
        "done_by": action.done_by,
        "follow_up": action.follow_up,
    }


def _detail(actor: Actor, entry: SupervisionEntry) -> dict[str, Any]:
    view = entry_view(actor=actor, entry=entry)
    records = cases_by_context(
        organisation_id=actor.organisation.pk,
        context_ids={row.case.treatment_context_id for row in view.cases},
        open_only=False,
    )
    context_of_case = {row.case.pk: row.case.treatment_context_id for row in view.cases}
    actions = [*view.meeting_actions, *(action for row in view.cases for action in row.actions)]
    return {
        "id": entry.pk,
        "held_on": entry.held_on,
        "format": entry.format,
        "led_by": entry.led_by,
        "whole": view.whole,
        "attendees": view.attendees if view.whole else None,
        "note": entry.note if view.whole else None,
        "cases": [
            {
                "treatment_context": row.case.treatment_context_id,
                "kind": records[row.case.treatment_context_id].kind if row.case.treatment_context_id in records else "",
                "record_id": records[row.case.treatment_context_id].record_id
                if row.case.treatment_context_id in records
                else None,
                "client": row.case.client,
                "clinician": row.case.clinician,
                "discussion": row.case.discussion,
                "risk_decision": row.case.risk_decision,
                "flags_reviewed": list(row.case.flags_reviewed),
            }
            for row in view.cases
        ],
        "actions": [_action(action, context_of_case) for action in sorted(actions, key=lambda a: (a.due_on, a.pk))],
    }


@router.get(
    "/supervision/entries", response={200: SupervisionEntryPage, **ERRORS_READ}, summary="List supervision entries"
)
def supervision_entry_list_api(request: HttpRequest, filters: Query[SupervisionEntryListQuery]) -> dict[str, Any]:
    """Newest first: a supervisor's whole organisation; a therapist's or facilitator's, the meetings they attended
    or that reviewed their cases or gave them an action. No clinical text here: read an entry for it."""
    actor = actor_of(request)
    if not supervision_policy.allows(actor, LogAction.READ):
        raise PermissionDenied(ERROR_NO_LOG)
    entries = log_entries(actor=actor)
    shown = list(entries[filters.offset : filters.offset + filters.limit])
    return {"count": entries.count(), "limit": filters.limit, "offset": filters.offset, "items": shown}


@router.get(
    "/supervision/entries/{int:entry_id}",
    response={200: SupervisionEntryDetailOut, **ERRORS_READ},
    summary="Read an entry",
)
def supervision_entry_get_api(request: HttpRequest, entry_id: Id) -> dict[str, Any]:
    """The meeting, its cases (with the flags each carried at review) and its actions. Audited."""
    actor = actor_of(request)
    return _detail(actor, entry_get(actor=actor, entry_id=entry_id))


@router.post(
    "/supervision/entries",
    response={201: SupervisionEntryDetailOut, **ERRORS_WRITE},
    summary="Log a supervision meeting",
)
@idempotent
def supervision_entry_create_api(request: HttpRequest, payload: SupervisionEntryIn) -> Status[dict[str, Any]]:
    """Supervisors. Everything is written or nothing: a case that is not an open course or a current group member
    of the organisation, an action without an owner or a due date, or due before the meeting, is refused (422) by
    field (`cases`, `action_<index>_owner`, `action_<index>_due_on` ...)."""
    actor = actor_of(request)
    if not supervision_policy.allows(actor, LogAction.WRITE):
        raise PermissionDenied(ERROR_DENIED_WRITE)
    details = EntryDetails(
        held_on=payload.held_on,
        format=payload.format,
        attendee_ids=list(payload.attendees),
        note=payload.note,
        cases=[CaseNote(case.treatment_context, case.discussion, case.risk_decision) for case in payload.cases],
        actions=[
            ActionNote(
                key=str(index),
                text=action.text,
                owner_id=action.owner,
                due_on=action.due_on,
                context_id=action.treatment_context,
            )
            for index, action in enumerate(payload.actions)
        ],
    )
    entry = entry_create(actor=actor, details=details)
    return Status(201, _detail(actor, entry_get(actor=actor, entry_id=entry.pk)))


@router.post(
    "/supervision/actions/{int:action_id}/done",
    response={200: SupervisionActionOut, **ERRORS_WRITE},
    summary="Mark an action done",
)
def supervision_action_done_api(
    request: HttpRequest, action_id: Id, payload: SupervisionActionDoneIn
) -> dict[str, Any]:
    """The action's owner, or a supervisor: the day it was done (not before the meeting, not in the future) and the
    follow-up. An action already done is refused (422)."""
    actor = actor_of(request)
    action = action_get(actor=actor, action_id=action_id)
    done = action_done(actor=actor, action=action, done_on=payload.done_on, follow_up=payload.follow_up)
    context = {done.case.pk: done.case.treatment_context_id} if done.case is not None else {}
    return _action(done, context)
