"""Group IPT: groups (list, read with the schedule, create, change) and their members (list, add, read, and each
step of a member's way through the group). The group services decide and audit, as on the pages; reads are scoped by
iptriad.groups.permissions (another organisation's group, or one the caller neither leads nor supervises, is a 404),
and an administrator gets no clinical field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.accounts.permissions import Action
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.groups import (
    ClearIn,
    DecisionIn,
    DropoutIn,
    GroupDetailOut,
    GroupIn,
    GroupListQuery,
    GroupOut,
    GroupPage,
    GroupPatch,
    MemberAddIn,
    MemberDetailOut,
    MemberOut,
    PlanIn,
    PreGroupIn,
)
from iptriad.clients.models import Client
from iptriad.clients.permissions import client_policy
from iptriad.groups.models import Group, GroupMember, ProgrammeSite
from iptriad.groups.permissions import GroupAction, group_policy
from iptriad.groups.selectors.api import (
    group_get,
    group_sessions,
    groups_visible,
    member_get,
    member_get_for_view,
    members_of_group,
    shows_clinical,
)
from iptriad.groups.services.common import DENIED
from iptriad.groups.services.members import (
    PreGroupDetails,
    member_add,
    member_clear,
    member_decide,
    member_drop,
    member_plan_save,
    pre_group_record,
)
from iptriad.groups.services.setup import (
    ERROR_NOT_CLINICIAN,
    ERROR_NOT_FACILITATOR,
    ERROR_SITE_UNKNOWN,
    GroupDetails,
    group_create,
    group_update,
)

router = Router(tags=["groups"])

ERROR_CLIENT_UNKNOWN = "Choose a registered client of the organisation."


def _require_manage(actor: Actor) -> None:
    """Before the body's ids are looked up: a role that may not set groups up learns nothing from them."""
    if not group_policy.allows(actor, GroupAction.MANAGE):
        raise PermissionDenied(DENIED[GroupAction.MANAGE])


# --- Groups ---------------------------------------------------------------------------------------------------


def _user(actor: Actor, user_id: int, field: str, message: str) -> User:
    """A member of the caller's organisation (the service then checks their role); another is refused by field."""
    user = User.objects.filter(pk=user_id, memberships__organisation_id=actor.organisation.pk).distinct().first()
    if user is None:
        raise ValidationError({field: message})
    return user


def _site(actor: Actor, site_id: int | None) -> ProgrammeSite | None:
    if site_id is None:
        return None
    site = ProgrammeSite.objects.filter(pk=site_id, organisation_id=actor.organisation.pk).first()
    if site is None:
        raise ValidationError({"site": ERROR_SITE_UNKNOWN})
    return site


def _details(actor: Actor, payload: GroupIn) -> GroupDetails:
    facilitator = _user(actor, payload.facilitator, "facilitator", ERROR_NOT_FACILITATOR)
    supervisor = _user(actor, payload.supervisor, "supervisor", ERROR_NOT_CLINICIAN)
    return GroupDetails(
        name=payload.name,
        format_code=payload.format_code,
        facilitator=facilitator,
        supervisor=supervisor,
        co_facilitator=(
            _user(actor, payload.co_facilitator, "co_facilitator", ERROR_NOT_FACILITATOR)
            if payload.co_facilitator is not None
            else None
        ),
        site=_site(actor, payload.site),
        starts_on=payload.starts_on,
        capacity=payload.capacity,
        language=payload.language,
        composition=payload.composition,
        age_band=payload.age_band,
        setting=payload.setting,
        place=payload.place,
        completed_at_least=payload.completed_at_least or None,
    )


def _detail(group: Group) -> dict[str, Any]:
    return {**{name: getattr(group, name) for name in GroupOut.model_fields}, "sessions": group_sessions(group)}


@router.get("/groups", response={200: GroupPage, **ERRORS_READ}, summary="List groups")
def group_list_api(request: HttpRequest, filters: Query[GroupListQuery]) -> dict[str, Any]:
    """The groups the caller may see: all of the organisation's (administrators and supervisors), the groups a
    therapist supervises, the groups a facilitator leads or co-leads. Newest start first."""
    actor = actor_of(request)
    site = _site(actor, filters.site)
    groups = groups_visible(actor=actor, status=filters.status, site_id=site.pk if site else None)
    shown = list(groups[filters.offset : filters.offset + filters.limit])
    return {"count": groups.count(), "limit": filters.limit, "offset": filters.offset, "items": shown}


@router.post("/groups", response={201: GroupDetailOut, **ERRORS_WRITE}, summary="Create a group")
@idempotent
def group_create_api(request: HttpRequest, payload: GroupIn) -> Status[dict[str, Any]]:
    """Administrators and supervisors. The group's sessions are planned weekly from its start, from its format."""
    actor = actor_of(request)
    _require_manage(actor)
    group = group_create(actor=actor, details=_details(actor, payload))
    return Status(201, _detail(group))


@router.get("/groups/{int:group_id}", response={200: GroupDetailOut, **ERRORS_READ}, summary="Read a group")
def group_get_api(request: HttpRequest, group_id: Id) -> dict[str, Any]:
    """The group, who runs it, and its schedule: each session's number, phase, planned day and the day it was held."""
    return _detail(group_get(actor=actor_of(request), group_id=group_id))


@router.patch("/groups/{int:group_id}", response={200: GroupDetailOut, **ERRORS_WRITE}, summary="Change a group")
def group_update_api(request: HttpRequest, group_id: Id, payload: GroupPatch) -> dict[str, Any]:
    """Only the fields sent change; the format and the schedule stay as created."""
    actor = actor_of(request)
    group = group_get(actor=actor, group_id=group_id)
    _require_manage(actor)
    current = {
        "name": group.name,
        "format_code": group.format_code,
        "facilitator": group.facilitator_id,
        "co_facilitator": group.co_facilitator_id,
        "supervisor": group.supervisor_id,
        "site": group.site_id,
        "starts_on": group.starts_on,
        "capacity": group.capacity,
        "language": group.language,
        "composition": group.composition,
        "age_band": group.age_band,
        "setting": group.setting,
        "place": group.place,
        "completed_at_least": group.completed_at_least,
    }
    merged = GroupIn.model_validate({**current, **payload.model_dump(exclude_unset=True)})
    return _detail(group_update(actor=actor, group=group, details=_details(actor, merged)))


# --- Members --------------------------------------------------------------------------------------------------

_CLINICAL_DETAIL = (
    "goal",
    "pre_group_note",
    "parent_meeting_on",
    "suicide_plan",
    "recent_attempt",
    "not_joining_reason",
    "dropout_reason",
    "left_note",
    "cleared_at",
    "cleared_note",
    "warning_signs",
    "warning_plan",
)


def member_answer(member: GroupMember, *, clinical: bool, detail: bool = False) -> dict[str, Any]:
    """A member as the API shows them; the clinical fields are null when `clinical` is false."""
    screening = member.screening if clinical else None
    answer: dict[str, Any] = {
        "id": member.pk,
        "group_id": member.group_id,
        "client": member.client,
        "status": member.status,
        "held": member.is_held,
        "held_since": member.held_since if member.is_held else None,
        "sessions_attended": getattr(member, "sessions_attended", 0),
        "pre_group_on": member.pre_group_on,
        "consent_on": member.consent_on,
        "left_on": member.left_on,
        "clinical": clinical,
        "problem_area": (member.problem_area or None) if clinical else None,
        "screening_total": float(screening.total) if screening is not None and screening.total is not None else None,
    }
    if detail:
        answer["screening_band"] = screening.band if screening is not None else None
        for name in _CLINICAL_DETAIL:
            value = getattr(member, name) if clinical else None
            answer[name] = value
    return answer


def _member_detail(actor: Actor, member_id: int) -> dict[str, Any]:
    member = member_get_for_view(actor=actor, member_id=member_id)
    return member_answer(member, clinical=shows_clinical(actor), detail=True)


@router.get("/groups/{int:group_id}/members", response={200: list[MemberOut], **ERRORS_READ}, summary="List members")
def group_member_list_api(request: HttpRequest, group_id: Id) -> list[dict[str, Any]]:
    """Everyone the group has had, by name: status, whether held for clinical review, sessions attended; for the
    roles that see clinical content also the problem area and the screening total."""
    actor = actor_of(request)
    group = group_get(actor=actor, group_id=group_id)
    clinical = shows_clinical(actor)
    return [member_answer(member, clinical=clinical) for member in members_of_group(actor=actor, group=group)]


@router.post("/groups/{int:group_id}/members", response={201: MemberDetailOut, **ERRORS_WRITE}, summary="Add a member")
@idempotent
def group_member_add_api(request: HttpRequest, group_id: Id, payload: MemberAddIn) -> Status[dict[str, Any]]:
    """Administrators and supervisors: a registered client joins the group's list, awaiting the pre-group meeting."""
    actor = actor_of(request)
    group = group_get(actor=actor, group_id=group_id)
    _require_manage(actor)
    client = client_policy.scope(actor, Action.VIEW, Client.objects.filter(pk=payload.client)).first()
    if client is None:
        raise ValidationError({"client": ERROR_CLIENT_UNKNOWN})
    member = member_add(actor=actor, group=group, client=client)
    return Status(201, _member_detail(actor, member.pk))


@router.get("/group-members/{int:member_id}", response={200: MemberDetailOut, **ERRORS_READ}, summary="Read a member")
def group_member_get_api(request: HttpRequest, member_id: Id) -> dict[str, Any]:
    return _member_detail(actor_of(request), member_id)


@router.post(
    "/group-members/{int:member_id}/pre-group",
    response={200: MemberDetailOut, **ERRORS_WRITE},
    summary="Record a member's pre-group meeting",
)
def group_member_pre_group_api(request: HttpRequest, member_id: Id, payload: PreGroupIn) -> dict[str, Any]:
    """The screening questionnaire, problem area, goal and the two safety questions. A positive self-harm answer or
    a 'yes' to a safety question opens an alert to the supervising clinician and holds the member (`held`)."""
    actor = actor_of(request)
    member = member_get(actor=actor, member_id=member_id)
    details = PreGroupDetails(**payload.model_dump())
    pre_group_record(actor=actor, member=member, details=details)
    return _member_detail(actor, member.pk)


@router.post(
    "/group-members/{int:member_id}/decision",
    response={200: MemberDetailOut, **ERRORS_WRITE},
    summary="Record whether a member joins",
)
def group_member_decide_api(request: HttpRequest, member_id: Id, payload: DecisionIn) -> dict[str, Any]:
    """Joins (with the day of consent), or not with a coded reason; a reason that refers logs the referral."""
    actor = actor_of(request)
    member = member_get(actor=actor, member_id=member_id)
    member_decide(actor=actor, member=member, **payload.model_dump())
    return _member_detail(actor, member.pk)


@router.post(
    "/group-members/{int:member_id}/clear",
    response={200: MemberDetailOut, **ERRORS_WRITE},
    summary="Clear a held member",
)
def group_member_clear_api(request: HttpRequest, member_id: Id, payload: ClearIn) -> dict[str, Any]:
    """The supervising clinician or a supervisor, once the member's risk alert is closed."""
    actor = actor_of(request)
    member = member_get(actor=actor, member_id=member_id)
    member_clear(actor=actor, member=member, note=payload.note)
    return _member_detail(actor, member.pk)


@router.post(
    "/group-members/{int:member_id}/dropout",
    response={200: MemberDetailOut, **ERRORS_WRITE},
    summary="Record a member's dropout",
)
def group_member_drop_api(request: HttpRequest, member_id: Id, payload: DropoutIn) -> dict[str, Any]:
    actor = actor_of(request)
    member = member_get(actor=actor, member_id=member_id)
    member_drop(actor=actor, member=member, **payload.model_dump())
    return _member_detail(actor, member.pk)


@router.post(
    "/group-members/{int:member_id}/plan",
    response={200: MemberDetailOut, **ERRORS_WRITE},
    summary="Save a member's warning-signs plan",
)
def group_member_plan_api(request: HttpRequest, member_id: Id, payload: PlanIn) -> dict[str, Any]:
    """In the termination phase: the member's warning signs and what they will do if the signs come back."""
    actor = actor_of(request)
    member = member_get(actor=actor, member_id=member_id)
    member_plan_save(actor=actor, member=member, warning_signs=payload.warning_signs, plan=payload.plan)
    return _member_detail(actor, member.pk)
