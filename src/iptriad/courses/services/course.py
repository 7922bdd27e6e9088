"""Opening a course, moving it through its phases, ticking phase tasks, and closing it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.accounts.permissions import Action
from iptriad.accounts.selectors import clinicians_of_organisation
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.clients.permissions import client_policy
from iptriad.clients.services import client_require_active
from iptriad.core.protocol import (
    EndReason,
    Phase,
    Refusal,
    UnknownProtocolEntryError,
    check_close,
    check_transition,
    protocol,
)
from iptriad.core.schedules import default_schedule
from iptriad.courses.contexts import COURSE
from iptriad.courses.models import Course, CourseTask, PhaseChange
from iptriad.courses.permissions import course_policy
from iptriad.courses.snapshot import course_snapshot
from iptriad.measures.models import RiskAlert
from iptriad.measures.schedules import measure_schedule_defaults_create
from iptriad.measures.services import treatment_context_create

ERROR_OPEN_COURSE_EXISTS = "This client already has an open course: close it before opening another."
ERROR_UNKNOWN_ADAPTATION = "Choose an adaptation of IPT from the list."
ERROR_THERAPIST = "Choose a therapist or supervisor of this organisation."
ERROR_NOT_OPEN = "This course is closed."
ERROR_UNKNOWN_TASK = "That task is not part of this phase."
ERROR_OPENED_IN_FUTURE = "A course cannot start in the future."
ERROR_NO_REASON = "Choose why the course is ending before closing it."
ERROR_CLOSED_IN_FUTURE = "A course cannot end in the future."
ERROR_CLOSED_BEFORE_OPENING = "A course cannot end before it began: check the date."
ERROR_OPENED_BEFORE_BIRTH = "A course cannot start before the client was born: check the date."
ERROR_THERAPIST_NOT_SELF = "As a therapist you can open a course only with yourself as its therapist."


def require_course(actor: Actor, course: Course, action: Action = Action.UPDATE) -> None:
    """Services are entry points too (pages, API, CLI): check the object, not only the role."""
    if not course_policy.scope(actor, action, Course.objects.filter(pk=course.pk)).exists():
        raise PermissionDenied("You may not change this course.")


def require_open(course: Course) -> None:
    if not course.is_open:
        raise ValidationError(ERROR_NOT_OPEN)


def course_for_change(actor: Actor, course: Course) -> Course:
    """The course row locked for this transaction (one writer at a time), if the actor may change it and it is open.

    Every change to a part of the course starts here, so two members editing at once take turns and a closed
    course is read-only everywhere.
    """
    require_course(actor, course)
    locked = (
        Course.objects.select_for_update(of=("self",)).select_related("client", "treatment_context").get(pk=course.pk)
    )
    require_open(locked)
    client_require_active(locked.client)
    return locked


def _touch(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())


@transaction.atomic
def course_open(
    *,
    actor: Actor,
    client: Client,
    adaptation: str,
    therapist: User | None = None,
    opened_on: dt.date | None = None,
) -> Course:
    if (
        not course_policy.allows(actor, Action.CREATE)
        or not client_policy.scope(actor, Action.VIEW, Client.objects.filter(pk=client.pk)).exists()
    ):
        raise PermissionDenied("You may not open a course for this client.")
    client_require_active(client)
    errors: dict[str, str] = {}
    starting_phase = Phase.INITIAL
    try:
        starting_phase = protocol().adaptation(adaptation).starting_phase
    except UnknownProtocolEntryError:
        errors["adaptation"] = ERROR_UNKNOWN_ADAPTATION
    therapist = therapist or actor.user
    if (
        therapist is None
        or not clinicians_of_organisation(organisation=actor.organisation).filter(pk=therapist.pk).exists()
    ):
        errors["therapist"] = ERROR_THERAPIST
    elif not client_policy.may_assign_any_therapist(actor) and therapist.pk != actor.user_id:
        errors["therapist"] = ERROR_THERAPIST_NOT_SELF
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        errors["opened_on"] = ERROR_OPENED_IN_FUTURE
    elif opened_on < client.date_of_birth:
        errors["opened_on"] = ERROR_OPENED_BEFORE_BIRTH
    if Course.objects.filter(client=client).open().exists():
        errors["client"] = ERROR_OPEN_COURSE_EXISTS
    if errors or therapist is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            course = Course.objects.create(
                organisation=actor.organisation,
                client=client,
                treatment_context=treatment_context_create(client=client, kind=COURSE),
                therapist=therapist,
                adaptation=adaptation,
                protocol_version=protocol().version,
                phase=starting_phase,  # maintenance IPT starts in maintenance: no acute phases in remission
                opened_on=opened_on,
            )
    except IntegrityError as error:
        # Two members opening a course at once: the partial unique index decided.
        raise ValidationError({"client": ERROR_OPEN_COURSE_EXISTS}) from error
    PhaseChange.objects.create(
        organisation=actor.organisation,
        course=course,
        from_phase="",
        to_phase=starting_phase,
        changed_by=actor.member(),
    )
    measure_schedule_defaults_create(context=course.treatment_context, rules=default_schedule(course.adaptation))
    audit_record(actor=actor, action=AuditAction.COURSE_OPENED, obj=course, detail={"client": client.pk})
    return course


def _refuse(refusals: tuple[object, ...]) -> None:
    if refusals:
        raise ValidationError([getattr(refusal, "message", str(refusal)) for refusal in refusals])


@transaction.atomic
def course_change_phase(*, actor: Actor, course: Course, to_phase: Phase, note: str = "") -> Course:
    """Move to the middle, termination or maintenance phase; refused with what to fix when not ready."""
    require_course(actor, course)
    course = Course.objects.select_for_update().get(pk=course.pk)
    client_require_active(course.client)
    if to_phase == Phase.CLOSED:
        raise ValidationError("Use course_close to close a course.")
    _refuse(check_transition(course_snapshot(course), to_phase))
    PhaseChange.objects.create(
        organisation=course.organisation,
        course=course,
        from_phase=course.phase,
        to_phase=to_phase,
        changed_by=actor.member(),
        note=note.strip(),
    )
    previous = course.phase
    course.phase = to_phase
    course.updated_at = timezone.now()
    course.save(update_fields=["phase", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.COURSE_PHASE_CHANGED, obj=course, detail={"from": previous, "to": to_phase}
    )
    return course


@transaction.atomic
def course_close(
    *, actor: Actor, course: Course, reason: str, note: str = "", closed_on: dt.date | None = None
) -> Course:
    require_course(actor, course)
    course = Course.objects.select_for_update().get(pk=course.pk)
    client_require_active(course.client)
    end_reason = EndReason(reason) if reason in set(EndReason) else None
    _refuse(tuple(_naming_open_alerts(refusal, course) for refusal in check_close(course_snapshot(course), end_reason)))
    if end_reason is None:  # check_close refused it already; this keeps the type checker informed
        raise ValidationError(ERROR_NO_REASON)
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": ERROR_CLOSED_IN_FUTURE})
    if closed_on < course.opened_on:
        raise ValidationError({"closed_on": ERROR_CLOSED_BEFORE_OPENING})
    PhaseChange.objects.create(
        organisation=course.organisation,
        course=course,
        from_phase=course.phase,
        to_phase=Phase.CLOSED,
        changed_by=actor.member(),
        note=note.strip(),
    )
    course.phase = Phase.CLOSED
    course.end_reason = end_reason
    course.end_note = note.strip()
    course.closed_on = closed_on
    course.updated_at = timezone.now()
    course.save(update_fields=["phase", "end_reason", "end_note", "closed_on", "updated_at"])
    audit_record(actor=actor, action=AuditAction.COURSE_CLOSED, obj=course, detail={"reason": end_reason})
    return course


def _naming_open_alerts(refusal: Refusal, course: Course) -> Refusal:
    """The open-alert refusal with the alerts it means, so an API client (and the page's message) can find them."""
    if refusal.code != "risk_alert_open":
        return refusal
    still_open = RiskAlert.objects.filter(client_id=course.client_id, closed_at__isnull=True).order_by("opened_at")
    named = "; ".join(
        f"alert {alert.pk}, opened {date_format(timezone.localtime(alert.opened_at), 'j F Y')}" for alert in still_open
    )
    return Refusal(refusal.code, f"{refusal.message} Still open: {named}.")


@transaction.atomic
def course_task_mark(*, actor: Actor, course: Course, task_id: str, done: bool) -> None:
    """Tick or untick a task of the course's current phase checklist."""
    require_course(actor, course)
    require_open(course)
    client_require_active(course.client)
    phase = protocol().phase(course.phase)
    if task_id not in {task.id for task in phase.tasks}:
        raise ValidationError(ERROR_UNKNOWN_TASK)
    existing = CourseTask.objects.filter(course=course, task_id=task_id)
    if done and not existing.exists():
        CourseTask.objects.create(
            organisation=course.organisation, course=course, task_id=task_id, recorded_by=actor.member()
        )
    elif not done:
        existing.delete()
    _touch(course)
    audit_record(actor=actor, action=AuditAction.COURSE_TASK_MARKED, obj=course, detail={"task": task_id, "done": done})
