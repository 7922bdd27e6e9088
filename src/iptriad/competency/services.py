"""Writing competency records: training, certifications and the organisation's refresher interval. Each service
checks the actor through the policy (pages, API and the demo all come through here), validates, writes in one
transaction with its audit event, and returns the row."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.competency.models import (
    NOTE_MAX,
    REFRESHER_MONTHS_MAX,
    REFRESHER_MONTHS_MIN,
    TITLE_MAX,
    Certification,
    CompetencySettings,
    TrainingKind,
    TrainingRecord,
)
from iptriad.competency.permissions import CompetencyAction, competency_policy
from iptriad.core.limits import too_long_errors

DENIED = "Only a supervisor or an administrator of the organisation may change competency records."
ERROR_NOT_A_PERSON = "Choose an active supervisor, therapist or facilitator of the organisation."
ERROR_TITLE_REQUIRED = "Give the training's title."
ERROR_KIND = "Choose one of the kinds offered."
ERROR_HOURS = "Hours are more than 0 and at most 9999.9; leave empty when not counted."
ERROR_WHAT_REQUIRED = "Say what the certification is, e.g. IPT Institute certification."
ERROR_BODY_REQUIRED = "Give the body that certified, e.g. the IPT Institute."
ERROR_VALID_BEFORE = "'Valid until' must be after the day of certification."
ERROR_VALID_TOO_LONG = "'Valid until' is more than 30 years after certification: check the year."
ERROR_MONTHS = f"Give a number of months between {REFRESHER_MONTHS_MIN} and {REFRESHER_MONTHS_MAX}."

HOURS_MAX = Decimal("9999.9")  # the column's 5 digits with one decimal
# How far back a date of training may go: a working life, so a slipped year (0201 for 2021) is caught.
EARLIEST_YEARS = 60
VALID_YEARS_MAX = 30


def _require_manage(actor: Actor) -> None:
    if not competency_policy.allows(actor, CompetencyAction.MANAGE):
        raise PermissionDenied(DENIED)


def _require_person(actor: Actor, person: User) -> None:
    if not competency_policy.people(actor, CompetencyAction.MANAGE).filter(pk=person.pk).exists():
        raise ValidationError({"person": ERROR_NOT_A_PERSON})


def _require_row(actor: Actor, row: TrainingRecord | Certification) -> None:
    if not competency_policy.scope(actor, CompetencyAction.MANAGE, type(row).objects.filter(pk=row.pk)).exists():
        raise PermissionDenied(DENIED)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def past_date_error(day: dt.date, *, what: str) -> str:
    """A day something was done or granted: not in the future, and within a working life (a slipped year)."""
    today = timezone.localdate()
    if day > today:
        return f"{what} is in the future: give the day it happened."
    earliest = today.replace(year=today.year - EARLIEST_YEARS, day=min(today.day, 28))
    if day < earliest:
        return f"{what} is before {_day(earliest)}: check the year."
    return ""


# ---------------------------------------------------------------------------------------------------------------
# Training


@dataclasses.dataclass(frozen=True)
class TrainingDetails:
    kind: str
    title: str
    completed_on: dt.date
    provider: str = ""
    hours: Decimal | None = None
    note: str = ""


def _training_errors(details: TrainingDetails) -> dict[str, str]:
    title, provider = details.title.strip(), details.provider.strip()
    errors = too_long_errors(
        {"title": title, "provider": provider, "note": details.note},
        {"title": TITLE_MAX, "provider": TITLE_MAX, "note": NOTE_MAX},
    )
    if details.kind not in TrainingKind.values:
        errors["kind"] = ERROR_KIND
    if not title:
        errors["title"] = ERROR_TITLE_REQUIRED
    if message := past_date_error(details.completed_on, what="The day of completion"):
        errors["completed_on"] = message
    if details.hours is not None and not (0 < details.hours <= HOURS_MAX):
        errors["hours"] = ERROR_HOURS
    return errors


@transaction.atomic
def training_save(
    *, actor: Actor, person: User, details: TrainingDetails, training: TrainingRecord | None = None
) -> TrainingRecord:
    """Add a training record to the person's record, or change `training` (which must be theirs)."""
    _require_manage(actor)
    if training is not None:
        _require_row(actor, training)
        # The row as it is now, held until commit: two supervisors saving at once each see the other's change.
        training = TrainingRecord.objects.select_for_update().get(pk=training.pk)
        if training.person_id != person.pk:
            raise ValidationError({"person": ERROR_NOT_A_PERSON})
    else:
        _require_person(actor, person)
    if errors := _training_errors(details):
        raise ValidationError(errors)
    row = training or TrainingRecord(organisation_id=actor.organisation.pk, person=person, recorded_by=actor.member())
    row.kind = details.kind
    row.title = details.title.strip()
    row.provider = details.provider.strip()
    row.completed_on = details.completed_on
    # As the column stores it (one decimal), so the answer is what a later read gives.
    row.hours = details.hours.quantize(Decimal("0.1")) if details.hours is not None else None
    row.note = details.note.strip()
    row.updated_at = timezone.now()
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.COMPETENCY_TRAINING_SAVED,
        obj=row,
        detail={"person": person.pk, "kind": row.kind, "new": training is None},
    )
    return row


@transaction.atomic
def training_remove(*, actor: Actor, training: TrainingRecord) -> None:
    _require_manage(actor)
    _require_row(actor, training)
    detail = {"person": training.person_id, "kind": training.kind, "completed_on": training.completed_on.isoformat()}
    audit_record(actor=actor, action=AuditAction.COMPETENCY_TRAINING_REMOVED, obj=training, detail=detail)
    TrainingRecord.objects.filter(pk=training.pk).delete()


# ---------------------------------------------------------------------------------------------------------------
# Certifications


@dataclasses.dataclass(frozen=True)
class CertificationDetails:
    what: str
    body: str
    certified_on: dt.date
    valid_until: dt.date | None = None
    evidence: str = ""


def _certification_errors(details: CertificationDetails) -> dict[str, str]:
    what, body = details.what.strip(), details.body.strip()
    errors = too_long_errors(
        {"what": what, "body": body, "evidence": details.evidence},
        {"what": TITLE_MAX, "body": TITLE_MAX, "evidence": NOTE_MAX},
    )
    if not what:
        errors["what"] = ERROR_WHAT_REQUIRED
    if not body:
        errors["body"] = ERROR_BODY_REQUIRED
    if message := past_date_error(details.certified_on, what="The day of certification"):
        errors["certified_on"] = message
    if details.valid_until is not None:
        if details.valid_until <= details.certified_on:
            errors["valid_until"] = ERROR_VALID_BEFORE
        elif details.valid_until.year - details.certified_on.year > VALID_YEARS_MAX:
            errors["valid_until"] = ERROR_VALID_TOO_LONG
    return errors


@transaction.atomic
def certification_save(
    *, actor: Actor, person: User, details: CertificationDetails, certification: Certification | None = None
) -> Certification:
    """Add a certification to the person's record, or change `certification` (which must be theirs)."""
    _require_manage(actor)
    if certification is not None:
        _require_row(actor, certification)
        certification = Certification.objects.select_for_update().get(pk=certification.pk)
        if certification.person_id != person.pk:
            raise ValidationError({"person": ERROR_NOT_A_PERSON})
    else:
        _require_person(actor, person)
    if errors := _certification_errors(details):
        raise ValidationError(errors)
    row = certification or Certification(
        organisation_id=actor.organisation.pk, person=person, recorded_by=actor.member()
    )
    row.what = details.what.strip()
    row.body = details.body.strip()
    row.certified_on = details.certified_on
    row.valid_until = details.valid_until
    row.evidence = details.evidence.strip()
    row.updated_at = timezone.now()
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.COMPETENCY_CERTIFICATION_SAVED,
        obj=row,
        detail={"person": person.pk, "new": certification is None},
    )
    return row


@transaction.atomic
def certification_remove(*, actor: Actor, certification: Certification) -> None:
    _require_manage(actor)
    _require_row(actor, certification)
    detail = {"person": certification.person_id, "certified_on": certification.certified_on.isoformat()}
    audit_record(actor=actor, action=AuditAction.COMPETENCY_CERTIFICATION_REMOVED, obj=certification, detail=detail)
    Certification.objects.filter(pk=certification.pk).delete()


# ---------------------------------------------------------------------------------------------------------------
# The organisation's refresher interval


@transaction.atomic
def refresher_interval_set(*, actor: Actor, months: int) -> CompetencySettings:
    _require_manage(actor)
    if not REFRESHER_MONTHS_MIN <= months <= REFRESHER_MONTHS_MAX:
        raise ValidationError({"refresher_months": ERROR_MONTHS})
    row, _created = CompetencySettings.objects.select_for_update().get_or_create(
        organisation_id=actor.organisation.pk, defaults={"updated_by": actor.member(), "refresher_months": months}
    )
    before = row.refresher_months if not _created else None
    row.refresher_months, row.updated_by, row.updated_at = months, actor.member(), timezone.now()
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.COMPETENCY_SETTINGS_CHANGED,
        obj=row,
        detail={"refresher_months": months, "before": before},
    )
    return row
