import pytest
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_it_shows_an_admin_their_organisations_events_only(personas):
    logged_in(personas.therapist_a).get(reverse("client-detail", args=[personas.client_a.pk]))
    logged_in(personas.therapist_b).get(reverse("client-detail", args=[personas.client_b.pk]))
    page = logged_in(personas.admin_a).get(reverse("audit-list")).content.decode()
    assert "Client record viewed" in page
    assert personas.therapist_a.full_name in page
    assert personas.therapist_b.full_name not in page


def test_it_filters_by_action_and_record(personas):
    logged_in(personas.therapist_a).get(reverse("client-detail", args=[personas.client_a.pk]))
    http = logged_in(personas.admin_a)
    page = http.get(reverse("audit-list"), {"action": "client.created"}).content.decode()
    assert "Client record viewed" not in page.split("<table")[1]
    by_record = http.get(reverse("audit-list"), {"object_type": "client", "object_id": personas.client_a.pk})
    assert b"Client record viewed" in by_record.content


def test_it_audits_reading_the_audit_trail(personas):
    logged_in(personas.admin_a).get(reverse("audit-list"))
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_BROWSED, actor=personas.admin_a).exists()
