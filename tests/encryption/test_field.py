"""EncryptedTextField: plaintext through the ORM, ciphertext in the database, and no query that needs plaintext."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, models, transaction
from django.test import override_settings

from iptriad.courses.models import CourseSession, Goal
from iptriad.encryption.cipher import DecryptionError
from iptriad.measures.models import RiskAlert
from tests.courses.factories import full_course
from tests.encryption.keyrings import KEY_A, KEY_B
from tests.measures.factories import clinical_objects

NOTE = "She said she had thought about not waking up."


def raw_value(model: type[models.Model], column: str, pk: int) -> str:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608 (test's own names)
        return str(cursor.fetchone()[0])


def write_raw(model: type[models.Model], column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{model._meta.db_table}" SET "{column}" = %s WHERE id = %s', [value, pk])  # noqa: S608


@pytest.fixture
def records(personas):
    return full_course(personas.client_a, personas.therapist_a)


def test_it_saves_and_reads_plaintext_through_the_orm(records):
    CourseSession.objects.filter(pk=records.session.pk).update(note=NOTE)
    records.session.refresh_from_db()
    records.session.homework_set = "Call Sam"
    records.session.save()
    session = CourseSession.objects.get(pk=records.session.pk)
    assert (session.note, session.homework_set) == (NOTE, "Call Sam")
    assert CourseSession.objects.filter(pk=session.pk).values_list("note", flat=True).get() == NOTE


def test_the_database_holds_ciphertext_not_the_text(records):
    records.session.note = NOTE
    records.session.save()
    stored = raw_value(CourseSession, "note", records.session.pk)
    assert stored.startswith("enc1:test:")
    assert "waking" not in stored
    assert "move" not in raw_value(Goal, "text", records.goal.pk).lower()


def test_empty_text_is_stored_empty_and_still_queryable(records):
    assert raw_value(CourseSession, "note", records.session.pk) == ""
    assert CourseSession.objects.filter(note="").count() == 1
    assert CourseSession.objects.filter(note__isnull=True).count() == 0


@pytest.mark.parametrize(
    "query",
    [
        {"note": NOTE},
        {"note__exact": "x"},
        {"note__icontains": "waking"},
        {"note__startswith": "She"},
        {"note__in": [NOTE]},
        {"note__lower": "x"},
    ],
)
def test_a_query_that_needs_the_plaintext_is_refused_with_a_clear_error(records, query):
    with pytest.raises(FieldError, match=r"courses\.coursesession\.note is encrypted at rest"):
        list(CourseSession.objects.filter(**query))


def test_a_value_copied_into_another_column_fails_loudly_instead_of_showing(records):
    records.session.note = NOTE
    records.session.save()
    write_raw(CourseSession, "homework_set", records.session.pk, raw_value(CourseSession, "note", records.session.pk))
    with pytest.raises(DecryptionError, match=r"courses\.coursesession\.homework_set: value failed authentication"):
        CourseSession.objects.get(pk=records.session.pk)


def test_a_value_under_a_removed_key_fails_loudly(records):
    with override_settings(ENCRYPTION_KEYS=KEY_A):
        records.session.note = NOTE
        records.session.save()
    with (
        override_settings(ENCRYPTION_KEYS=KEY_B),
        pytest.raises(DecryptionError, match="key id 'a', which IPTRIAD_ENCRYPTION_KEYS does not hold"),
    ):
        CourseSession.objects.get(pk=records.session.pk)


def test_a_closed_alert_still_needs_an_assessment_in_the_database(personas):
    alert = clinical_objects(personas).alert_a
    assert raw_value(RiskAlert, "summary", alert.pk).startswith("enc1:")
    with transaction.atomic(), pytest.raises(IntegrityError):
        RiskAlert.objects.filter(pk=alert.pk).update(closed_at=alert.opened_at, risk_level="low", action="other")
    alert.refresh_from_db()
    alert.closed_at, alert.risk_level, alert.action, alert.assessment = alert.opened_at, "low", "other", NOTE
    alert.full_clean()
    alert.save()
    assert RiskAlert.objects.get(pk=alert.pk).assessment == NOTE
