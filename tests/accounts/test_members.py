"""The members page: administrators deactivate, reactivate and remove a lost authenticator app, audited.

Who may reach these URLs at all (role x own / other organisation) is in the permission matrix
(tests/security/matrix_rows/members.py); these tests are about what each change does and refuses.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from iptriad.accounts.models import Membership, Role, User
from iptriad.accounts.session_times import AUTHENTICATED_AT_KEY, now_seconds
from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import Personas, logged_in, make_client, make_user, totp_device

pytestmark = pytest.mark.django_db


def _membership(user: User, personas: Personas) -> Membership:
    return Membership.objects.get(user=user, organisation=personas.org_a)


def _post(http, name: str, membership: Membership):
    return http.post(reverse(name, args=[membership.pk]), follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_the_page_lists_every_member_with_their_authenticator_and_offers_the_changes(personas):
    totp_device(personas.therapist_a)
    Membership.objects.filter(user=personas.facilitator_a, organisation=personas.org_a).update(is_active=False)
    response = logged_in(personas.admin_a).get(reverse("organisation-members"))
    assert response.status_code == 200
    page = response.content.decode()
    for user in (personas.admin_a, personas.supervisor_a, personas.therapist_a, personas.facilitator_a):
        assert user.email in page
    assert personas.therapist_b.email not in page  # another organisation's member
    therapist = _membership(personas.therapist_a, personas)
    facilitator = _membership(personas.facilitator_a, personas)
    admin = _membership(personas.admin_a, personas)
    assert reverse("member-deactivate", args=[therapist.pk]) in page
    assert reverse("member-mfa-reset", args=[therapist.pk]) in page  # set up, and works only here
    assert reverse("member-reactivate", args=[facilitator.pk]) in page
    assert reverse("member-deactivate", args=[admin.pk]) not in page  # never yourself
    assert "Adele Alpha (you)" in page


def test_the_page_takes_the_same_queries_for_few_and_many_members(personas):
    http = logged_in(personas.admin_a)
    http.get(reverse("organisation-members"))
    with CaptureQueriesContext(connection) as few:
        http.get(reverse("organisation-members"))
    for n in range(25):
        user = make_user(f"member{n}@alpha.example", f"Member {n}", personas.org_a, Role.THERAPIST)
        totp_device(user)
    with CaptureQueriesContext(connection) as many:
        response = http.get(reverse("organisation-members"))
    assert "member24@alpha.example" in response.content.decode()
    assert len(many) == len(few) <= 8


def test_deactivating_a_member_ends_their_sessions_and_says_which_clients_still_need_a_therapist(personas):
    therapist = logged_in(personas.therapist_a)
    assert therapist.get(reverse("client-list")).status_code == 200
    membership = _membership(personas.therapist_a, personas)
    response = _post(logged_in(personas.admin_a), "member-deactivate", membership)
    membership.refresh_from_db()
    assert membership.is_active is False
    assert _messages(response) == [
        "Tara Alpha can no longer work in Alpha Clinic. 1 open session ended. 1 active client is still assigned "
        "to them: assign another therapist from each client's record."
    ]
    assert therapist.get(reverse("client-list")).status_code == 302  # logged out
    (event,) = _events(AuditAction.MEMBERSHIP_DEACTIVATED)
    assert (event.actor_id, event.object_id, event.detail) == (
        personas.admin_a.pk,
        str(membership.pk),
        {"role": "therapist", "sessions_ended": 1},
    )
    personas.therapist_a.refresh_from_db()
    assert personas.therapist_a.is_active  # the account stays: only this organisation's membership ends


def test_a_member_active_elsewhere_keeps_their_session_but_loses_this_organisation_at_once(personas):
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.THERAPIST)
    therapist = logged_in(personas.therapist_a, personas.org_a)
    _post(logged_in(personas.admin_a), "member-deactivate", _membership(personas.therapist_a, personas))
    response = therapist.get(reverse("client-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Beta Service" in page  # now working in organisation B, the only one left to them
    assert personas.client_a.identifier not in page
    assert therapist.get(reverse("client-detail", args=[personas.client_a.pk])).status_code == 404
    assert _events(AuditAction.MEMBERSHIP_DEACTIVATED)[0].detail["sessions_ended"] == 0


def test_an_administrator_cannot_deactivate_themself(personas):
    own = _membership(personas.admin_a, personas)
    response = _post(logged_in(personas.admin_a), "member-deactivate", own)
    assert _messages(response) == ["You cannot deactivate your own membership: ask another administrator."]
    own.refresh_from_db()
    assert own.is_active
    assert _events(AuditAction.MEMBERSHIP_DEACTIVATED) == []


def test_reactivating_gives_the_membership_back_unless_the_operator_deactivated_the_account(personas):
    admin = logged_in(personas.admin_a)
    membership = _membership(personas.therapist_a2, personas)
    _post(admin, "member-deactivate", membership)
    response = _post(admin, "member-reactivate", membership)
    membership.refresh_from_db()
    assert membership.is_active
    assert _messages(response) == ["Tove Alpha can work in Alpha Clinic again."]
    assert len(_events(AuditAction.MEMBERSHIP_REACTIVATED)) == 1

    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    User.objects.filter(pk=personas.therapist_a2.pk).update(is_active=False)
    response = _post(admin, "member-reactivate", membership)
    membership.refresh_from_db()
    assert membership.is_active is False
    assert "deactivated by the operator" in _messages(response)[0]
    assert len(_events(AuditAction.MEMBERSHIP_REACTIVATED)) == 1


def test_removing_a_lost_authenticator_removes_the_app_and_codes_and_ends_the_sessions(personas):
    therapist = logged_in(personas.therapist_a)  # a verified session, as a stolen phone might have opened
    StaticDevice.objects.create(user=personas.therapist_a, name="Recovery codes")
    response = _post(logged_in(personas.admin_a), "member-mfa-reset", _membership(personas.therapist_a, personas))
    assert "authenticator app and recovery codes are removed" in _messages(response)[0]
    assert not TOTPDevice.objects.filter(user=personas.therapist_a).exists()
    assert not StaticDevice.objects.filter(user=personas.therapist_a).exists()
    assert therapist.get(reverse("client-list")).status_code == 302
    (event,) = _events(AuditAction.MEMBER_MFA_RESET)
    assert (event.actor_id, event.detail) == (personas.admin_a.pk, {"sessions_ended": 1})


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "Remove your own authenticator app from your account page."),
        ("elsewhere", "also works in another organisation"),
        ("inactive", "This membership is deactivated: reactivate it first."),
        ("not-set-up", "has not set up an authenticator app"),
    ],
)
def test_removing_an_authenticator_is_refused_where_it_is_not_this_organisations_to_remove(personas, case, message):
    target = personas.admin_a if case == "self" else personas.therapist_a
    totp_device(target)
    if case == "elsewhere":
        Membership.objects.create(user=target, organisation=personas.org_b, role=Role.THERAPIST)
    if case == "inactive":
        Membership.objects.filter(user=target, organisation=personas.org_a).update(is_active=False)
    if case == "not-set-up":
        TOTPDevice.objects.filter(user=target).delete()
    response = _post(logged_in(personas.admin_a), "member-mfa-reset", _membership(target, personas))
    assert message in _messages(response)[0]
    assert TOTPDevice.objects.filter(user=target).exists() == (case != "not-set-up")
    assert _events(AuditAction.MEMBER_MFA_RESET) == []


@pytest.mark.parametrize("name", ["member-deactivate", "member-reactivate", "member-mfa-reset", "member-sessions-end"])
def test_a_change_asks_for_the_password_again_when_it_was_typed_long_ago(personas, name):
    totp_device(personas.therapist_a)
    admin = logged_in(personas.admin_a)
    session = admin.session
    session[AUTHENTICATED_AT_KEY] = now_seconds() - 3600
    session.save()
    membership = _membership(personas.therapist_a, personas)
    response = admin.post(reverse(name, args=[membership.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account-reauth"))
    assert "next=%2Forganisation%2Fmembers%2F" in response["Location"]
    membership.refresh_from_db()
    assert membership.is_active
    assert TOTPDevice.objects.filter(user=personas.therapist_a).exists()


def test_the_admin_home_links_to_the_members_page(personas):
    make_client(personas.org_a, "A-2", personas.therapist_a)
    page = logged_in(personas.admin_a).get(reverse("home")).content.decode()
    assert reverse("organisation-members") in page


def test_logging_a_member_out_everywhere_ends_their_sessions_and_keeps_the_membership(personas):
    therapist = logged_in(personas.therapist_a)
    membership = _membership(personas.therapist_a, personas)
    response = _post(logged_in(personas.admin_a), "member-sessions-end", membership)
    assert _messages(response) == ["Tara Alpha is logged out everywhere: 1 open session ended."]
    assert therapist.get(reverse("client-list")).status_code == 302
    membership.refresh_from_db()
    assert membership.is_active
    (event,) = _events(AuditAction.MEMBER_SESSIONS_ENDED)
    assert event.detail == {"sessions_ended": 1}


@pytest.mark.parametrize("case", ["self", "elsewhere"])
def test_logging_out_everywhere_is_refused_for_yourself_and_for_someone_of_another_organisation(personas, case):
    target = personas.admin_a if case == "self" else personas.therapist_a
    if case == "elsewhere":
        Membership.objects.create(user=target, organisation=personas.org_b, role=Role.THERAPIST)
    session = logged_in(target)
    response = _post(logged_in(personas.admin_a), "member-sessions-end", _membership(target, personas))
    assert ("change your password" if case == "self" else "another organisation") in _messages(response)[0]
    assert session.get(reverse("account")).status_code == 200
    assert _events(AuditAction.MEMBER_SESSIONS_ENDED) == []
