"""Issue 16, item 7: an administrator's export of a client's whole record needs a reason and a second person with a
clinical role (a supervisor, or the client's therapist) before the file is made; the requester downloads it once,
within 24 hours; each step is audited. Each step per role, in the own and another organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import Role
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.datarights.models import DOWNLOAD_WINDOW, ExportDecision, ExportRequest
from iptriad.datarights.services import ERROR_NOT_DOWNLOADABLE, ERROR_REFERENCE_NEEDED
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

ASK = {"export_format": "json", "reason": "client_request", "reference": "DSR-2026-013"}


def ask(personas) -> ExportRequest:
    url = reverse("datarights-export-request", args=[personas.client_a.pk])
    assert logged_in(personas.admin_a).post(url, ASK).status_code == 302
    return ExportRequest.objects.get()


def decide(user, export: ExportRequest, decision: str = "approve"):
    return logged_in(user).post(reverse("datarights-export-decide", args=[export.pk]), {"decision": decision})


def download(user, export: ExportRequest):
    return logged_in(user).get(reverse("datarights-export-download", args=[export.pk]))


def test_asking_needs_a_reason_and_makes_no_file(personas):
    url = reverse("datarights-export-request", args=[personas.client_a.pk])
    refused = logged_in(personas.admin_a).post(url, {"export_format": "json", "reason": "other"})
    assert refused.status_code == 400
    assert ERROR_REFERENCE_NEEDED in refused.content.decode()
    export = ask(personas)
    assert export.decision == ExportDecision.PENDING
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_EXPORTED).exists()
    asked = AuditEvent.objects.get(action=AuditAction.EXPORT_REQUESTED)
    assert asked.detail == {"client": personas.client_a.pk, "format": "json", "reason": "client_request",
                            "reference": "DSR-2026-013"}  # fmt: skip
    assert download(personas.admin_a, export).status_code == 302  # not approved yet: back, with the reason
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_EXPORTED).exists()


@pytest.mark.parametrize(
    ("who", "decides"),
    [
        ("supervisor_a", True),
        ("therapist_a", True),  # the client's therapist
        ("therapist_a2", False),  # another therapist of the organisation: not their client
        ("facilitator_a", False),
        ("admin_a", False),  # the person who asked
        ("therapist_b", False),  # another organisation
        ("admin_b", False),
    ],
)
def test_who_may_approve(personas, who, decides):
    export = ask(personas)
    user = getattr(personas, who)
    organisation = personas.org_b if who.endswith("_b") else personas.org_a
    page = logged_in(user, organisation).get(reverse("datarights-approvals"))
    assert page.status_code == 200
    assert (personas.client_a.identifier in page.content.decode()) is decides
    answer = logged_in(user, organisation).post(
        reverse("datarights-export-decide", args=[export.pk]), {"decision": "approve"}
    )
    assert answer.status_code == (302 if decides else 404)
    export.refresh_from_db()
    assert (export.decision == ExportDecision.APPROVED) is decides


def test_a_second_administrator_may_not_approve(personas):
    from tests.conftest import make_user

    second_admin = make_user("admin.a2@alpha.example", "Ada Alpha", personas.org_a, Role.ADMIN)
    export = ask(personas)
    assert decide(second_admin, export).status_code == 404


def test_approved_the_requester_downloads_once_and_both_steps_are_audited(personas):
    export = ask(personas)
    assert decide(personas.therapist_a, export).status_code == 302
    approved = AuditEvent.objects.get(action=AuditAction.EXPORT_APPROVED)
    assert approved.actor_id == personas.therapist_a.pk
    assert download(personas.supervisor_a, export).status_code == 404  # only who asked
    first = download(personas.admin_a, export)
    assert first.status_code == 200
    assert first["Content-Disposition"].startswith('attachment; filename="client-A-0001-')
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_EXPORTED).count() == 1
    again = logged_in(personas.admin_a).get(reverse("datarights-export-download", args=[export.pk]), follow=True)
    assert ERROR_NOT_DOWNLOADABLE in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_EXPORTED).count() == 1


def test_an_approval_lasts_24_hours(personas, time_machine):
    export = ask(personas)
    decide(personas.supervisor_a, export)
    time_machine.move_to(timezone.now() + DOWNLOAD_WINDOW + dt.timedelta(minutes=1))
    assert download(personas.admin_a, export).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_EXPORTED).exists()


def test_a_refused_export_is_never_made(personas):
    export = ask(personas)
    decide(personas.therapist_a, export, "refuse")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_REFUSED).count() == 1
    assert download(personas.admin_a, export).status_code == 302
    assert decide(personas.supervisor_a, export).status_code == 302  # already decided: refused with the reason
    export.refresh_from_db()
    assert export.decision == ExportDecision.REFUSED
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_EXPORTED).exists()


def test_the_home_pages_of_clinicians_link_to_the_approvals(personas):
    for user in (personas.supervisor_a, personas.therapist_a):
        assert reverse("datarights-approvals") in logged_in(user).get("/").content.decode()
