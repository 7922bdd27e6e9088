"""A forgotten password reset by an e-mailed link, over HTTP; and account e-mail sent from the task queue."""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.mail import account_mail_send
from iptriad.accounts.models import User
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.tasks import huey
from tests.accounts.helpers import fresh_code
from tests.api.conftest import Api, token_for
from tests.conftest import PASSWORD, logged_in, totp_device

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-kettle-orbit-lantern"
LINK = re.compile(r"http://testserver(/login/reset/\?token=\S+)")


def _ask(email: str, http: HttpClient | None = None):
    return (http or HttpClient()).post(reverse("password-reset"), {"email": email})


def _link(body: str) -> str:
    [path] = LINK.findall(body)
    return str(path)


def _token(link: str) -> str:
    return link.split("token=")[1]


def _set(token: str, password: str = NEW_PASSWORD, http: HttpClient | None = None):
    form = {"token": token, "new_password1": password, "new_password2": password}
    return (http or HttpClient()).post(reverse("password-reset-confirm"), form)


def _login(email: str, password: str):
    return HttpClient().post(reverse("login"), {"username": email, "password": password})


def test_the_login_page_links_to_the_reset_page():
    page = HttpClient().get(reverse("login")).content.decode()
    assert f'href="{reverse("password-reset")}"' in page
    assert "Forgotten your password?" in page


def test_the_whole_reset_asks_the_code_at_the_next_login_and_is_audited_without_the_address(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    user = personas.therapist_a
    totp_device(user)  # the person has an authenticator app
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask("  Therapist.A@ALPHA.example ")
    assert asked["Location"] == reverse("login")
    [sent] = mailoutbox
    assert sent.to == [user.email]
    assert sent.subject == "Reset your iptriad password"
    assert personas.client_a.family_name not in sent.body  # nothing clinical, no client
    link = _link(sent.body)
    browser = HttpClient()
    page = browser.get(link)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    assert 'autocomplete="new-password"' in page.content.decode()
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)  # opening the link changes nothing
    done = _set(_token(link), http=browser)
    assert done["Location"] == reverse("login")
    assert "_auth_user_id" not in browser.session  # not logged in by the link
    assert browser.get(reverse("client-list"))["Location"].startswith(reverse("login"))
    # The old password is gone; the new one gets as far as the authenticator code, which is still asked.
    assert _login(user.email, PASSWORD).status_code == 200
    login = HttpClient()
    after = login.post(reverse("login"), {"username": user.email, "password": NEW_PASSWORD})
    assert after.status_code == 302
    assert login.get(reverse("client-list"))["Location"].startswith(reverse("mfa-verify"))
    assert login.post(reverse("mfa-verify"), {"code": fresh_code(user)}).status_code == 302
    assert login.get(reverse("client-list")).status_code == 200
    requested = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET_REQUESTED)
    reset = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert (requested.actor, requested.organisation) == (user, personas.org_a)
    assert (reset.actor, reset.detail) == (user, {"sessions_ended": 0, "lockout_cleared": False})
    for event in (requested, reset):
        assert "alpha.example" not in str(event.detail)


def test_the_page_answers_the_same_whether_or_not_the_address_has_an_account(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=personas.therapist_a2.pk).update(is_active=False)
    answers = []
    for email in ("therapist.a@alpha.example", "nobody.here@alpha.example", "therapist.a2@alpha.example"):
        http = HttpClient()
        with django_capture_on_commit_callbacks(execute=True):
            response = _ask(email, http)
        follow = http.get(response["Location"])
        page = re.sub(r"[A-Za-z0-9]{64}", "CSRF", follow.content.decode())  # each session's own CSRF token
        answers.append((response.status_code, response["Location"], page.replace(email, "ADDRESS")))
    assert answers[0] == answers[1] == answers[2]
    assert "If an account uses ADDRESS" in answers[0][2]
    # Only the active account gets a mail: not the unknown address, not the deactivated account.
    assert [sent.to for sent in mailoutbox] == [["therapist.a@alpha.example"]]
    # The unknown address is kept nowhere in the trail; only the real account's request is recorded.
    events = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED)
    assert {event.actor for event in events} == {personas.therapist_a}
    assert not [event for event in AuditEvent.objects.all() if "nobody.here" in str(event.detail)]


def test_a_malformed_address_is_refused_with_a_message():
    response = _ask("not-an-address")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_the_link_works_once(personas, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(personas.therapist_a.email)
    token = _token(_link(mailoutbox[0].body))
    assert _set(token)["Location"] == reverse("login")
    again = _set(token, password="another-quiet-harbour-lamp")
    assert again.status_code == 404
    assert "has been used already" in again.content.decode()
    assert HttpClient().get(reverse("password-reset-confirm"), {"token": token}).status_code == 404
    assert User.objects.get(pk=personas.therapist_a.pk).check_password(NEW_PASSWORD)


def test_the_link_expires(personas, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(personas.therapist_a.email)
    token = _token(_link(mailoutbox[0].body))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=29)):
        assert HttpClient().get(reverse("password-reset-confirm"), {"token": token}).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert HttpClient().get(reverse("password-reset-confirm"), {"token": token}).status_code == 404
        assert _set(token).status_code == 404
    assert User.objects.get(pk=personas.therapist_a.pk).check_password(PASSWORD)


def test_a_tampered_or_borrowed_token_is_refused(personas, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(personas.therapist_a.email)
    token = _token(_link(mailoutbox[0].body))
    encoded_id, signed = token.split(".")
    flipped = signed[:-1] + ("a" if signed[-1] != "a" else "b")
    from django.utils.http import urlsafe_base64_encode

    someone_else = urlsafe_base64_encode(str(personas.therapist_a2.pk).encode())
    for bad in (f"{encoded_id}.{flipped}", f"{someone_else}.{signed}", encoded_id, signed, f"{token}.x", ""):
        assert _set(bad).status_code == 404, bad
        assert HttpClient().get(reverse("password-reset-confirm"), {"token": bad}).status_code == 404, bad
    for user in (personas.therapist_a, personas.therapist_a2):
        assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET).exists()


def test_a_guessable_password_is_refused_and_the_link_still_works(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(personas.therapist_a.email)
    token = _token(_link(mailoutbox[0].body))
    refused = _set(token, password="passwordpassword")
    assert refused.status_code == 400
    assert "too easy to guess" in refused.content.decode()
    mismatch = HttpClient().post(
        reverse("password-reset-confirm"),
        {"token": token, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert mismatch.status_code == 400
    assert User.objects.get(pk=personas.therapist_a.pk).check_password(PASSWORD)
    assert _set(token)["Location"] == reverse("login")


def test_every_session_ends_and_api_tokens_are_refused_afterwards(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    user = personas.therapist_a
    here, elsewhere = logged_in(user), logged_in(user)
    api = Api(HttpClient(), token_for(user, personas.org_a))
    assert api.get("/clients").status_code == 200
    assert here.get(reverse("client-list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        _ask(user.email, here)  # asked from a browser where the person is still signed in
    # Signed in meanwhile: the link was signed over the last login, so log in again only after using it.
    assert _set(_token(_link(mailoutbox[0].body)), http=here)["Location"] == reverse("login")
    for http in (here, elsewhere):
        assert http.get(reverse("client-list"))["Location"].startswith(reverse("login"))
    assert api.get("/clients").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert event.detail["sessions_ended"] == 2
    revoked = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert revoked.detail["reason"] == "password_reset"


def test_a_login_after_the_link_was_mailed_spends_it(personas, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(personas.therapist_a.email)
    token = _token(_link(mailoutbox[0].body))
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=2)):  # last_login is signed to the second
        assert _login(personas.therapist_a.email, PASSWORD).status_code == 302
        assert _set(token).status_code == 404


def test_at_most_one_mail_per_account_in_five_minutes(personas, mailoutbox, django_capture_on_commit_callbacks):
    email = personas.therapist_a.email
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                assert _ask(email)["Location"] == reverse("login")  # the same answer when throttled
        assert len(mailoutbox) == 1
        traveller.shift(dt.timedelta(minutes=4, seconds=59))
        with django_capture_on_commit_callbacks(execute=True):
            _ask(email)
        assert len(mailoutbox) == 1
        traveller.shift(dt.timedelta(seconds=2))
        with django_capture_on_commit_callbacks(execute=True):
            _ask(email)
        assert len(mailoutbox) == 2
        # Each link mailed still works (the throttle does not spend the first), and the trail has one event per mail.
        assert _link(mailoutbox[0].body) != _link(mailoutbox[1].body)
        assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED).count() == 2
        assert _set(_token(_link(mailoutbox[0].body)))["Location"] == reverse("login")


def test_the_reset_clears_the_login_lockout(personas, mailoutbox, django_capture_on_commit_callbacks):
    email = personas.facilitator_a.email
    for _ in range(5):
        _login(email, "a-wrong-guess")
    assert _login(email, PASSWORD).status_code == 429  # locked out
    with django_capture_on_commit_callbacks(execute=True):
        _ask(email)
    assert _set(_token(_link(mailoutbox[0].body)))["Location"] == reverse("login")
    assert _login(email, NEW_PASSWORD).status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET).detail["lockout_cleared"] is True


# --- Account e-mail from the task queue ----------------------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that cannot be reached, as smtplib reports it."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed: the body was secret-link-123")


@pytest.fixture
def empty_queue():
    huey.flush()
    yield
    huey.flush()


def test_a_failed_account_mail_is_tried_again_with_backoff_and_nothing_secret_is_logged(
    caplog, empty_queue, django_capture_on_commit_callbacks
):
    body = "Open http://testserver/login/reset/?token=secret-link-123 within 30 minutes."
    caplog.set_level(logging.DEBUG)
    start = timezone.now()
    naive = start.replace(tzinfo=None)  # Huey keeps its times in naive UTC
    with time_machine.travel(start, tick=False) as traveller:
        with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"):
            with django_capture_on_commit_callbacks(execute=True):
                account_mail_send(to="person@alpha.example", subject="Reset your iptriad password", body=body)
            [retry] = huey.scheduled()
            assert (retry.retries, retry.eta) == (4, naive + dt.timedelta(seconds=60))  # five retries; one used
            huey.flush()
            traveller.shift(dt.timedelta(seconds=60))
            huey.execute(retry)
            [second] = huey.scheduled()
            # The wait doubles: the next try two minutes after the second.
            assert (second.retries, second.eta) == (3, naive + dt.timedelta(seconds=60 + 120))
        # Neither the address, the subject, the body nor the link is in any log line: only the reason.
        assert caplog.text.count("could not reach the SMTP server (SMTPServerDisconnected)") >= 2
        for secret in ("secret-link-123", "person@alpha.example", "Reset your", "token="):
            assert secret not in caplog.text
        # Nor in the queue: the body travels sealed.
        assert "secret-link-123" not in repr(second.args)
        traveller.shift(dt.timedelta(seconds=120))
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            huey.flush()
            huey.execute(second)
            [sent] = mail.outbox
    assert (sent.to, sent.body) == (["person@alpha.example"], body)
    assert huey.scheduled() == []


def test_a_rolled_back_change_queues_no_mail(mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                account_mail_send(to="person@alpha.example", subject="s", body="b")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
