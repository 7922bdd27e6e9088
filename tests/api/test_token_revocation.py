"""API tokens end with the access they were made under (issue 16, item 8).

Before: a token survived its user's password change, and came back when a deactivated membership was
reactivated. Now a password change (the person's own, or the operator's `iptriad changepassword`) revokes all
their tokens, deactivating a membership revokes that organisation's, deactivating the account revokes all, and
nothing brings them back. Each revocation is audited with its reason.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from iptriad.accounts.models import Membership, Role
from iptriad.api.models import ApiToken
from iptriad.audit.models import AuditAction, AuditEvent
from tests.api.conftest import Api, api_as
from tests.conftest import PASSWORD, logged_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "correct horse battery staple lantern"


def _works(api: Api) -> int:
    status: int = api.get("/clients").status_code
    return status


def _revocations() -> list[tuple[int | None, int | None, str]]:
    return sorted(
        (event.organisation_id, event.actor_id, event.detail["reason"])
        for event in AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED)
    )


def test_changing_ones_own_password_on_the_page_revokes_every_token(personas):
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.THERAPIST)
    in_a, in_b = api_as(personas.therapist_a, personas.org_a), api_as(personas.therapist_a, personas.org_b)
    other = api_as(personas.supervisor_a, personas.org_a)
    assert (_works(in_a), _works(in_b)) == (200, 200)
    form = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert logged_in(personas.therapist_a).post(reverse("account-password"), form).status_code == 302
    assert (_works(in_a), _works(in_b)) == (401, 401)
    assert _works(other) == 200  # someone else's token is theirs
    assert _revocations() == [
        (personas.org_a.pk, personas.therapist_a.pk, "password_changed"),
        (personas.org_b.pk, personas.therapist_a.pk, "password_changed"),
    ]


def test_the_operators_changepassword_revokes_every_token_and_ends_the_sessions(personas, monkeypatch):
    api = api_as(personas.therapist_a, personas.org_a)
    session = logged_in(personas.therapist_a)
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    out = io.StringIO()
    call_command("setpassword", personas.therapist_a.email, stdout=out)
    assert "1 open session and every API token ended" in out.getvalue()
    assert _works(api) == 401
    assert session.get(reverse("client-list")).status_code == 302
    personas.therapist_a.refresh_from_db()
    assert personas.therapist_a.check_password(NEW_PASSWORD)
    assert _revocations() == [(personas.org_a.pk, None, "password_changed")]
    changed = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert changed.detail == {"sessions_ended": 1, "by": "operator"}


def test_the_iptriad_command_sends_changepassword_to_ours():
    from iptriad.cli import COMMAND_ALIASES

    assert COMMAND_ALIASES["changepassword"] == "setpassword"
    listed = subprocess.run(
        [sys.executable, "-m", "iptriad", "help", "setpassword"], capture_output=True, text=True, check=True
    )
    assert "API token" in listed.stdout


def test_a_guessable_password_from_the_operator_is_refused_and_nothing_ends(personas, monkeypatch):
    api = api_as(personas.therapist_a, personas.org_a)
    monkeypatch.setattr("sys.stdin", io.StringIO("password1234\n"))
    with pytest.raises(CommandError, match=r"too common|too easy"):
        call_command("setpassword", personas.therapist_a.email, stdout=io.StringIO())
    assert _works(api) == 200


def test_deactivating_a_membership_revokes_that_organisations_tokens_and_reactivating_does_not_restore_them(
    personas,
):
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.THERAPIST)
    in_a, in_b = api_as(personas.therapist_a, personas.org_a), api_as(personas.therapist_a, personas.org_b)
    admin = logged_in(personas.admin_a)
    membership = Membership.objects.get(user=personas.therapist_a, organisation=personas.org_a)
    assert admin.post(reverse("member-deactivate", args=[membership.pk])).status_code == 302
    assert _works(in_a) == 401
    assert _works(in_b) == 200  # another organisation's token is not this organisation's to end
    assert admin.post(reverse("member-reactivate", args=[membership.pk])).status_code == 302
    membership.refresh_from_db()
    assert membership.is_active
    assert _works(in_a) == 401  # before: the token worked again
    assert _revocations() == [(personas.org_a.pk, personas.admin_a.pk, "membership_deactivated")]


def test_deactivating_the_account_revokes_every_token(personas):
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.THERAPIST)
    in_a, in_b = api_as(personas.therapist_a, personas.org_a), api_as(personas.therapist_a, personas.org_b)
    call_command("deactivateuser", personas.therapist_a.email, stdout=io.StringIO())
    # The operator reactivates the account and the memberships: the tokens stay revoked.
    type(personas.therapist_a).objects.filter(pk=personas.therapist_a.pk).update(is_active=True)
    assert (_works(in_a), _works(in_b)) == (401, 401)
    assert _revocations() == [
        (personas.org_a.pk, None, "user_deactivated"),
        (personas.org_b.pk, None, "user_deactivated"),
    ]
    assert ApiToken.objects.filter(user=personas.therapist_a, revoked_at__isnull=True).count() == 0
