"""Measure schedules of a treatment context: the defaults its app asks for when it opens, edited by a clinician."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.services import client_require_active
from iptriad.core.schedules import ScheduleRule
from iptriad.measures import contexts
from iptriad.measures.definitions import definitions as instruments
from iptriad.measures.models import Cadence, MeasureSchedule, TreatmentContext

SCHEDULE_EVERY_N_MAX = 52  # Design note: a year of weekly sessions; a larger gap is not a schedule
ERROR_SCHEDULE_UNKNOWN_INSTRUMENT = "Choose a measure from the list."
ERROR_SCHEDULE_CADENCE = "Choose how often the measure is given."
ERROR_SCHEDULE_EVERY_N = (
    f"Give the number of sessions between measures, a whole number from 1 to {SCHEDULE_EVERY_N_MAX}."
)
ERROR_SCHEDULE_DUPLICATE = "The {name} is already in this course's schedule: change its row instead."
ERROR_SCHEDULE_NOT_IN_COURSE = "That measure is not in this course's schedule; reload the page and try again."
SCHEDULE_FIELDS = ("cadence", "every_n", "active")


def schedule_field(schedule_id: int, name: str) -> str:
    """The name of one schedule row's field, shared by the edit form and the errors below."""
    return f"schedule-{schedule_id}-{name}"


@dataclass(frozen=True)
class ScheduleChange:
    """The wanted state of one schedule row; every_n counts only for the every-N-sessions cadence."""

    schedule_id: int
    cadence: str
    every_n: int | None
    active: bool


def _schedule_errors(cadence: str, every_n: int | None) -> dict[str, str]:
    if cadence not in Cadence.values:
        return {"cadence": ERROR_SCHEDULE_CADENCE}
    if cadence == Cadence.EVERY_N_SESSIONS and (every_n is None or not 1 <= every_n <= SCHEDULE_EVERY_N_MAX):
        return {"every_n": ERROR_SCHEDULE_EVERY_N}
    return {}


def _every_n(cadence: str, every_n: int | None) -> int | None:
    # Kept only where it means something, so a row never shows a number its cadence ignores.
    return every_n if cadence == Cadence.EVERY_N_SESSIONS else None


@transaction.atomic
def measure_schedule_add(
    *, actor: Actor, context: TreatmentContext, code: str, cadence: str, every_n: int | None = None
) -> MeasureSchedule:
    """Add an instrument to a context's schedule; an instrument is scheduled once per context."""
    contexts.require_change(actor, context)
    client_require_active(context.client)
    errors: dict[str, str] = {}
    code = code.strip()
    if code not in instruments():
        errors["instrument"] = ERROR_SCHEDULE_UNKNOWN_INSTRUMENT
    elif MeasureSchedule.objects.filter(context=context, instrument_code=code).exists():
        errors["instrument"] = ERROR_SCHEDULE_DUPLICATE.format(name=instruments()[code].short_name)
    errors.update(_schedule_errors(cadence, every_n))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            schedule = MeasureSchedule.objects.create(
                organisation_id=context.organisation_id,
                context=context,
                instrument_code=code,
                cadence=cadence,
                every_n=_every_n(cadence, every_n),
            )
    except IntegrityError as error:
        # Two members adding the same instrument at once: the unique constraint decided.
        raise ValidationError(
            {"instrument": ERROR_SCHEDULE_DUPLICATE.format(name=instruments()[code].short_name)}
        ) from error
    audit_record(
        actor=actor,
        action=AuditAction.SCHEDULE_CHANGED,
        obj=schedule,
        detail={"instrument": code, "fields": ["instrument_code", "cadence", "every_n", "active"]},
    )
    return schedule


@transaction.atomic
def measure_schedules_update(
    *, actor: Actor, context: TreatmentContext, changes: Sequence[ScheduleChange]
) -> list[MeasureSchedule]:
    """Change a context's schedule rows together: all or none; returns the rows that changed (each audited)."""
    contexts.require_change(actor, context)
    client_require_active(context.client)
    rows = {row.pk: row for row in MeasureSchedule.objects.select_for_update().filter(context=context)}
    errors: dict[str, str] = {}
    for change in changes:
        if change.schedule_id not in rows:
            raise ValidationError(ERROR_SCHEDULE_NOT_IN_COURSE)
        for field, message in _schedule_errors(change.cadence, change.every_n).items():
            errors[schedule_field(change.schedule_id, field)] = message
    if errors:
        raise ValidationError(errors)
    changed: list[MeasureSchedule] = []
    for change in changes:
        row = rows[change.schedule_id]
        wanted = {
            "cadence": change.cadence,
            "every_n": _every_n(change.cadence, change.every_n),
            "active": change.active,
        }
        fields = [field for field in SCHEDULE_FIELDS if getattr(row, field) != wanted[field]]
        if not fields:
            continue
        for field in fields:
            setattr(row, field, wanted[field])
        row.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=AuditAction.SCHEDULE_CHANGED,
            obj=row,
            detail={"instrument": row.instrument_code, "fields": fields},
        )
        changed.append(row)
    return changed


def measure_schedule_defaults_create(
    *, context: TreatmentContext, rules: Iterable[ScheduleRule]
) -> list[MeasureSchedule]:
    """A new context's schedule from its app's default rules; called inside the transaction that opens it."""
    return MeasureSchedule.objects.bulk_create(
        MeasureSchedule(
            organisation_id=context.organisation_id,
            context=context,
            instrument_code=rule.instrument,
            cadence=rule.cadence.value,
            every_n=rule.every_n,
        )
        for rule in rules
    )
