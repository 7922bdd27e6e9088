"""The competency services: who may write, the rules on dates and values (with the messages shown), the audit, and
how "refresher due" is worked out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.competency.models import Certification, CompetencySettings, TrainingKind, TrainingRecord
from iptriad.competency.selectors import add_months, certification_state, standing_of
from iptriad.competency.services import (
    DENIED,
    ERROR_HOURS,
    ERROR_MONTHS,
    ERROR_NOT_A_PERSON,
    ERROR_TITLE_REQUIRED,
    ERROR_VALID_BEFORE,
    CertificationDetails,
    TrainingDetails,
    certification_remove,
    certification_save,
    refresher_interval_set,
    training_remove,
    training_save,
)
from tests.competency.factories import make_certification, make_training

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


def _details(**changes: object) -> TrainingDetails:
    values: dict[str, object] = {
        "kind": TrainingKind.COURSE,
        "title": "IPT two-day course",
        "completed_on": dt.date(2026, 3, 2),
        "provider": "IPT Institute",
        "hours": Decimal("14"),
    }
    values.update(changes)
    return TrainingDetails(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("manager", ["admin_a", "supervisor_a"])
def test_it_adds_training_with_its_audit_event(personas, manager):
    actor = personas.actor(getattr(personas, manager))
    training = training_save(actor=actor, person=personas.therapist_a, details=_details())
    assert training.organisation_id == personas.org_a.pk
    assert training.recorded_by == getattr(personas, manager)
    event = AuditEvent.objects.get(action=AuditAction.COMPETENCY_TRAINING_SAVED)
    assert event.object_id == str(training.pk)
    assert event.detail == {"person": personas.therapist_a.pk, "kind": "course", "new": True}


@pytest.mark.parametrize("role", ["therapist_a", "facilitator_a"])
def test_a_therapist_or_facilitator_cannot_write_even_their_own_record(personas, role):
    user = getattr(personas, role)
    with pytest.raises(PermissionDenied, match=DENIED):
        training_save(actor=personas.actor(user), person=user, details=_details())
    assert not TrainingRecord.objects.exists()


def test_a_person_of_another_organisation_or_an_administrator_has_no_record(personas):
    actor = personas.actor(personas.supervisor_a)
    for person in (personas.therapist_b, personas.admin_a):
        with pytest.raises(ValidationError) as refused:
            training_save(actor=actor, person=person, details=_details())
        assert refused.value.message_dict == {"person": [ERROR_NOT_A_PERSON]}
    assert not TrainingRecord.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "   "}, "title", ERROR_TITLE_REQUIRED),
        ({"completed_on": TODAY + dt.timedelta(days=1)}, "completed_on", "in the future"),
        ({"completed_on": dt.date(1926, 1, 1)}, "completed_on", "check the year"),
        ({"hours": Decimal("0")}, "hours", ERROR_HOURS),
        ({"hours": Decimal("10000")}, "hours", ERROR_HOURS),
        ({"kind": "seminar"}, "kind", "Choose one of the kinds"),
        ({"title": "x" * 201}, "title", "201"),
    ],
)
def test_training_is_refused_with_the_reason_on_its_field(personas, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        training_save(
            actor=personas.actor(personas.supervisor_a), person=personas.therapist_a, details=_details(**changes)
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not TrainingRecord.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.COMPETENCY_TRAINING_SAVED).exists()


def test_it_changes_and_removes_training(personas):
    actor = personas.actor(personas.supervisor_a)
    training = make_training(personas.therapist_a, personas.org_a, completed_on=dt.date(2025, 1, 5))
    training_save(actor=actor, person=personas.therapist_a, details=_details(title="Refresher day"), training=training)
    training.refresh_from_db()
    assert training.title == "Refresher day"
    training_remove(actor=actor, training=training)
    assert not TrainingRecord.objects.exists()
    removed = AuditEvent.objects.get(action=AuditAction.COMPETENCY_TRAINING_REMOVED)
    assert removed.detail["person"] == personas.therapist_a.pk


def test_another_organisations_training_cannot_be_changed_or_removed(personas):
    foreign = make_training(personas.therapist_b, personas.org_b, completed_on=dt.date(2025, 1, 5))
    actor = personas.actor(personas.supervisor_a)
    with pytest.raises(PermissionDenied):
        training_save(actor=actor, person=personas.therapist_b, details=_details(), training=foreign)
    with pytest.raises(PermissionDenied):
        training_remove(actor=actor, training=foreign)
    foreign.refresh_from_db()
    assert foreign.title == "IPT two-day course"


def test_a_training_row_cannot_move_to_another_person(personas):
    training = make_training(personas.therapist_a, personas.org_a, completed_on=dt.date(2025, 1, 5))
    with pytest.raises(ValidationError):
        training_save(
            actor=personas.actor(personas.supervisor_a),
            person=personas.therapist_a2,
            details=_details(),
            training=training,
        )


def test_a_certification_must_end_after_it_began(personas):
    actor = personas.actor(personas.admin_a)
    details = CertificationDetails(
        what="IPT Institute certification",
        body="IPT Institute",
        certified_on=dt.date(2026, 5, 1),
        valid_until=dt.date(2026, 5, 1),
    )
    with pytest.raises(ValidationError) as refused:
        certification_save(actor=actor, person=personas.facilitator_a, details=details)
    assert refused.value.message_dict == {"valid_until": [ERROR_VALID_BEFORE]}
    ok = CertificationDetails(
        what="WHO group IPT facilitator training", body="WHO", certified_on=dt.date(2026, 5, 1), valid_until=None
    )
    certification = certification_save(actor=actor, person=personas.facilitator_a, details=ok)
    assert certification.valid_until is None
    certification_remove(actor=actor, certification=certification)
    assert not Certification.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.COMPETENCY_CERTIFICATION_REMOVED).count() == 1


def test_the_refresher_interval_is_set_within_its_range(personas):
    actor = personas.actor(personas.admin_a)
    with pytest.raises(ValidationError) as refused:
        refresher_interval_set(actor=actor, months=0)
    assert refused.value.message_dict == {"refresher_months": [ERROR_MONTHS]}
    refresher_interval_set(actor=actor, months=24)
    refresher_interval_set(actor=actor, months=18)
    assert CompetencySettings.objects.get(organisation=personas.org_a).refresher_months == 18
    assert AuditEvent.objects.filter(action=AuditAction.COMPETENCY_SETTINGS_CHANGED).count() == 2
    with pytest.raises(PermissionDenied):
        refresher_interval_set(actor=personas.actor(personas.therapist_a), months=12)


# --- Refresher due --------------------------------------------------------------------------------------------------


def test_months_are_added_to_the_end_of_a_short_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 24) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 11, 15), 36) == dt.date(2027, 11, 15)


def test_due_is_the_earlier_of_the_refresher_and_the_certifications_end(personas):
    certification = make_certification(
        personas.therapist_a, personas.org_a, certified_on=dt.date(2024, 1, 1), valid_until=dt.date(2026, 6, 1)
    )
    standing = standing_of(last_refreshing_on=dt.date(2025, 1, 1), certification=certification, months=36, today=TODAY)
    assert standing.refresher_due_on == dt.date(2028, 1, 1)
    assert standing.due_on == dt.date(2026, 6, 1)
    assert standing.overdue
    assert standing.certification_state == "expired"
    fresh = standing_of(last_refreshing_on=dt.date(2025, 1, 1), certification=None, months=36, today=TODAY)
    assert (fresh.due_on, fresh.overdue, fresh.status) == (dt.date(2028, 1, 1), False, "Up to date")
    nothing = standing_of(last_refreshing_on=None, certification=None, months=36, today=TODAY)
    assert (nothing.due_on, nothing.overdue, nothing.status) == (None, False, "Nothing recorded")


def test_a_certification_ending_within_90_days_ends_soon(personas):
    soon = make_certification(
        personas.therapist_a, personas.org_a, certified_on=dt.date(2024, 1, 1), valid_until=TODAY + dt.timedelta(90)
    )
    assert certification_state(soon, TODAY) == "ends_soon"
    soon.valid_until = TODAY + dt.timedelta(91)
    assert certification_state(soon, TODAY) == "valid"
    soon.valid_until = None
    assert certification_state(soon, TODAY) == "no_end"
