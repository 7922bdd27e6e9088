"""Every refused request leaves an ACCESS_DENIED event: 401, 403, and 404 to someone signed in."""

import logging
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.accounts import audit_middleware
from iptriad.accounts.models import Role
from iptriad.audit.chain import verify_chains
from iptriad.audit.models import AuditAction, AuditEvent
from tests.api.conftest import api_as
from tests.conftest import logged_in
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.api import ApiRow
from tests.security.matrix_rows.base import Row, matrix_objects

pytestmark = pytest.mark.django_db


def _denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("pk"))


def _send(http: HttpClient, row: Row, url: str) -> Any:
    """The request the permission matrix makes for this row."""
    if isinstance(row, ApiRow) and row.method != "get":
        return getattr(http, row.method)(url, row.json, content_type="application/json")
    return http.get(url) if row.method == "get" else http.post(url, row.form)


def test_a_probe_of_another_organisations_record_is_audited(personas):
    url = reverse("client-detail", args=[personas.client_b.pk])
    response = logged_in(personas.therapist_a).get(url, {"q": "Betason"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    [event] = _denied()
    assert event.organisation == personas.org_a
    assert event.actor == personas.therapist_a
    assert event.ip_address == "203.0.113.9"
    assert event.detail == {
        "method": "GET",
        "status": 404,
        "path": url,
        "route": "client-detail",
        "query_names": ["q"],
    }
    assert "Betason" not in str(event.detail)  # a query string's values are never kept


def test_every_object_url_of_another_organisation_is_audited(personas):
    objects = matrix_objects(personas)
    http = logged_in(personas.member_of_a(Role.THERAPIST))
    targeted = {name: row for name, row in ROWS.items() if row.target and not row.public}
    for name, row in targeted.items():
        url = reverse(name, args=[objects.target(row.target, False, personas)])
        assert _send(http, row, url).status_code == 404, name
    events = _denied()
    assert len(events) == len(targeted)
    assert {(event.organisation_id, event.actor_id, event.detail["status"]) for event in events} == {
        (personas.org_a.pk, personas.therapist_a.pk, 404)
    }
    assert verify_chains().ok


def test_every_refusal_in_the_permission_matrix_is_audited(personas):
    objects = matrix_objects(personas)
    expected = []
    for role in Role:
        http = logged_in(personas.member_of_a(role))
        for name, row in ROWS.items():
            if row.public or row.expected[role] != 403:
                continue
            url = reverse(name, args=[objects.target(row.target, True, personas)]) if row.target else reverse(name)
            assert _send(http, row, url + row.query).status_code == 403, (name, role)
            expected.append((personas.member_of_a(role).pk, name))
    assert len(expected) > 20  # the matrix refuses many role and page pairs
    events = _denied()
    assert sorted((event.actor_id, event.detail["status"]) for event in events) == sorted(
        (actor, 403) for actor, _ in expected
    )
    assert {event.organisation_id for event in events} == {personas.org_a.pk}


def test_a_role_refused_an_action_is_audited(personas):
    response = logged_in(personas.therapist_a).post(reverse("organisation-settings"), {"name": "Mine now"})
    assert response.status_code == 403
    [event] = _denied()
    assert (event.actor, event.organisation) == (personas.therapist_a, personas.org_a)
    assert event.detail["method"] == "POST"
    assert event.detail["status"] == 403


def test_a_failed_csrf_check_is_audited(personas):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(personas.therapist_a)
    response = http.post(reverse("client-archive", args=[personas.client_a.pk]))
    assert response.status_code == 403
    [event] = _denied()
    assert event.actor == personas.therapist_a
    assert event.detail["status"] == 403


def test_an_api_token_probing_another_organisation_is_audited_in_its_own(personas):
    api = api_as(personas.therapist_b, personas.org_b)
    assert api.get(f"/clients/{personas.client_a.pk}").status_code == 404
    [event] = _denied()
    assert (event.actor, event.organisation) == (personas.therapist_b, personas.org_b)
    assert event.detail["path"] == f"/api/v1/clients/{personas.client_a.pk}"


def test_an_api_call_without_credentials_is_audited_without_an_organisation(personas):
    assert HttpClient().get("/api/v1/clients").status_code == 401
    [event] = _denied()
    assert (event.actor, event.organisation) == (None, None)
    assert event.detail["status"] == 401


def test_an_anonymous_not_found_is_not_audited(personas):
    assert HttpClient().get("/no-such-page/").status_code == 404
    assert _denied() == []


def test_a_self_report_token_is_never_stored(personas):
    token = "a-secret-self-report-token-0123456789"
    assert logged_in(personas.therapist_a).get(f"/r/{token}/").status_code == 404
    [event] = _denied()
    assert event.detail["path"] == "/r/[token]/"
    assert token not in str(AuditEvent.objects.values_list("detail", flat=True)[::1])


def test_a_failed_audit_write_still_answers_and_logs_no_request_data(personas, monkeypatch, caplog):
    def broken(**kwargs: object) -> None:
        raise RuntimeError(f"database gone while writing {kwargs}")

    monkeypatch.setattr(audit_middleware, "audit_record_denied", broken)
    url = reverse("client-detail", args=[personas.client_b.pk])
    with caplog.at_level(logging.ERROR, logger="iptriad.accounts.audit_middleware"):
        response = logged_in(personas.therapist_a).get(url)
    assert response.status_code == 404
    assert "Could not record a denied request in the audit trail (RuntimeError)" in caplog.text
    assert url not in caplog.text
    assert _denied() == []
