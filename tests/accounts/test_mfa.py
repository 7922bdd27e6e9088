"""MFA: the password alone opens no member page where MFA is required; codes, recovery codes, set-up."""

from __future__ import annotations

import importlib
import re

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp  # type: ignore[import-untyped]
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from iptriad.accounts.mfa import ERROR_THROTTLED, ERROR_WRONG_CODE, RECOVERY_CODE_COUNT, recovery_code_digest
from iptriad.accounts.models import Membership, Organisation, Role
from iptriad.audit.models import AuditAction, AuditEvent
from tests.accounts.helpers import fresh_code, password_only
from tests.conftest import PASSWORD, logged_in, make_user, totp_device
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.base import matrix_objects

pytestmark = pytest.mark.django_db

SIGN_IN_STEPS = {"mfa-verify", "mfa-enrol", "mfa-qr", "account-reauth"}


def _member_get_urls(personas) -> list[str]:
    """Every page of the permission matrix a member can GET, but the public ones and the sign-in steps.

    The sign-in steps are the MFA pages and the password re-entry page (part of setting MFA up); none shows
    anything of the organisation.
    """
    objects = matrix_objects(personas)
    urls = []
    for name, row in ROWS.items():
        if row.method != "get" or row.public or row.anonymous != 302 or name in SIGN_IN_STEPS:
            continue
        args = [objects.target(row.target, True, personas)] if row.target else []
        urls.append(reverse(name, args=args) + row.query)
    return urls


def _wrong_code(user) -> str:
    """A 6-digit code one away from the right one (wrong unless it matches a neighbouring time step)."""
    return f"{(int(fresh_code(user)) + 1) % 1_000_000:06d}"


def test_a_therapist_with_only_a_password_cannot_open_any_member_page(personas):
    assert personas.org_a.mfa_required  # secure by default
    http = password_only(personas.therapist_a)
    urls = _member_get_urls(personas)
    assert len(urls) > 20
    for url in urls:
        response = http.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa-enrol")), url
    assert personas.client_a.family_name.encode() not in http.get(reverse("client-list"), follow=True).content


def test_a_half_signed_in_session_gets_401_from_the_api_but_health_and_self_report_still_answer(personas):
    http = password_only(personas.therapist_a)
    response = http.get("/api/v1/clients")
    assert response.status_code == 401
    assert "authenticator code" in response.json()["detail"]
    assert http.get(reverse("health")).status_code == 200
    token = matrix_objects(personas).clinical.token_a
    assert http.get(reverse("self-report", args=[token])).status_code == 200


def test_a_user_with_a_device_is_asked_for_the_code_and_then_gets_in(personas):
    totp_device(personas.therapist_a)
    http = password_only(personas.therapist_a)
    response = http.get(reverse("client-list"))
    assert response["Location"] == reverse("mfa-verify") + "?next=%2Fclients%2F"
    key_before = http.session.session_key
    response = http.post(reverse("mfa-verify"), {"code": fresh_code(personas.therapist_a), "next": "/clients/"})
    assert response.status_code == 302
    assert response["Location"] == "/clients/"
    assert http.session.session_key != key_before  # a new session key once the second factor is passed
    assert b"Alphason" in http.get(reverse("client-list")).content
    assert AuditEvent.objects.filter(action=AuditAction.MFA_VERIFIED, actor=personas.therapist_a).exists()


def test_a_wrong_code_is_refused_audited_and_throttled(personas):
    totp_device(personas.therapist_a)
    http = password_only(personas.therapist_a)
    with time_machine.travel(timezone.now(), tick=False):
        response = http.post(reverse("mfa-verify"), {"code": _wrong_code(personas.therapist_a)})
        assert response.status_code == 400
        assert ERROR_WRONG_CODE in response.content.decode()
        # django-otp's throttle: straight after a failure even the right code waits.
        response = http.post(reverse("mfa-verify"), {"code": fresh_code(personas.therapist_a)})
        assert response.status_code == 400
        assert ERROR_THROTTLED in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED, actor=personas.therapist_a).count() == 1
    assert http.get(reverse("client-list")).status_code == 302


def test_the_throttle_lets_the_right_code_through_after_the_wait(personas):
    totp_device(personas.therapist_a)
    http = password_only(personas.therapist_a)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert http.post(reverse("mfa-verify"), {"code": _wrong_code(personas.therapist_a)}).status_code == 400
        traveller.shift(0.5)
        assert http.post(reverse("mfa-verify"), {"code": fresh_code(personas.therapist_a)}).status_code == 400
        traveller.shift(1)  # the first failure makes the next try wait one second
        response = http.post(reverse("mfa-verify"), {"code": fresh_code(personas.therapist_a)})
        assert response.status_code == 302


def _codes_shown(page) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())


def test_a_totp_code_works_once(personas):
    """A code seen over a shoulder is spent once its owner has used it, even within its 30 seconds."""
    totp_device(personas.therapist_a)
    with time_machine.travel(timezone.now(), tick=False):
        code = fresh_code(personas.therapist_a)
        first = password_only(personas.therapist_a)
        assert first.post(reverse("mfa-verify"), {"code": code}).status_code == 302
        again = password_only(personas.therapist_a)
        response = again.post(reverse("mfa-verify"), {"code": code})
        assert response.status_code == 400
        assert ERROR_WRONG_CODE in response.content.decode()
        assert again.get(reverse("client-list")).status_code == 302


def test_a_recovery_code_works_once(personas):
    http = logged_in(personas.therapist_a)
    codes = _codes_shown(http.post(reverse("mfa-recovery-codes")))
    assert len(set(codes)) == RECOVERY_CODE_COUNT
    first = password_only(personas.therapist_a)
    assert first.post(reverse("mfa-verify"), {"code": codes[0].upper()}).status_code == 302
    assert first.get(reverse("client-list")).status_code == 200
    again = password_only(personas.therapist_a)
    with time_machine.travel(timezone.now(), tick=False):
        assert again.post(reverse("mfa-verify"), {"code": codes[0]}).status_code == 400
    event = AuditEvent.objects.get(action=AuditAction.MFA_RECOVERY_USED)
    assert event.detail == {"step": "login", "left": RECOVERY_CODE_COUNT - 1}
    assert codes[0] not in str(event.detail)


def test_enrolment_shows_a_qr_code_and_the_secret_then_ten_recovery_codes(personas):
    http = password_only(personas.therapist_a)
    response = http.get(reverse("home"))
    assert response["Location"].startswith(reverse("mfa-enrol"))
    page = http.get(response["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=personas.therapist_a, confirmed=False)
    assert device.key  # a secret made by django-otp, shown for typing in
    text = page.content.decode()
    assert f'src="{reverse("mfa-qr")}"' in text
    qr = http.get(reverse("mfa-qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<?xml")
    assert b"<path" in qr.content
    assert b"style" not in qr.content
    assert b"script" not in qr.content
    assert http.get(reverse("mfa-enrol")).status_code == 200
    assert TOTPDevice.objects.get(user=personas.therapist_a, confirmed=False).pk == device.pk  # a reload keeps it

    wrong = http.post(reverse("mfa-enrol"), {"code": "12345"})
    assert wrong.status_code == 400
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        traveller.shift(5)  # past the throttle of the wrong try
        code = f"{totp(device.bin_key):06d}"
        done = http.post(reverse("mfa-enrol"), {"code": code, "next": "/clients/"})
    assert done.status_code == 200
    assert len(set(_codes_shown(done))) == 10
    assert StaticToken.objects.filter(device__user=personas.therapist_a).count() == 10
    assert TOTPDevice.objects.get(user=personas.therapist_a).confirmed
    assert AuditEvent.objects.filter(action=AuditAction.MFA_ENROLLED, actor=personas.therapist_a).exists()
    assert http.get(reverse("client-list")).status_code == 200
    assert http.get(reverse("mfa-qr")).status_code == 404  # nothing pending any more


def test_a_facilitator_may_work_without_mfa_but_must_use_it_once_set_up(personas):
    http = password_only(personas.facilitator_a)
    assert http.get(reverse("home")).status_code == 200
    assert http.get(reverse("account")).status_code == 200
    totp_device(personas.facilitator_a)
    again = password_only(personas.facilitator_a)
    assert again.get(reverse("home"))["Location"].startswith(reverse("mfa-verify"))


def test_an_organisation_without_the_requirement_lets_the_password_in(personas):
    Organisation.objects.filter(pk=personas.org_a.pk).update(mfa_required=False)
    assert password_only(personas.therapist_a).get(reverse("client-list")).status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.THERAPIST])
def test_every_role_that_sees_client_records_is_held_to_the_policy(personas, role):
    response = password_only(personas.member_of_a(role)).get(reverse("home"))
    assert response["Location"].startswith(reverse("mfa-enrol"))


def test_the_policy_follows_the_current_organisation(personas):
    Organisation.objects.filter(pk=personas.org_b.pk).update(mfa_required=False)
    user = make_user("both@beta.example", "Bo Both", personas.org_b, Role.THERAPIST)
    Membership.objects.create(user=user, organisation=personas.org_a, role=Role.THERAPIST)
    http = password_only(user)  # lands in Alpha (first by name), which requires MFA
    assert http.get(reverse("home"))["Location"].startswith(reverse("mfa-enrol"))
    http.post(reverse("organisation-switch"), {"organisation": personas.org_b.pk})
    assert http.get(reverse("home")).status_code == 200


def test_the_admin_switches_the_requirement_on_the_settings_page(personas):
    http = logged_in(personas.admin_a)
    form = {
        "name": personas.org_a.name,
        "time_zone": personas.org_a.time_zone,
        "crisis_contacts": personas.org_a.crisis_contacts,
    }
    assert b'name="mfa_required"' in http.get(reverse("organisation-settings")).content
    http.post(reverse("organisation-settings"), form)  # an unticked box is absent from the form
    personas.org_a.refresh_from_db()
    assert not personas.org_a.mfa_required
    event = AuditEvent.objects.get(action=AuditAction.ORGANISATION_UPDATED)
    assert event.detail == {"fields": ["mfa_required"]}
    http.post(reverse("organisation-settings"), {**form, "mfa_required": "on"})
    personas.org_a.refresh_from_db()
    assert personas.org_a.mfa_required


def test_a_therapist_cannot_change_the_requirement(personas):
    response = logged_in(personas.therapist_a).post(reverse("organisation-settings"), {"name": "x"})
    assert response.status_code == 403


def test_regenerating_recovery_codes_replaces_the_old_ones_and_is_audited(personas):
    http = logged_in(personas.therapist_a)
    old = _codes_shown(http.post(reverse("mfa-recovery-codes")))
    page = http.post(reverse("mfa-recovery-codes"))
    new = _codes_shown(page)
    assert len(set(new)) == 10
    assert not set(old) & set(new)
    assert "no longer work" in page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.MFA_RECOVERY_REGENERATED).count() == 2
    with time_machine.travel(timezone.now(), tick=False):
        assert password_only(personas.therapist_a).post(reverse("mfa-verify"), {"code": old[0]}).status_code == 400


def test_recovery_codes_are_stored_as_keyed_hashes_never_as_the_codes(personas):
    codes = _codes_shown(logged_in(personas.therapist_a).post(reverse("mfa-recovery-codes")))
    stored = set(StaticToken.objects.filter(device__user=personas.therapist_a).values_list("token", flat=True))
    assert stored == {recovery_code_digest(personas.therapist_a, code) for code in codes}
    assert not stored & set(codes)
    assert all(re.fullmatch(r"[0-9a-f]{16}", token) for token in stored)
    # The same code of another user hashes differently: the user is part of what is hashed.
    assert recovery_code_digest(personas.therapist_b, codes[0]) not in stored


def test_the_migration_hashes_codes_stored_as_plain_text_and_they_still_work(personas):
    user = personas.therapist_a
    totp_device(user)
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    plain = ["abcdefgh", "234567ab"]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in plain)
    migration = importlib.import_module("iptriad.accounts.migrations.0004_recovery_codes_hashed")
    migration.hash_plain_recovery_codes(django_apps, None)
    migration.hash_plain_recovery_codes(django_apps, None)  # twice changes nothing: hashes are not re-hashed
    stored = set(StaticToken.objects.filter(device=device).values_list("token", flat=True))
    assert stored == {recovery_code_digest(user, code) for code in plain}
    assert password_only(user).post(reverse("mfa-verify"), {"code": "ABCD EFGH"}).status_code == 302


def test_resetting_mfa_sends_the_user_to_set_it_up_again(personas):
    http = logged_in(personas.therapist_a)
    response = http.post(reverse("mfa-reset"))
    assert response["Location"] == reverse("account")
    assert not TOTPDevice.objects.filter(user=personas.therapist_a).exists()
    assert http.get(reverse("client-list"))["Location"].startswith(reverse("mfa-enrol"))
    assert AuditEvent.objects.get(action=AuditAction.MFA_RESET).detail == {"by": "self"}


def test_the_enrolment_page_of_an_enrolled_user_sends_them_to_their_account(personas):
    http = logged_in(personas.therapist_a)
    assert http.get(reverse("mfa-enrol"))["Location"] == reverse("account")


def test_the_verify_step_refuses_an_outside_next_address(personas):
    totp_device(personas.therapist_a)
    http = password_only(personas.therapist_a)
    response = http.post(
        reverse("mfa-verify"), {"code": fresh_code(personas.therapist_a), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_the_anonymous_visitor_is_sent_to_log_in(personas):
    for name in ("mfa-verify", "mfa-enrol", "mfa-qr", "account"):
        assert HttpClient().get(reverse(name))["Location"].startswith(reverse("login"))


def test_login_page_still_works_with_the_correct_password(personas):
    response = HttpClient().post(reverse("login"), {"username": personas.therapist_a.email, "password": PASSWORD})
    assert response.status_code == 302
