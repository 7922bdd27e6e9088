"""Passwords (guessability, the change page), the e-mail change page, and re-authentication before either."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.forms import LoginForm, PasswordChangeForm, PasswordResetForm, ReauthenticateForm
from iptriad.accounts.models import User
from iptriad.accounts.passwords import ERROR_GUESSABLE
from iptriad.audit.models import AuditAction, AuditEvent
from tests.accounts.helpers import fresh_code
from tests.conftest import PASSWORD, logged_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-kettle-orbit-lantern"


@pytest.mark.parametrize("password", ["Password12345", "qwertyuiop123", "iloveyou2024!", "therapistalpha1"])
def test_guessable_passwords_are_refused_with_a_clear_message(personas, password):
    with pytest.raises(ValidationError) as raised:
        validate_password(password, personas.therapist_a)
    assert raised.value.messages  # at least one validator names the problem
    assert any("guess" in message or "common" in message for message in raised.value.messages)


def test_the_zxcvbn_check_alone_catches_a_long_leaked_style_password(personas):
    with pytest.raises(ValidationError, match="too easy to guess"):
        validate_password("passwordpassword", personas.therapist_a)
    assert ERROR_GUESSABLE.startswith("This password is too easy to guess")


def test_a_passphrase_is_accepted(personas):
    validate_password(NEW_PASSWORD, personas.therapist_a)


@pytest.mark.parametrize(
    "form",
    [
        LoginForm(),
        PasswordChangeForm(user=User()),
        ReauthenticateForm(request=HttpRequest(), user=User(), with_code=False),
        PasswordResetForm(user=User()),
    ],
    ids=["login", "password-change", "reauthentication", "password-reset"],
)
def test_every_password_field_is_masked_taken_as_typed_unbounded_and_open_to_password_managers(form):
    fields = {name: field for name, field in form.fields.items() if "password" in name}
    assert fields
    for name, field in fields.items():
        assert isinstance(field.widget, forms.PasswordInput), name
        assert field.strip is False, name  # no trimming: checked exactly as typed
        assert field.max_length is None, name  # 64 characters and more
        assert field.widget.attrs.get("autocomplete") in ("current-password", "new-password"), name


def test_the_login_page_masks_the_password_and_leaves_paste_alone():
    page = HttpClient().get(reverse("login")).content.decode()
    assert 'type="password"' in page
    assert 'autocomplete="current-password"' in page
    assert "paste" not in page.lower()


def _change_password(http: HttpClient, old: str = PASSWORD, new: str = NEW_PASSWORD):
    form = {"old_password": old, "new_password1": new, "new_password2": new}
    return http.post(reverse("account-password"), form)


def test_changing_the_password_needs_the_current_one(personas):
    response = _change_password(logged_in(personas.therapist_a), old="not-my-password")
    assert response.status_code == 400
    assert "Your current password is not right." in response.content.decode()
    assert User.objects.get(pk=personas.therapist_a.pk).check_password(PASSWORD)


def test_a_guessable_new_password_is_refused_on_the_page(personas):
    response = _change_password(logged_in(personas.therapist_a), new="passwordpassword")
    assert response.status_code == 400
    assert "too easy to guess" in response.content.decode()


def test_a_password_change_keeps_this_session_and_ends_every_other(personas):
    here = logged_in(personas.therapist_a)
    elsewhere = logged_in(personas.therapist_a)
    response = _change_password(here)
    assert response["Location"] == reverse("account")
    assert here.get(reverse("client-list")).status_code == 200
    assert elsewhere.get(reverse("client-list"))["Location"].startswith(reverse("login"))
    assert User.objects.get(pk=personas.therapist_a.pk).check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.actor, event.organisation, event.detail) == (personas.therapist_a, personas.org_a, {})


def test_a_long_password_is_accepted_and_checked_exactly_as_typed(personas):
    long_password = "Seven amber kettles orbit a quiet lantern at dusk, humming softly 1-2-3!"
    assert len(long_password) >= 64
    assert _change_password(logged_in(personas.therapist_a), new=long_password)["Location"] == reverse("account")
    user = User.objects.get(pk=personas.therapist_a.pk)
    assert user.check_password(long_password)
    for altered in (long_password[:64], long_password.upper(), long_password + " "):
        assert not user.check_password(altered)
    login = {"username": user.email, "password": long_password}
    assert HttpClient().post(reverse("login"), {**login, "password": long_password + " "}).status_code == 200
    assert HttpClient().post(reverse("login"), login).status_code == 302


def _link(body: str) -> str:
    [link] = re.findall(r"http://testserver/account/email/confirm/\?token=\S+", body)
    return str(link).removeprefix("http://testserver")


def test_the_email_change_waits_for_the_link_then_is_audited_without_the_addresses(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    http = logged_in(personas.therapist_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("account-email"), {"email": "Tara.New@Alpha.example"})
    assert response["Location"] == reverse("account")
    # Not yet: the old address stays until the link is followed.
    assert User.objects.get(pk=personas.therapist_a.pk).email == "therapist.a@alpha.example"
    [mail] = mailoutbox
    assert mail.to == ["tara.new@alpha.example"]
    link = _link(mail.body)
    page = http.get(link)
    assert page.status_code == 200
    assert "tara.new@alpha.example" in page.content.decode()
    assert User.objects.get(pk=personas.therapist_a.pk).email == "therapist.a@alpha.example"  # GET changes nothing
    token = link.split("token=")[1]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = http.post(reverse("account-email-confirm"), {"token": token})
    assert confirmed["Location"] == reverse("account")
    assert User.objects.get(pk=personas.therapist_a.pk).email == "tara.new@alpha.example"
    assert mailoutbox[-1].to == ["therapist.a@alpha.example"]  # the old address is told
    for action in (AuditAction.EMAIL_CHANGE_REQUESTED, AuditAction.EMAIL_CHANGED):
        event = AuditEvent.objects.get(action=action)
        assert "alpha.example" not in str(event.detail)
    login = HttpClient().post(reverse("login"), {"username": "tara.new@alpha.example", "password": PASSWORD})
    assert login.status_code == 302
    # Single use: the same link again changes nothing.
    assert http.post(reverse("account-email-confirm"), {"token": token}).status_code == 404


def test_the_page_answers_the_same_whether_or_not_the_address_has_an_account(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    answers = []
    for email in ("therapist.a2@alpha.example", "nobody.yet@alpha.example"):
        http = logged_in(personas.therapist_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = http.post(reverse("account-email"), {"email": email})
        follow = http.get(response["Location"])
        page = re.sub(r"[A-Za-z0-9]{64}", "CSRF", follow.content.decode())  # each session's own CSRF token
        answers.append((response.status_code, response["Location"], page.replace(email, "ADDRESS")))
    assert answers[0] == answers[1]  # before: "Another account already uses this e-mail address." (400)
    taken, free = mailoutbox
    assert taken.to == ["therapist.a2@alpha.example"]
    assert "already belongs to an account" in taken.body
    assert "token=" not in taken.body
    assert "token=" in free.body
    assert User.objects.get(pk=personas.therapist_a.pk).email == "therapist.a@alpha.example"


@pytest.mark.parametrize(
    ("email", "message"),
    [("therapist.a@alpha.example", "This is already your e-mail address"), ("not-an-address", "Enter a valid email")],
)
def test_a_malformed_or_unchanged_email_is_refused(personas, email, message):
    response = logged_in(personas.therapist_a).post(reverse("account-email"), {"email": email})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_link_expires_works_for_its_asker_only_and_a_newer_one_replaces_it(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    http = logged_in(personas.therapist_a)
    tokens = []
    for email in ("first@alpha.example", "second@alpha.example"):
        with django_capture_on_commit_callbacks(execute=True):
            http.post(reverse("account-email"), {"email": email})
        tokens.append(_link(mailoutbox[-1].body).split("token=")[1])
    first, second = tokens
    assert http.get(reverse("account-email-confirm"), {"token": first}).status_code == 404  # replaced
    someone_else = logged_in(personas.therapist_a2)
    assert someone_else.post(reverse("account-email-confirm"), {"token": second}).status_code == 404
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        # Signed in afresh (the first session has been idle too long), the link has expired all the same.
        later = logged_in(personas.therapist_a)
        assert later.post(reverse("account-email-confirm"), {"token": second}).status_code == 404
    assert User.objects.get(pk=personas.therapist_a.pk).email == "therapist.a@alpha.example"
    assert http.post(reverse("account-email-confirm"), {"token": second}).status_code == 302


def test_an_address_taken_after_the_link_was_sent_is_refused(personas, mailoutbox, django_capture_on_commit_callbacks):
    http = logged_in(personas.therapist_a)
    with django_capture_on_commit_callbacks(execute=True):
        http.post(reverse("account-email"), {"email": "wanted@alpha.example"})
    token = _link(mailoutbox[-1].body).split("token=")[1]
    User.objects.filter(pk=personas.therapist_a2.pk).update(email="wanted@alpha.example")
    response = http.post(reverse("account-email-confirm"), {"token": token})
    assert response.status_code == 409
    assert "cannot be used" in response.content.decode()
    assert User.objects.get(pk=personas.therapist_a.pk).email == "therapist.a@alpha.example"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("account-password", "get"),
        ("account-email", "get"),
        ("mfa-recovery-codes", "post"),
        ("mfa-reset", "post"),
    ],
)
def test_changes_need_a_recent_password_and_code(personas, name, method):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        http = logged_in(personas.therapist_a)
        traveller.shift(dt.timedelta(minutes=6))
        response = getattr(http, method)(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account-reauth"))
        page = http.get(response["Location"])
        assert b'name="code"' in page.content  # enrolled: the password is not enough
        wrong = http.post(response["Location"], {"password": PASSWORD, "code": "000001"})
        assert wrong.status_code == 400
        traveller.shift(dt.timedelta(seconds=5))  # past django-otp's throttle delay
        confirm = http.post(response["Location"], {"password": PASSWORD, "code": fresh_code(personas.therapist_a)})
        assert confirm.status_code == 302
        assert getattr(http, method)(reverse(name)).status_code in (200, 302)
        if method == "get":
            assert http.get(reverse(name)).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.REAUTHENTICATED).count() == 1


def test_the_reauthentication_page_refuses_a_wrong_password(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        http = logged_in(personas.facilitator_a, verified=False)  # no authenticator: the password alone
        traveller.shift(dt.timedelta(minutes=6))
        wrong = http.post(reverse("account-reauth"), {"password": "not-it"})
        assert wrong.status_code == 400
        assert "That password is not right." in wrong.content.decode()
        assert http.get(reverse("account-email"))["Location"].startswith(reverse("account-reauth"))
        assert http.post(reverse("account-reauth"), {"password": PASSWORD, "next": "/account/email/"})["Location"] == (
            "/account/email/"
        )
        assert http.get(reverse("account-email")).status_code == 200


def test_guessing_the_password_on_the_reauthentication_page_locks_out_like_the_login_form(personas):
    http = logged_in(personas.facilitator_a, verified=False)
    for _ in range(4):
        assert http.post(reverse("account-reauth"), {"password": "a-guess"}).status_code == 400
    assert http.post(reverse("account-reauth"), {"password": "a-guess"}).status_code == 429
    assert http.post(reverse("account-reauth"), {"password": PASSWORD}).status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, actor=personas.facilitator_a).exists()
