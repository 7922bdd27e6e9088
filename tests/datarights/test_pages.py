"""The data rights pages: an administrator downloads a client's data and erases a client from the record page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.courses.models import Course
from iptriad.datarights.forms import ERROR_IDENTIFIER_MISMATCH
from iptriad.datarights.models import ExportRequest
from tests.conftest import logged_in
from tests.datarights.conftest import close_alerts
from tests.measures.test_fhir_export import validate

pytestmark = pytest.mark.django_db

ERASE_FORM = {"identifier": "A-0001", "reason": "client_request", "reference": "DSR-2026-014"}


def approved_export(personas, export_format: str) -> str:
    """Over HTTP: the administrator asks, the client's therapist approves; the address of the download."""
    form = {"export_format": export_format, "reason": "client_request", "reference": "DSR-2026-013"}
    asked = logged_in(personas.admin_a).post(reverse("datarights-export-request", args=[personas.client_a.pk]), form)
    assert asked.status_code == 302
    export = ExportRequest.objects.latest("pk")
    decided = logged_in(personas.therapist_a).post(
        reverse("datarights-export-decide", args=[export.pk]), {"decision": "approve"}
    )
    assert decided.status_code == 302
    return reverse("datarights-export-download", args=[export.pk])


def test_the_client_page_links_to_data_rights_for_administrators_only(personas):
    url = reverse("client-detail", args=[personas.client_a.pk])
    target = reverse("datarights-client", args=[personas.client_a.pk])
    assert target in logged_in(personas.admin_a).get(url).content.decode()
    for clinician in (personas.supervisor_a, personas.therapist_a):
        assert target not in logged_in(clinician).get(url).content.decode()


def test_the_data_page_shows_what_is_held(personas, history_a):
    page = logged_in(personas.admin_a).get(reverse("datarights-client", args=[personas.client_a.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Casey Alphason" in text
    assert '<tr><td>Social rhythm entry</td><td class="num">35</td></tr>' in text
    assert "open risk alert" in text


def test_an_administrator_downloads_everything_as_json(personas, history_a):
    response = logged_in(personas.admin_a).get(approved_export(personas, "json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="client-A-0001-')
    assert disposition.endswith('.json"')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["client"]["identifier"] == "A-0001"
    assert document["records"]["courses.Course"][0]["id"] == history_a.course.course.pk
    assert AuditEvent.objects.get(action=AuditAction.CLIENT_EXPORTED).detail["format"] == "json"


def test_an_administrator_downloads_the_measures_as_fhir(personas, history_a):
    response = logged_in(personas.admin_a).get(approved_export(personas, "fhir"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"].endswith('.fhir.json"')
    resources = validate(json.loads(response.content))  # a valid FHIR Bundle, every resource valid too
    responses = [resource for resource in resources if resource["resourceType"] == "QuestionnaireResponse"]
    assert len(responses) == 1  # the PHQ-9; the SRM-5 diary is not a FHIR questionnaire
    assert responses[0]["subject"]["identifier"]["value"] == personas.client_a.identifier
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_EXPORTED)
    assert event.detail == {"format": "fhir", "records": 1, "left_out": 1}


def test_an_administrator_erases_a_client_from_the_page(personas, history_a):
    close_alerts(personas.client_a, personas.therapist_a)
    http = logged_in(personas.admin_a)
    url = reverse("datarights-erase", args=[personas.client_a.pk])
    assert http.get(url).status_code == 200
    response = http.post(url, ERASE_FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("client-list")
    assert not Client.objects.filter(pk=personas.client_a.pk).exists()
    assert not Course.objects.filter(pk=history_a.course.course.pk).exists()
    listing = http.get(reverse("client-list") + "?status=all").content.decode()
    assert f"Client {personas.client_a.pk} was erased" in listing
    assert "Alphason" not in listing
    assert "A-0001" not in listing
    assert "Betason" not in listing  # (another organisation's client; organisation A's list is empty now)
    searched = http.get(reverse("client-list") + "?status=all&q=Casey").content.decode()
    assert "A-0001" not in searched
    assert http.get(reverse("client-detail", args=[personas.client_a.pk])).status_code == 404
    assert http.get(reverse("datarights-client", args=[personas.client_a.pk])).status_code == 404


def test_the_identifier_must_be_typed_to_confirm(personas):
    url = reverse("datarights-erase", args=[personas.client_a.pk])
    response = logged_in(personas.admin_a).post(url, {**ERASE_FORM, "identifier": "A-0002"})
    assert response.status_code == 400
    assert escape(ERROR_IDENTIFIER_MISMATCH) in response.content.decode()
    assert Client.objects.filter(pk=personas.client_a.pk).exists()


def test_the_page_refuses_while_a_risk_alert_is_open(personas, history_a):
    url = reverse("datarights-erase", args=[personas.client_a.pk])
    http = logged_in(personas.admin_a)
    assert "Close the open risk alert first" in http.get(url).content.decode()
    response = http.post(url, ERASE_FORM)
    assert response.status_code == 400
    assert "Close the open risk alert first" in response.content.decode()
    assert Client.objects.filter(pk=personas.client_a.pk).exists()


@pytest.mark.parametrize("member", ["supervisor_a", "therapist_a", "facilitator_a"])
def test_no_other_role_may_erase(personas, member):
    url = reverse("datarights-erase", args=[personas.client_a.pk])
    assert logged_in(getattr(personas, member)).post(url, ERASE_FORM).status_code == 404
    assert Client.objects.filter(pk=personas.client_a.pk).exists()


def test_another_organisations_administrator_gets_404(personas):
    http = logged_in(personas.admin_b)
    for name in ("datarights-client", "datarights-erase"):
        assert http.get(reverse(name, args=[personas.client_a.pk])).status_code == 404, name
    form = {"export_format": "json", "reason": "client_request"}
    assert http.post(reverse("datarights-export-request", args=[personas.client_a.pk]), form).status_code == 404
    assert http.post(reverse("datarights-erase", args=[personas.client_a.pk]), ERASE_FORM).status_code == 404
    assert Client.objects.filter(pk=personas.client_a.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_EXPORTED).exists()


def test_erasing_needs_a_post(personas):
    close_alerts(personas.client_a, personas.therapist_a)
    url = reverse("datarights-erase", args=[personas.client_a.pk])
    assert logged_in(personas.admin_a).get(url, ERASE_FORM).status_code == 200
    assert Client.objects.filter(pk=personas.client_a.pk).exists()
