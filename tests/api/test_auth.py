"""Who may call the API: personal tokens (and their expiry, revocation, organisation and membership) and the
logged-in session with CSRF; every request acts as the same Actor the pages build."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from iptriad.accounts.models import Membership, Role
from iptriad.api.auth import ERROR_CREDENTIALS, ERROR_CSRF
from iptriad.api.models import ApiToken
from iptriad.api.services import api_token_revoke
from iptriad.audit.models import AuditAction, AuditEvent
from tests.api.conftest import Api, api_as, fields, session_api, token_for
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_it_answers_401_without_credentials(personas):
    response = Api(HttpClient()).get("/clients")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="iptriad"'
    assert fields(response)[None] == ["Send a valid API token (Authorization: Bearer ...) or log in."]


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Bearer not-a-token", "Token abc", "Basic dXNlcjpwYXNz", "bearer" + " x" * 300]
)
def test_it_answers_401_to_a_malformed_or_unknown_token(personas, header):
    response = HttpClient().get("/api/v1/clients", headers={"Authorization": header})
    assert response.status_code == 401
    assert fields(response)[None] == [ERROR_CREDENTIALS]


def test_a_valid_token_acts_in_its_organisation_with_the_members_role(personas):
    response = api_as(personas.therapist_a, personas.org_a).get("/clients")
    assert response.status_code == 200
    assert [client["identifier"] for client in response.json()["items"]] == ["A-0001"]


def test_an_expired_token_answers_401(personas):
    token = token_for(personas.therapist_a, personas.org_a, days=1)
    api = Api(HttpClient(), token)
    assert api.get("/clients").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        response = api.get("/clients")
    assert response.status_code == 401


def test_a_revoked_token_answers_401(personas):
    token = token_for(personas.therapist_a, personas.org_a)
    api_token_revoke(actor=personas.actor(personas.admin_a), api_token=ApiToken.objects.get())
    assert Api(HttpClient(), token).get("/clients").status_code == 401


def test_a_token_never_reaches_another_organisations_records(personas):
    api = api_as(personas.therapist_b, personas.org_b)
    assert api.get(f"/clients/{personas.client_a.pk}").status_code == 404
    assert [client["identifier"] for client in api.get("/clients").json()["items"]] == ["B-0001"]


def test_a_token_for_an_organisation_the_user_later_joins_stays_in_its_own(personas):
    # therapist_b joins organisation A; their token for B still acts only in B.
    Membership.objects.create(user=personas.therapist_b, organisation=personas.org_a, role=Role.SUPERVISOR)
    api = api_as(personas.therapist_b, personas.org_b)
    assert api.get(f"/clients/{personas.client_a.pk}").status_code == 404


def test_a_deactivated_membership_answers_401_at_once(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    assert api.get("/clients").status_code == 200
    Membership.objects.filter(user=personas.therapist_a).update(is_active=False)
    assert api.get("/clients").status_code == 401


def test_a_deactivated_user_answers_401(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    personas.therapist_a.is_active = False
    personas.therapist_a.save()
    assert api.get("/clients").status_code == 401


def test_a_changed_role_applies_to_the_next_request(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    assert api.get("/alerts").status_code == 200
    Membership.objects.filter(user=personas.therapist_a).update(role=Role.FACILITATOR)
    assert api.get("/alerts").status_code == 403


def test_a_token_request_is_audited_with_the_member_and_the_address(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    api.http.get(f"/api/v1/clients/{personas.client_a.pk}", headers=api.headers, REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED)
    assert (event.actor, event.organisation, event.ip_address, event.object_id) == (
        personas.therapist_a,
        personas.org_a,
        "203.0.113.9",
        str(personas.client_a.pk),
    )


def test_it_records_when_a_token_was_last_used(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    assert ApiToken.objects.get().last_used_at is None
    api.get("/instruments")
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_needs_no_csrf_token(personas):
    http = HttpClient(enforce_csrf_checks=True)
    response = Api(http, token_for(personas.therapist_a, personas.org_a)).post(
        f"/clients/{personas.client_a.pk}/alerts", {"concern": "Said they feel hopeless."}
    )
    assert response.status_code == 201


def test_a_bad_token_is_not_rescued_by_a_session(personas):
    http = logged_in(personas.therapist_a)
    assert http.get("/api/v1/clients").status_code == 200
    assert http.get("/api/v1/clients", headers={"Authorization": "Bearer wrong"}).status_code == 401


class TestSession:
    def test_it_reads_with_the_session(self, personas):
        response = session_api(personas.supervisor_a).get(f"/clients/{personas.client_a.pk}")
        assert response.status_code == 200
        assert response.json()["identifier"] == "A-0001"

    def test_it_acts_in_the_sessions_organisation(self, personas):
        Membership.objects.create(user=personas.therapist_b, organisation=personas.org_a, role=Role.SUPERVISOR)
        in_b = session_api(personas.therapist_b, personas.org_b).get("/clients").json()["items"]
        in_a = session_api(personas.therapist_b, personas.org_a).get("/clients").json()["items"]
        assert [client["identifier"] for client in in_b] == ["B-0001"]
        assert [client["identifier"] for client in in_a] == ["A-0001"]

    def test_it_refuses_an_unsafe_request_without_the_csrf_token(self, personas):
        http = logged_in(personas.therapist_a, enforce_csrf_checks=True)
        response = Api(http).post(f"/clients/{personas.client_a.pk}/alerts", {"concern": "Hopeless."})
        assert response.status_code == 403
        assert fields(response)[None] == [ERROR_CSRF]
        assert not AuditEvent.objects.filter(action=AuditAction.ALERT_OPENED).exists()

    def test_it_accepts_an_unsafe_request_with_the_csrf_token(self, personas):
        http = logged_in(personas.therapist_a, enforce_csrf_checks=True)
        http.get("/clients/")  # a page sets the csrftoken cookie, as the browser gets it
        csrf = http.cookies["csrftoken"].value
        response = Api(http).post(
            f"/clients/{personas.client_a.pk}/alerts", {"concern": "Hopeless."}, **{"X-CSRFToken": csrf}
        )
        assert response.status_code == 201

    def test_a_member_without_an_active_membership_gets_403(self, personas):
        Membership.objects.filter(user=personas.therapist_a).update(is_active=False)
        response = session_api(personas.therapist_a).get("/clients")
        assert response.status_code == 403
