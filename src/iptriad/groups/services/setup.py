"""Setting a programme up: sites, the programme's own formats, groups and their planned sessions, closing a group."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import CLINICIAN_ROLES, Membership, Role, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.groups import FORMATS, format_by_code, phase_of_session
from iptriad.core.instruments import UnknownInstrumentError, instrument
from iptriad.core.limits import too_long_errors
from iptriad.groups.models import (
    NAME_MAX,
    PLACE_MAX,
    AgeBand,
    Composition,
    Group,
    GroupSession,
    GroupStatus,
    GroupTemplate,
    MemberStatus,
    ProgrammeSite,
    Setting,
)
from iptriad.groups.permissions import GroupAction, group_policy
from iptriad.groups.services.common import require_group, require_open

TEMPLATE_PREFIX = "template:"
DAYS_BETWEEN_SESSIONS = 7  # groups meet weekly in every format of the reference (ipt-protocol.md §7.3)
MAX_SESSIONS = 30

ERROR_NAME_REQUIRED = "Give it a name."
ERROR_NAME_TAKEN = "Another group of the organisation has this name."
ERROR_SITE_TAKEN = "The organisation has a site of this name already."
ERROR_TEMPLATE_TAKEN = "The organisation has a format of this name already."
ERROR_FORMAT_UNKNOWN = "Choose one of the formats offered."
ERROR_NOT_FACILITATOR = "Choose an active member of the organisation (a facilitator, therapist or supervisor)."
ERROR_SAME_FACILITATORS = "The co-facilitator must be someone other than the facilitator."
ERROR_NOT_CLINICIAN = "The supervising clinician must be an active therapist or supervisor of the organisation."
ERROR_CAPACITY = "A group holds between 1 and 40 members."
ERROR_SITE_UNKNOWN = "Choose one of the organisation's sites."
ERROR_CHOICE = "Choose one of the options offered."
ERROR_SESSIONS = f"A format has between 1 and {MAX_SESSIONS} sessions."
ERROR_PHASES = "The initial and termination phases need at least a session each, and fit in the sessions."
ERROR_COMPLETED = "'Completed' must be between 1 and the number of sessions."
ERROR_INSTRUMENT = "Choose a questionnaire iptriad knows."
ERROR_STARTS_TOO_EARLY = "A new group cannot start more than a year ago."
ERROR_STILL_ACTIVE = "Record each remaining member's end first: {names} are still awaiting a decision."
ERROR_ALREADY_CLOSED = "This group is already closed."


def _require_manage(actor: Actor) -> None:
    if not group_policy.allows(actor, GroupAction.MANAGE):
        raise PermissionDenied("You may not set up groups.")


@transaction.atomic
def site_save(*, actor: Actor, name: str, region: str = "", site: ProgrammeSite | None = None) -> ProgrammeSite:
    _require_manage(actor)
    name, region = name.strip(), region.strip()
    errors = too_long_errors({"name": name, "region": region}, {"name": NAME_MAX, "region": NAME_MAX})
    if not name:
        errors["name"] = ERROR_NAME_REQUIRED
    taken = ProgrammeSite.objects.filter(organisation_id=actor.organisation.pk, name__iexact=name)
    if site is not None:
        if site.organisation_id != actor.organisation.pk:
            raise PermissionDenied("You may not change this site.")
        taken = taken.exclude(pk=site.pk)
    if name and taken.exists():
        errors["name"] = ERROR_SITE_TAKEN
    if errors:
        raise ValidationError(errors)
    site = site or ProgrammeSite(organisation_id=actor.organisation.pk)
    site.name, site.region = name, region
    site.save()
    audit_record(actor=actor, action=AuditAction.SITE_SAVED, obj=site)
    return site


@dataclasses.dataclass(frozen=True)
class TemplateDetails:
    name: str
    sessions: int
    initial_sessions: int
    termination_sessions: int
    completed_at_least: int
    parent_pre_group: bool = False
    screening_instrument: str = "phq9"
    check_instrument: str = "phq9"


def _known_instrument(code: str) -> bool:
    try:
        instrument(code)
    except UnknownInstrumentError:
        return False
    return True


@transaction.atomic
def template_create(*, actor: Actor, details: TemplateDetails) -> GroupTemplate:
    """A programme's own format (for example 10 sessions with three termination sessions)."""
    _require_manage(actor)
    name = details.name.strip()
    errors = too_long_errors({"name": name}, {"name": NAME_MAX})
    if not name:
        errors["name"] = ERROR_NAME_REQUIRED
    elif GroupTemplate.objects.filter(organisation_id=actor.organisation.pk, name__iexact=name).exists():
        errors["name"] = ERROR_TEMPLATE_TAKEN
    if not 1 <= details.sessions <= MAX_SESSIONS:
        errors["sessions"] = ERROR_SESSIONS
    elif (
        details.initial_sessions < 1
        or details.termination_sessions < 1
        or details.initial_sessions + details.termination_sessions > details.sessions
    ):
        errors["initial_sessions"] = ERROR_PHASES
    elif not 1 <= details.completed_at_least <= details.sessions:
        errors["completed_at_least"] = ERROR_COMPLETED
    for field in ("screening_instrument", "check_instrument"):
        if not _known_instrument(getattr(details, field)):
            errors[field] = ERROR_INSTRUMENT
    if errors:
        raise ValidationError(errors)
    template = GroupTemplate.objects.create(
        organisation_id=actor.organisation.pk,
        created_by=actor.member(),
        **{**dataclasses.asdict(details), "name": name},
    )
    audit_record(actor=actor, action=AuditAction.GROUP_TEMPLATE_SAVED, obj=template)
    return template


@dataclasses.dataclass(frozen=True)
class FormatNumbers:
    """A format's numbers as a group copies them."""

    code: str
    name: str
    sessions: int
    initial_sessions: int
    termination_sessions: int
    parent_pre_group: bool
    screening_instrument: str
    check_instrument: str
    completed_at_least: int


def format_choices(actor: Actor) -> list[FormatNumbers]:
    """The formats iptriad ships, then the organisation's own."""
    shipped = [
        FormatNumbers(
            code=shipped.code,
            name=shipped.name,
            sessions=shipped.sessions,
            initial_sessions=shipped.initial_sessions,
            termination_sessions=shipped.termination_sessions,
            parent_pre_group=len(shipped.pre_group) > 1,
            screening_instrument=shipped.screening_instrument,
            check_instrument=shipped.check_instrument,
            completed_at_least=shipped.completed_at_least,
        )
        for shipped in FORMATS
    ]
    own = [
        FormatNumbers(
            code=f"{TEMPLATE_PREFIX}{template.pk}",
            name=template.name,
            sessions=template.sessions,
            initial_sessions=template.initial_sessions,
            termination_sessions=template.termination_sessions,
            parent_pre_group=template.parent_pre_group,
            screening_instrument=template.screening_instrument,
            check_instrument=template.check_instrument,
            completed_at_least=template.completed_at_least,
        )
        for template in GroupTemplate.objects.filter(organisation_id=actor.organisation.pk)
    ]
    return shipped + own


def _format(actor: Actor, code: str) -> FormatNumbers | None:
    if code.startswith(TEMPLATE_PREFIX):
        return next((numbers for numbers in format_choices(actor) if numbers.code == code), None)
    try:
        format_by_code(code)
    except KeyError:
        return None
    return next(numbers for numbers in format_choices(actor) if numbers.code == code)


@dataclasses.dataclass(frozen=True)
class GroupDetails:
    name: str
    format_code: str
    facilitator: User
    supervisor: User
    starts_on: dt.date
    capacity: int
    co_facilitator: User | None = None
    site: ProgrammeSite | None = None
    language: str = "en"
    composition: str = Composition.MIXED
    age_band: str = AgeBand.ADULTS
    setting: str = Setting.IN_PERSON
    place: str = ""
    completed_at_least: int | None = None  # None: the format's


def _active_role(organisation_id: int, user: User | None, roles: tuple[str, ...]) -> bool:
    if user is None:
        return False
    return Membership.objects.filter(
        organisation_id=organisation_id, user=user, user__is_active=True, is_active=True, role__in=roles
    ).exists()


def _validate(actor: Actor, details: GroupDetails, group: Group | None) -> dict[str, str]:
    org = actor.organisation.pk
    errors = too_long_errors(
        {"name": details.name.strip(), "place": details.place.strip()}, {"name": NAME_MAX, "place": PLACE_MAX}
    )
    if not details.name.strip():
        errors["name"] = ERROR_NAME_REQUIRED
    else:
        taken = Group.objects.filter(organisation_id=org, name__iexact=details.name.strip())
        if group is not None:
            taken = taken.exclude(pk=group.pk)
        if taken.exists():
            errors["name"] = ERROR_NAME_TAKEN
    leaders = (Role.FACILITATOR, Role.THERAPIST, Role.SUPERVISOR)
    if not _active_role(org, details.facilitator, leaders):
        errors["facilitator"] = ERROR_NOT_FACILITATOR
    if details.co_facilitator is not None:
        if details.co_facilitator.pk == details.facilitator.pk:
            errors["co_facilitator"] = ERROR_SAME_FACILITATORS
        elif not _active_role(org, details.co_facilitator, leaders):
            errors["co_facilitator"] = ERROR_NOT_FACILITATOR
    if not _active_role(org, details.supervisor, tuple(CLINICIAN_ROLES)):
        errors["supervisor"] = ERROR_NOT_CLINICIAN
    if not 1 <= details.capacity <= 40:
        errors["capacity"] = ERROR_CAPACITY
    if details.site is not None and details.site.organisation_id != org:
        errors["site"] = ERROR_SITE_UNKNOWN
    for field, choices in (
        ("composition", Composition.values),
        ("age_band", AgeBand.values),
        ("setting", Setting.values),
    ):
        if getattr(details, field) not in choices:
            errors[field] = ERROR_CHOICE
    return errors


def _save(group: Group, errors: dict[str, str]) -> None:
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as error:  # two members naming two groups alike at once: the constraint decided
        if "group_name_unique_in_org" in str(error) or "name" in str(error):
            raise ValidationError({"name": ERROR_NAME_TAKEN}) from error
        raise


@transaction.atomic
def group_create(*, actor: Actor, details: GroupDetails) -> Group:
    """A group with its sessions planned weekly from its start, copied from its format."""
    _require_manage(actor)
    errors = _validate(actor, details, None)
    numbers = _format(actor, details.format_code)
    if numbers is None:
        errors["format_code"] = ERROR_FORMAT_UNKNOWN
    completed = details.completed_at_least or (numbers.completed_at_least if numbers else 1)
    if numbers is not None and not 1 <= completed <= numbers.sessions:
        errors["completed_at_least"] = ERROR_COMPLETED
    if details.starts_on < timezone.localdate() - dt.timedelta(days=366):
        errors["starts_on"] = ERROR_STARTS_TOO_EARLY
    if errors or numbers is None:
        raise ValidationError(errors)
    group = Group(
        organisation_id=actor.organisation.pk,
        site=details.site,
        name=details.name.strip(),
        facilitator=details.facilitator,
        co_facilitator=details.co_facilitator,
        supervisor=details.supervisor,
        language=details.language,
        composition=details.composition,
        age_band=details.age_band,
        setting=details.setting,
        place=details.place.strip(),
        capacity=details.capacity,
        format_code=numbers.code,
        format_name=numbers.name,
        sessions_planned=numbers.sessions,
        initial_sessions=numbers.initial_sessions,
        termination_sessions=numbers.termination_sessions,
        parent_pre_group=numbers.parent_pre_group,
        screening_instrument=numbers.screening_instrument,
        check_instrument=numbers.check_instrument,
        completed_at_least=completed,
        starts_on=details.starts_on,
    )
    _save(group, errors)
    GroupSession.objects.bulk_create(
        GroupSession(
            organisation_id=group.organisation_id,
            group=group,
            number=number,
            phase=phase_of_session(
                number,
                sessions=group.sessions_planned,
                initial_sessions=group.initial_sessions,
                termination_sessions=group.termination_sessions,
            ).value,
            planned_on=group.starts_on + dt.timedelta(days=DAYS_BETWEEN_SESSIONS * (number - 1)),
        )
        for number in range(1, group.sessions_planned + 1)
    )
    audit_record(actor=actor, action=AuditAction.GROUP_CREATED, obj=group, detail={"format": group.format_code})
    return group


@transaction.atomic
def group_update(*, actor: Actor, group: Group, details: GroupDetails) -> Group:
    """Who runs the group and where; its format and schedule stay as created."""
    require_group(actor, GroupAction.MANAGE, group)
    require_open(group)
    errors = _validate(actor, details, group)
    completed = details.completed_at_least or group.completed_at_least
    if not 1 <= completed <= group.sessions_planned:
        errors["completed_at_least"] = ERROR_COMPLETED
    if errors:
        raise ValidationError(errors)
    for field in ("site", "facilitator", "co_facilitator", "supervisor", "language", "composition", "age_band"):
        setattr(group, field, getattr(details, field))
    group.setting, group.capacity, group.completed_at_least = details.setting, details.capacity, completed
    group.name, group.place = details.name.strip(), details.place.strip()
    _save(group, errors)
    audit_record(actor=actor, action=AuditAction.GROUP_UPDATED, obj=group)
    return group


@transaction.atomic
def group_close(*, actor: Actor, group: Group, closed_on: dt.date | None = None) -> Group:
    """The group ends: every member still in it has finished. A member still awaiting a decision must be decided
    (joined or not) first, so nobody is closed out unseen."""
    require_group(actor, GroupAction.MANAGE, group)
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if not locked.is_open:
        raise ValidationError(ERROR_ALREADY_CLOSED)
    waiting = list(locked.members.filter(status=MemberStatus.SCREENING).select_related("client").order_by("pk")[:5])
    if waiting:
        names = ", ".join(f"{member.client.given_name} {member.client.family_name}" for member in waiting)
        raise ValidationError(ERROR_STILL_ACTIVE.format(names=names))
    today = closed_on or timezone.localdate()
    locked.members.filter(status=MemberStatus.JOINED).update(status=MemberStatus.FINISHED, left_on=today)
    locked.status, locked.closed_on = GroupStatus.CLOSED, today
    locked.save(update_fields=["status", "closed_on"])
    audit_record(actor=actor, action=AuditAction.GROUP_CLOSED, obj=locked)
    return locked
