"""Sessions: a new key at login, idle and absolute limits, cheap activity stamps, and every way a session ends."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD, logged_in
from tests.test_settings import PRODUCTION, run_iptriad

pytestmark = pytest.mark.django_db


def test_login_gives_a_new_session_key(personas):
    http = HttpClient()
    http.get(reverse("login"))
    session = http.session
    session["before_login"] = True
    session.save()
    key_before = session.session_key
    http.post(reverse("login"), {"username": personas.therapist_a.email, "password": PASSWORD})
    assert http.session.session_key != key_before
    assert not Session.objects.filter(session_key=key_before).exists()


def test_logout_deletes_the_session_on_the_server(personas):
    http = logged_in(personas.therapist_a)
    key = str(http.session.session_key)
    assert http.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, opens nothing.
    replay = HttpClient()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get(reverse("client-list"))["Location"].startswith(reverse("login"))


def test_an_idle_session_ends_after_the_idle_limit(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        http = logged_in(personas.therapist_a)
        key = http.session.session_key
        traveller.shift(dt.timedelta(minutes=29))
        assert http.get(reverse("client-list")).status_code == 200
        traveller.shift(dt.timedelta(minutes=29))  # 58 minutes since login, but active at 29
        assert http.get(reverse("client-list")).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = http.get(reverse("client-list"))
    assert response["Location"] == reverse("login") + "?next=/clients/"
    assert not Session.objects.filter(session_key=key).exists()
    page = http.get(response["Location"])
    assert "You were logged out after a period without activity." in page.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED)
    assert (event.actor, event.detail) == (personas.therapist_a, {"reason": "idle"})


def test_an_active_session_still_ends_at_the_absolute_limit(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        http = logged_in(personas.therapist_a)
        for _ in range(int(settings.SESSION_COOKIE_AGE // (20 * 60))):
            traveller.shift(dt.timedelta(minutes=20))
            assert http.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=20))  # past 12 hours since the login
        response = http.get(reverse("home"))
    assert response["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED).detail == {"reason": "absolute"}


def _is_session_write(sql: str) -> bool:
    return "django_session" in sql and sql.startswith("UPDATE")


def test_the_activity_stamp_is_written_at_most_once_a_minute(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        http = logged_in(personas.therapist_a)
        traveller.shift(dt.timedelta(seconds=61))
        http.get(reverse("home"))  # writes the stamp
        for seconds in (1, 20, 30):
            traveller.shift(dt.timedelta(seconds=seconds))
            with CaptureQueriesContext(connection) as captured:
                http.get(reverse("home"))
            writes = [
                q["sql"] for q in captured.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]
            ]
            assert writes == []
        traveller.shift(dt.timedelta(seconds=10))  # 61 seconds after the last write
        with CaptureQueriesContext(connection) as captured:
            http.get(reverse("home"))
        assert any(_is_session_write(query["sql"]) for query in captured.captured_queries)


def test_a_session_without_the_clocks_is_ended(personas):
    http = logged_in(personas.therapist_a)
    session = http.session
    del session["iptriad_login_at"]
    session.save()
    assert http.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_deactivation_ends_every_session_of_the_user_only(personas):
    first = logged_in(personas.therapist_a)
    second = logged_in(personas.therapist_a)
    colleague = logged_in(personas.therapist_a2)
    out = io.StringIO()
    call_command("deactivateuser", "Therapist.A@alpha.example", stdout=out)
    assert "2 open sessions ended" in out.getvalue()
    assert not User.objects.get(pk=personas.therapist_a.pk).is_active
    for http in (first, second):
        assert http.get(reverse("client-list"))["Location"].startswith(reverse("login"))
    assert colleague.get(reverse("client-list")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.USER_DEACTIVATED)
    assert (event.actor, event.organisation, event.detail) == (
        personas.therapist_a,
        personas.org_a,
        {"sessions_ended": 2, "by": "operator"},
    )
    refused = HttpClient().post(reverse("login"), {"username": personas.therapist_a.email, "password": PASSWORD})
    assert refused.status_code == 200  # the form again, with its error: no login


def test_a_deactivated_users_cookie_no_longer_works_even_if_its_session_survives(personas):
    http = logged_in(personas.therapist_a)
    User.objects.filter(pk=personas.therapist_a.pk).update(is_active=False)  # not through the command
    assert http.get(reverse("client-list"))["Location"].startswith(reverse("login"))


def test_deactivating_an_unknown_account_fails_clearly(personas):
    with pytest.raises(CommandError, match="No account has this e-mail address"):
        call_command("deactivateuser", "nobody@alpha.example")


def test_resetmfa_removes_the_device_and_is_audited(personas):
    http = logged_in(personas.therapist_a)
    call_command("resetmfa", personas.therapist_a.email, stdout=io.StringIO())
    assert http.get(reverse("client-list"))["Location"].startswith(reverse("mfa-enrol"))
    assert AuditEvent.objects.get(action=AuditAction.MFA_RESET).detail == {"by": "operator"}


def test_cookies_are_httponly_and_samesite_lax(personas):
    http = HttpClient()
    http.get(reverse("login"))
    response = http.post(reverse("login"), {"username": personas.therapist_a.email, "password": PASSWORD})
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    csrf_cookie = http.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY


def test_production_cookies_are_secure_httponly_and_lax(tmp_path):
    shown = "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    result = run_iptriad(
        "shell", "-c", f"from django.conf import settings as s; {shown}", tmp_path=tmp_path, **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "Lax"]


def test_a_password_only_reauthentication_gives_a_new_session_key(personas):
    """ASVS 7.2.4: a new session key at every authentication, re-authentication included."""
    http = logged_in(personas.facilitator_a, verified=False)  # no authenticator: the password alone
    before = http.session.session_key
    response = http.post(reverse("account-reauth"), {"password": PASSWORD})
    assert response.status_code == 302
    assert http.session.session_key != before
    assert http.get(reverse("account")).status_code == 200


def test_endsessions_logs_one_person_out_everywhere_and_keeps_the_account(personas):
    first = logged_in(personas.therapist_a)
    second = logged_in(personas.therapist_a)
    colleague = logged_in(personas.therapist_a2)
    out = io.StringIO()
    call_command("endsessions", "therapist.a@alpha.example", stdout=out)
    assert out.getvalue().strip() == "Logged therapist.a@alpha.example out everywhere: 2 open sessions."
    for http in (first, second):
        assert http.get(reverse("client-list"))["Location"].startswith(reverse("login"))
    assert colleague.get(reverse("client-list")).status_code == 200
    assert User.objects.get(pk=personas.therapist_a.pk).is_active
    event = AuditEvent.objects.get(action=AuditAction.SESSIONS_ENDED)
    assert (event.organisation, event.detail) == (personas.org_a, {"sessions_ended": 2, "by": "operator"})


def test_endsessions_all_logs_everyone_out(personas):
    clients = [logged_in(user) for user in (personas.therapist_a, personas.admin_b)]
    out = io.StringIO()
    call_command("endsessions", "--all", stdout=out)
    assert "Ended every session: 2 open sessions." in out.getvalue()
    assert all(http.get(reverse("client-list"))["Location"].startswith(reverse("login")) for http in clients)
    event = AuditEvent.objects.get(action=AuditAction.SESSIONS_ENDED)
    assert (event.organisation, event.detail["scope"]) == (None, "everyone")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "Give one account's e-mail address, or --all"),
        (("x@y.example", "--all"), "not both"),
        (("nobody@alpha.example",), "No account has this e-mail address"),
    ],
)
def test_endsessions_refuses_unclear_arguments(personas, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("endsessions", *arguments)
    assert not AuditEvent.objects.filter(action=AuditAction.SESSIONS_ENDED).exists()
