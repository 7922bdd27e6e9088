import pytest
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from tests.audit import tampering
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


def test_an_admin_checks_the_trail_is_intact_from_the_page(personas):
    logged_in(personas.therapist_a).get(reverse("client-detail", args=[personas.client_a.pk]))
    http = logged_in(personas.admin_a)
    assert b"Check the trail is intact" in http.get(reverse("audit-list")).content
    page = http.post(reverse("audit-verify"), follow=True).content.decode()
    assert "The audit trail is intact: 2 events checked" in page  # the view and the browse
    event = AuditEvent.objects.get(action=AuditAction.AUDIT_VERIFIED)
    assert (event.actor, event.organisation, event.detail) == (
        personas.admin_a,
        personas.org_a,
        {"events": 2, "problems": 0},
    )


def test_the_page_names_a_break_in_the_trail(personas):
    logged_in(personas.therapist_a).get(reverse("client-detail", args=[personas.client_a.pk]))
    viewed = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED)
    tampering.set_action(viewed, AuditAction.CLIENT_LISTED)
    page = logged_in(personas.admin_a).post(reverse("audit-verify"), follow=True).content.decode()
    assert "The audit trail is broken: 1 problem in 1 events." in page
    assert f"Event {viewed.pk} (number 1): edited" in page


def test_only_an_admin_may_check_the_trail(personas):
    assert logged_in(personas.supervisor_a).post(reverse("audit-verify")).status_code == 403
    assert logged_in(personas.admin_a).get(reverse("audit-verify")).status_code == 405


def test_a_refused_request_shows_on_the_page(personas):
    url = reverse("client-detail", args=[personas.client_b.pk])
    assert logged_in(personas.therapist_a).get(url).status_code == 404
    page = logged_in(personas.admin_a).get(reverse("audit-list")).content.decode()
    assert "Access denied" in page
    assert f"GET {url}: 404" in page
