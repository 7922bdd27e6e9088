"""`iptriad rotate-keys`: every value moves to the current key, in batches, idempotently, and failures are loud."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import override_settings

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.courses.models import CourseSession, Goal, RelapsePreventionPlan
from iptriad.encryption.cipher import key_id_of
from iptriad.encryption.rotation import _swap, encrypted_columns, rotate_column
from iptriad.measures.models import RiskAlert
from tests.courses.factories import full_course, occasion_for, termination_records
from tests.encryption.keyrings import KEY_A, KEY_B
from tests.encryption.test_field import raw_value, write_raw
from tests.measures.factories import clinical_objects


def rotate(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def session_pk(number: int) -> int:
    return CourseSession.objects.values_list("pk", flat=True).get(number=number)


def stored_key_ids() -> set[str | None]:
    """The key id of every non-empty value of every encrypted column (None: plaintext)."""
    ids: set[str | None] = set()
    for column in encrypted_columns():
        for stored in column.model._base_manager.values_list(
            models.functions.Cast(column.field.attname, models.TextField()), flat=True
        ):
            if stored:
                ids.add(key_id_of(stored))
    return ids


@pytest.fixture
def data_under_key_a(personas):
    with override_settings(ENCRYPTION_KEYS=KEY_A):
        records = full_course(personas.client_a, personas.therapist_a)
        termination_records(records.course)
        for number in range(2, 8):  # more rows than a batch of 2, so batching is exercised
            CourseSession.objects.create(
                organisation_id=records.course.organisation_id,
                course=records.course,
                occasion=occasion_for(records.course),
                number=number,
                held_on=records.session.held_on,
                phase="middle",
                note=f"Note of session {number}",
                recorded_by=personas.therapist_a,
            )
        clinical_objects(personas)
    assert stored_key_ids() == {"a"}
    return records


def test_it_moves_every_value_to_the_new_key_so_the_old_key_can_be_removed(data_under_key_a):
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        output = rotate("--batch-size", "2")
    assert "courses.coursesession.note: 6 re-encrypted (a 6)" in output
    assert "measures.riskalert.summary: 2 re-encrypted (a 2)" in output
    assert stored_key_ids() == {"b"}
    with override_settings(ENCRYPTION_KEYS=KEY_B):
        assert sorted(s.note for s in CourseSession.objects.exclude(note="")) == [
            f"Note of session {n}" for n in range(2, 8)
        ]
        assert RelapsePreventionPlan.objects.get().warning_signs == "Sleeping badly"
        assert Goal.objects.get().text == "Build a new social network"


def test_a_second_run_rewrites_nothing(data_under_key_a):
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        rotate()
        before = raw_value(CourseSession, "note", session_pk(2))
        output = rotate()
    assert "Re-encrypted 0 value(s) under key b." in output
    assert raw_value(CourseSession, "note", session_pk(2)) == before


def test_a_dry_run_counts_per_key_and_writes_nothing(data_under_key_a):
    pk = session_pk(3)
    before = raw_value(CourseSession, "note", pk)
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        output = rotate("--dry-run")
    assert "courses.coursesession.note: a 6; 6 to re-encrypt" in output
    assert raw_value(CourseSession, "note", pk) == before
    assert not AuditEvent.objects.filter(action=AuditAction.ENCRYPTION_KEYS_ROTATED).exists()


def test_check_fails_while_values_wait_for_the_current_key_and_passes_after(data_under_key_a):
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        with pytest.raises(CommandError, match=r"value\(s\) are not under the current key b"):
            rotate("--check")
        rotate()
        assert "0 value(s) would be re-encrypted" in rotate("--check")


def test_legacy_plaintext_is_encrypted(data_under_key_a):
    session = CourseSession(pk=session_pk(4))
    write_raw(CourseSession, "note", session.pk, "Written before encryption existed")
    with override_settings(ENCRYPTION_KEYS=KEY_A):
        assert CourseSession.objects.get(pk=session.pk).note == "Written before encryption existed"
        output = rotate()
        assert "courses.coursesession.note: 1 re-encrypted (a 5, plaintext 1)" in output
        assert raw_value(CourseSession, "note", session.pk).startswith("enc1:a:")
        assert CourseSession.objects.get(pk=session.pk).note == "Written before encryption existed"


def test_a_value_that_cannot_be_decrypted_fails_the_run_after_rotating_the_rest(data_under_key_a):
    broken = session_pk(5)
    write_raw(CourseSession, "note", broken, raw_value(Goal, "text", data_under_key_a.goal.pk))  # from another column
    failure = rf"1 value\(s\) could not be decrypted .*coursesession\.note rows {broken}$"
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"), pytest.raises(CommandError, match=failure):
        rotate()
    assert stored_key_ids() == {"a", "b"}
    assert key_id_of(raw_value(CourseSession, "note", broken)) == "a"  # left as it was, for someone to look at


def test_the_run_is_audited_with_counts_and_no_organisation(data_under_key_a):
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        rotate()
    event = AuditEvent.objects.get(action=AuditAction.ENCRYPTION_KEYS_ROTATED)
    assert (event.organisation, event.actor) == (None, None)
    assert event.detail["key_id"] == "b"
    assert event.detail["rewritten"]["courses.coursesession.note"] == 6
    assert event.detail["failed"] == {}
    assert "Note of session" not in str(event.detail)


def test_a_row_saved_during_the_run_keeps_its_new_value(data_under_key_a):
    """The write is a compare-and-swap: a value changed since the batch read it is left as the user saved it."""
    column = next(c for c in encrypted_columns() if c.identity == "courses.coursesession.note")
    read = raw_value(CourseSession, "note", session_pk(6))
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        session = CourseSession.objects.get(number=6)
        session.note = "Edited while rotating"
        session.save()
        assert _swap(column, session.pk, read, "enc1:b:stale", "default") == 0
        assert CourseSession.objects.get(pk=session.pk).note == "Edited while rotating"


def test_rotating_one_column_leaves_the_others(data_under_key_a):
    column = next(c for c in encrypted_columns() if c.identity == "measures.riskalert.assessment")
    with override_settings(ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        report = rotate_column(column)
    assert (report.rewritten, RiskAlert.objects.exclude(assessment="").count()) == (0, 0)
    assert stored_key_ids() == {"a"}
