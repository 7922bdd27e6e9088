"""Where a person is signed in: their own sessions listed, and any other ended (ASVS 7.5.2, 7.1.2)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import SignedInSession
from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD, logged_in, totp_code, totp_device

pytestmark = pytest.mark.django_db


# A code is never accepted twice, so each sign-in happens one authenticator step (30 s) after the one before.
_STEPS = itertools.count()


def sign_in_through_the_pages(user, user_agent: str) -> HttpClient:
    """The real login form, then the authenticator code (which gives the session a new key)."""
    device = totp_device(user)
    http = HttpClient(HTTP_USER_AGENT=user_agent)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31 * next(_STEPS)), tick=False):
        assert http.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302
        assert http.post(reverse("mfa-verify"), {"code": totp_code(device)}).status_code == 302
    return http


def test_each_browser_shows_once_with_this_one_marked_after_the_key_changed(personas):
    desk = sign_in_through_the_pages(personas.therapist_a, "Desk browser")
    tablet = sign_in_through_the_pages(personas.therapist_a, "Tablet browser")
    page = desk.get(reverse("account-sessions"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Desk browser" in text
    assert "Tablet browser" in text
    assert text.count("This browser") == 1
    # The rows follow the keys the authenticator step gave each session.
    keys = set(SignedInSession.objects.filter(user=personas.therapist_a).values_list("session_key", flat=True))
    assert keys == {desk.session.session_key, tablet.session.session_key}


def test_ending_another_session_logs_that_browser_out_and_is_audited(personas):
    desk = sign_in_through_the_pages(personas.therapist_a, "Desk browser")
    tablet = sign_in_through_the_pages(personas.therapist_a, "Tablet browser")
    desk.get(reverse("account-sessions"))
    tablet_row = SignedInSession.objects.get(session_key=tablet.session.session_key)
    ended = desk.post(reverse("account-session-end"), {"session": tablet_row.pk})
    assert ended.status_code == 302
    assert not Session.objects.filter(session_key=tablet_row.session_key).exists()
    assert tablet.get(reverse("client-list"))["Location"].startswith(reverse("login"))
    assert desk.get(reverse("client-list")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.OWN_SESSIONS_ENDED, actor=personas.therapist_a).exists()


def test_nobody_ends_someone_elses_session_nor_their_own_current_one_by_id(personas):
    own = sign_in_through_the_pages(personas.therapist_a, "Own browser")
    other = sign_in_through_the_pages(personas.therapist_b, "Other person's browser")
    other_row = SignedInSession.objects.get(session_key=other.session.session_key)
    own_row = SignedInSession.objects.get(session_key=own.session.session_key)
    for row in (other_row, own_row):
        refused = own.post(reverse("account-session-end"), {"session": row.pk}, follow=True)
        assert "Nothing to end" in refused.content.decode()
    assert other.get(reverse("client-list")).status_code == 200
    assert own.get(reverse("client-list")).status_code == 200
    assert "Other person" not in own.get(reverse("account-sessions")).content.decode()


def test_end_every_other_session_keeps_this_one(personas):
    browsers = [sign_in_through_the_pages(personas.therapist_a, f"Browser {n}") for n in range(3)]
    keep = browsers[0]
    assert keep.post(reverse("account-sessions-end")).status_code == 302
    assert keep.get(reverse("client-list")).status_code == 200
    for ended in browsers[1:]:
        assert ended.get(reverse("client-list"))["Location"].startswith(reverse("login"))
    assert SignedInSession.objects.filter(user=personas.therapist_a).count() == 1


def test_logging_out_removes_the_row(personas):
    http = sign_in_through_the_pages(personas.therapist_a, "Browser")
    assert SignedInSession.objects.filter(user=personas.therapist_a).count() == 1
    http.post(reverse("logout"))
    assert SignedInSession.objects.filter(user=personas.therapist_a).count() == 0


def test_the_page_runs_the_same_queries_for_one_or_many_sessions(personas):
    http = logged_in(personas.therapist_a)
    http.get(reverse("account-sessions"))
    with CaptureQueriesContext(connection) as one:
        http.get(reverse("account-sessions"))
    for n in range(5):
        sign_in_through_the_pages(personas.therapist_a, f"Browser {n}")
    with CaptureQueriesContext(connection) as many:
        page = http.get(reverse("account-sessions"))
    assert page.content.decode().count("<tr>") == 7  # the header and six sessions
    assert len(many) == len(one)


@pytest.mark.parametrize("value", ["", "abc", "-1", "1" * 30, "١٢"])
def test_a_malformed_session_id_ends_nothing_and_says_so(personas, value):
    http = logged_in(personas.therapist_a)
    answer = http.post(reverse("account-session-end"), {"session": value}, follow=True)
    assert answer.status_code == 200
    assert "Nothing to end" in answer.content.decode()


def test_the_sessions_pages_need_a_signed_in_person():
    anonymous = HttpClient()
    assert anonymous.get(reverse("account-sessions"))["Location"].startswith(reverse("login"))
    assert anonymous.post(reverse("account-sessions-end"))["Location"].startswith(reverse("login"))


def test_reading_the_list_writes_nothing_and_a_login_clears_rows_of_ended_sessions(personas):
    http = logged_in(personas.therapist_a)
    gone = SignedInSession.objects.create(user=personas.therapist_a, session_key="x" * 32)  # its session ended
    with CaptureQueriesContext(connection) as queries:
        page = http.get(reverse("account-sessions"))
    assert len(page.context["sessions"]) == 1  # this browser only
    assert gone not in page.context["sessions"]
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert SignedInSession.objects.filter(pk=gone.pk).exists()  # not listed as live, not deleted by a read
    sign_in_through_the_pages(personas.therapist_a, "New browser")
    assert not SignedInSession.objects.filter(pk=gone.pk).exists()
