import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.accounts.middleware import SESSION_ORGANISATION_KEY
from iptriad.accounts.models import Membership, Role
from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD, logged_in

pytestmark = pytest.mark.django_db


def test_it_logs_a_member_in_and_audits_it(personas):
    http = HttpClient()
    response = http.post(
        reverse("login"), {"username": "therapist.a@alpha.example", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (event.actor, event.organisation, event.ip_address) == (personas.therapist_a, personas.org_a, "192.0.2.7")


def test_it_refuses_a_wrong_password_with_a_clear_message_and_audits_the_attempt(personas):
    response = HttpClient().post(reverse("login"), {"username": "therapist.a@alpha.example", "password": "wrong"})
    assert response.status_code == 200
    assert "That e-mail and password do not match an account." in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor == personas.therapist_a
    assert "wrong" not in str(event.detail)


def test_it_refuses_a_deactivated_user(personas):
    personas.therapist_a.is_active = False
    personas.therapist_a.save()
    response = HttpClient().post(reverse("login"), {"username": "therapist.a@alpha.example", "password": PASSWORD})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_it_logs_out_on_post_only(personas):
    http = logged_in(personas.therapist_a)
    assert http.get(reverse("logout")).status_code == 405
    assert http.post(reverse("logout")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=personas.therapist_a).exists()
    assert http.get(reverse("client-list")).status_code == 302


def test_it_switches_to_another_organisation_the_user_belongs_to(personas):
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.SUPERVISOR)
    http = logged_in(personas.therapist_a)
    assert b"Betason" not in http.get(reverse("client-list")).content
    http.post(reverse("organisation-switch"), {"organisation": personas.org_b.pk})
    assert http.session[SESSION_ORGANISATION_KEY] == personas.org_b.pk
    page = http.get(reverse("client-list"))
    assert b"Betason" in page.content
    assert b"Alphason" not in page.content
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_SWITCHED, organisation=personas.org_b).exists()


def test_it_refuses_to_switch_to_an_organisation_the_user_does_not_belong_to(personas):
    http = logged_in(personas.therapist_a)
    http.post(reverse("organisation-switch"), {"organisation": personas.org_b.pk})
    assert SESSION_ORGANISATION_KEY not in http.session
    assert b"Betason" not in http.get(reverse("client-list")).content


@pytest.mark.parametrize("organisation", ["abc", "0", "-1", str(2**63), str(2**64 + 1), "9" * 40])
def test_it_refuses_a_malformed_switch(personas, organisation):
    response = logged_in(personas.therapist_a).post(reverse("organisation-switch"), {"organisation": organisation})
    assert response.status_code == 400  # an id past 64 bits used to reach the database and answer 500


def test_it_falls_back_when_the_chosen_membership_is_deactivated(personas):
    membership = Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.ADMIN)
    http = logged_in(personas.therapist_a, personas.org_b)
    membership.is_active = False
    membership.save()
    page = http.get(reverse("client-list"))
    assert b"Alphason" in page.content
    assert b"Betason" not in page.content


def test_it_tells_a_user_without_any_organisation_what_to_do(personas):
    Membership.objects.filter(user=personas.therapist_a).update(is_active=False)
    page = logged_in(personas.therapist_a).get(reverse("home"))
    assert page.status_code == 403
    assert b"not a member of any organisation" in page.content


def test_a_failed_login_shows_in_the_audit_trail_of_each_organisation_of_the_account(personas):
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.THERAPIST)
    HttpClient().post(reverse("login"), {"username": "therapist.a@alpha.example", "password": "wrong"})
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor=personas.therapist_a)
    assert sorted(failed.values_list("organisation__slug", flat=True)) == ["alpha", "beta"]


def test_a_failed_login_for_an_unknown_address_is_recorded_without_the_address(personas):
    HttpClient().post(reverse("login"), {"username": "nobody@nowhere.example", "password": "x"})
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (event.actor, event.organisation) == (None, None)
    assert "nobody" not in str(event.detail)


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "203.0.113.9", "10.0.0.2"),  # not behind a proxy: the header is the client's word, ignored
        (True, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # only the proxy's own (last) entry is trusted
        (True, "", "10.0.0.2"),
        (True, "198.51.100.1, <script>", "10.0.0.2"),  # not an address: never stored
    ],
)
def test_it_audits_the_real_client_address_only_behind_a_trusted_proxy(
    personas, settings, behind_proxy, forwarded, expected
):
    settings.BEHIND_PROXY = behind_proxy
    http = logged_in(personas.therapist_a)
    http.get(
        reverse("client-detail", args=[personas.client_a.pk]), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
    )
    assert AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED).ip_address == expected
