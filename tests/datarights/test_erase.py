"""Erasing a client removes every record of theirs and the client row, or nothing at all; the audit stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.courses.models import Course
from iptriad.datarights import services
from iptriad.datarights.graph import client_record_types
from iptriad.datarights.services import (
    ERROR_BAD_REFERENCE,
    ERROR_OPEN_RISK_ALERT,
    ERROR_REFERENCE_NEEDED,
    ERROR_UNKNOWN_REASON,
    client_erase,
)
from iptriad.notifications.models import Message
from tests.conftest import Personas, make_client
from tests.datarights.conftest import ClientHistory, client_history, close_alerts

pytestmark = pytest.mark.django_db


def _rows_of(client_id: int) -> dict[str, int]:
    """How many rows of each record type belong to the client id, counted straight in the database."""
    counts = {}
    for record_type in client_record_types():
        lookup = record_type.path.removesuffix("client") + "client_id"
        counts[record_type.label] = record_type.model._base_manager.filter(**{lookup: client_id}).count()
    counts["clients.Client"] = Client.objects.filter(pk=client_id).count()
    # A message reaches the client by its recipient, or by the alert or link it is about (a clinician's alert
    # e-mail): those go with the alert or link.
    counts["notifications.Message"] = Message.objects.filter(
        Q(to_client_id=client_id) | Q(alert__client_id=client_id) | Q(link__client_id=client_id)
    ).count()
    return counts


def _erase(personas: Personas, client: Client, reason: str = "client_request", reference: str = "DSR-2026-014"):
    return client_erase(actor=personas.actor(personas.admin_a), client=client, reason=reason, reference=reference)


def test_it_removes_every_record_and_the_client(personas, history_a: ClientHistory, history_b: ClientHistory):
    close_alerts(personas.client_a, personas.therapist_a)
    client_id = personas.client_a.pk
    before = _rows_of(client_id)
    assert all(before.values()), before
    other_before = _rows_of(personas.client_b.pk)
    events_before = AuditEvent.objects.count()

    erasure = _erase(personas, personas.client_a)

    assert set(_rows_of(client_id).values()) == {0}
    assert _rows_of(personas.client_b.pk) == other_before
    # Every row counted before is counted as removed, plus Django's own table of the triad's people.
    assert {label: erasure.removed[label] for label in before} == before
    assert erasure.removed["courses.Triad_support_people"] == 1
    # The audit trail is only added to: its events about the client stay, with one more saying it was erased.
    assert AuditEvent.objects.count() == events_before + 1
    assert AuditEvent.objects.filter(object_type="client", object_id=str(client_id)).count() >= 1


def test_the_erasure_is_audited_with_counts_and_no_content(personas, history_a):
    close_alerts(personas.client_a, personas.therapist_a)
    client_id = personas.client_a.pk
    _erase(personas, personas.client_a)
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_ERASED)
    assert (event.actor, event.object_type, event.object_id) == (personas.admin_a, "client", str(client_id))
    assert event.detail["reason"] == "client_request"
    assert event.detail["reference"] == "DSR-2026-014"
    assert event.detail["removed"]["courses.Course"] == 1
    assert event.detail["removed"]["measures.SocialRhythmEntry"] == 35
    assert event.detail["removed"]["clients.Client"] == 1
    text = str(event.detail)
    for content in ("Alphason", "Casey", "A-0001", "Low mood", "Sam"):
        assert content not in text


def test_it_refuses_while_a_risk_alert_is_open(personas, history_a):
    before = _rows_of(personas.client_a.pk)
    with pytest.raises(ValidationError) as refused:
        _erase(personas, personas.client_a)
    assert refused.value.messages == [ERROR_OPEN_RISK_ALERT]
    assert ERROR_OPEN_RISK_ALERT.startswith("Close the open risk alert first")
    assert _rows_of(personas.client_a.pk) == before
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_ERASED).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failure_half_way_leaves_everything_as_it_was(personas, history_a, monkeypatch):
    close_alerts(personas.client_a, personas.therapist_a)
    before = _rows_of(personas.client_a.pk)
    events_before = AuditEvent.objects.count()
    real_delete = services._delete_rows
    deleted_types: list[str] = []

    def delete_then_fail(record_type, client):
        if len(deleted_types) == len(client_record_types()) // 2:
            raise RuntimeError("the database went away")
        deleted_types.append(record_type.label)
        return real_delete(record_type, client)

    monkeypatch.setattr(services, "_delete_rows", delete_then_fail)
    with pytest.raises(RuntimeError):
        _erase(personas, personas.client_a)
    assert len(deleted_types) > 5  # rows really were deleted before the failure, and then rolled back
    assert _rows_of(personas.client_a.pk) == before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("reason", "reference", "field", "message"),
    [
        ("because", "", "reason", ERROR_UNKNOWN_REASON),
        ("client_request", "Jane Doe asked", "reference", ERROR_BAD_REFERENCE),
        ("other", "", "reference", ERROR_REFERENCE_NEEDED),
    ],
)
def test_it_needs_a_known_reason_and_a_plain_reference(personas, reason, reference, field, message):
    with pytest.raises(ValidationError) as refused:
        _erase(personas, personas.client_a, reason=reason, reference=reference)
    assert refused.value.message_dict == {field: [message]}
    assert Client.objects.filter(pk=personas.client_a.pk).exists()


@pytest.mark.parametrize("member", ["supervisor_a", "therapist_a", "facilitator_a"])
def test_only_an_administrator_may_erase(personas, member):
    actor = personas.actor(getattr(personas, member))
    with pytest.raises(PermissionDenied):
        client_erase(actor=actor, client=personas.client_a, reason="client_request")
    assert Client.objects.filter(pk=personas.client_a.pk).exists()


def test_an_administrator_may_not_erase_another_organisations_client(personas):
    with pytest.raises(PermissionDenied):
        _erase(personas, personas.client_b)
    assert Client.objects.filter(pk=personas.client_b.pk).exists()


def test_a_client_with_nothing_recorded_is_erased_too(personas):
    erasure = _erase(personas, personas.client_a, reason="created_in_error", reference="")
    assert erasure.removed == {"clients.Client": 1}
    assert not Client.objects.filter(pk=personas.client_a.pk).exists()


def test_the_queries_do_not_grow_with_the_record(personas):
    def erase_with_courses(client: Client, courses: int) -> int:
        for _ in range(courses):
            closed = {"phase": "closed", "closed_on": "2026-10-01", "end_reason": "other"}
            Course.objects.filter(client=client).update(**closed)
            client_history(personas, client, personas.therapist_a)
        close_alerts(client, personas.therapist_a)
        with CaptureQueriesContext(connection) as queries:
            _erase(personas, client)
        return len(queries)

    with_one = erase_with_courses(personas.client_a, 1)
    other = make_client(personas.org_a, "A-0009", personas.therapist_a)
    assert erase_with_courses(other, 3) == with_one
