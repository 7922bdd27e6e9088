"""A group session's roster: read it, and save it in one go (attendance, symptom checks, risk flags, notes) through
iptriad.groups.services.sessions, as the roster page does. A positive self-harm answer or a risk flag opens an alert
to the supervising clinician and holds the member, in the save's transaction; the answer says so for each member,
with what to do next, so a client app can show the facilitator."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from iptriad.accounts.actors import Actor
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.groups import RosterIn, RosterOut, RosterSavedOut
from iptriad.groups.models import GroupSession
from iptriad.groups.selectors.api import (
    RosterRow,
    alerts_of_group,
    group_session_get,
    members_with_open_outreach,
    roster_rows,
    shows_clinical,
)
from iptriad.groups.services.sessions import RosterEntry, session_record

router = Router(tags=["groups"])

NEXT_ALERT = (
    "An alert has gone to the group's supervising clinician, {clinician}, who will contact {name}. {name} stays out "
    "of the group's sessions until the clinician clears them. If {name} may be in danger now, stay with them and "
    "call your crisis contacts."
)
NEXT_HELD = "{name} is waiting for the supervising clinician, {clinician}, to clear them before coming back."
NEXT_OUTREACH = "{name} has missed two sessions in a row: contact them before the next session."


def _row(row: RosterRow, *, clinical: bool) -> dict[str, Any]:
    attendance = row.attendance
    check = attendance.symptom_check if attendance is not None and clinical else None
    return {
        "member_id": row.member.pk,
        "client": row.member.client,
        "member_status": row.member.status,
        "held": row.member.is_held,
        "status": attendance.status if attendance is not None else None,
        "made_up_on": attendance.made_up_on if attendance is not None else None,
        "clinical": clinical,
        "check_id": check.pk if check is not None else None,
        "check_total": float(check.total) if check is not None and check.total is not None else None,
        "check_band": check.band if check is not None else None,
        "critical_items": list(check.critical_items) if check is not None else None,
        "risk_flag": (attendance.risk_flag if attendance is not None else False) if clinical else None,
        "note": (attendance.note if attendance is not None else "") if clinical else None,
    }


def _roster(actor: Actor, session: GroupSession, rows: list[RosterRow]) -> dict[str, Any]:
    clinical = shows_clinical(actor)
    return {
        "id": session.pk,
        "group_id": session.group_id,
        "number": session.number,
        "phase": session.phase,
        "planned_on": session.planned_on,
        "held_on": session.held_on,
        "note": session.note if clinical else None,
        "check_instrument": session.group.check_instrument,
        "rows": [_row(row, clinical=clinical) for row in rows],
    }


@router.get(
    "/group-sessions/{int:group_session_id}",
    response={200: RosterOut, **ERRORS_READ},
    summary="Read a session's roster",
)
def group_session_get_api(request: HttpRequest, group_session_id: Id) -> dict[str, Any]:
    """Each member in the group, with their attendance at this session and, for the roles that see clinical content,
    their symptom check (total, band, items answered positively), risk flag and note."""
    actor = actor_of(request)
    session = group_session_get(actor=actor, session_id=group_session_id)
    return _roster(actor, session, roster_rows(actor=actor, session=session))


@router.put(
    "/group-sessions/{int:group_session_id}/roster",
    response={200: RosterSavedOut, **ERRORS_WRITE},
    summary="Save a session's roster",
)
@idempotent
def group_session_record_api(request: HttpRequest, group_session_id: Id, payload: RosterIn) -> dict[str, Any]:
    """Attendance for every member (a held member left out is recorded as excused), a symptom check for each one
    present, a risk flag and a short note. Saving again completes or corrects the roster; a member's check is never
    recorded twice (refused, 422). Send an Idempotency-Key to retry safely on a bad connection. Each row of the answer
    says whether this save opened an alert (`alert_opened`), whether the member is `held`, and `next_step`."""
    actor = actor_of(request)
    session = group_session_get(actor=actor, session_id=group_session_id)
    before = alerts_of_group(session.group_id)
    entries = [RosterEntry(**entry.model_dump()) for entry in payload.entries]
    saved = session_record(actor=actor, session=session, held_on=payload.held_on, entries=entries, note=payload.note)
    saved.group = session.group
    opened = alerts_of_group(session.group_id) - before
    opened_in = {context_id for _alert, context_id in opened}
    outreach = members_with_open_outreach(saved)
    rows = roster_rows(actor=actor, session=saved, audit=False)
    answer = _roster(actor, saved, rows)
    clinician = session.group.supervisor.full_name
    for row, shown in zip(rows, answer["rows"], strict=True):
        name = row.member.client.given_name
        shown["alert_opened"] = row.member.treatment_context_id in opened_in
        if shown["alert_opened"]:
            shown["next_step"] = NEXT_ALERT.format(name=name, clinician=clinician)
        elif row.member.is_held:
            shown["next_step"] = NEXT_HELD.format(name=name, clinician=clinician)
        elif row.member.pk in outreach:
            shown["next_step"] = NEXT_OUTREACH.format(name=name)
        else:
            shown["next_step"] = ""
    answer["alerts_opened"] = len(opened)
    return answer
