"""Login lockout (django-axes): per e-mail address and client address together, shared through the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

EMAIL = "therapist.a@alpha.example"


def _attempt(password: str, address: str = "192.0.2.20", **extra: Any):
    form = {"username": EMAIL, "password": password}
    return HttpClient().post(reverse("login"), form, REMOTE_ADDR=address, **extra)


def _fail(times: int, address: str = "192.0.2.20", **extra: Any) -> None:
    """Type a wrong password `times` times; the fifth answers with the lockout page."""
    for attempt in range(1, times + 1):
        expected = 200 if attempt < 5 else 429
        assert _attempt("wrong-password", address, **extra).status_code == expected


def test_four_failures_do_not_lock_the_account(personas):
    _fail(4)
    assert _attempt(PASSWORD).status_code == 302


def test_the_fifth_failure_locks_out_that_address_with_a_clear_page_and_an_audit_event(personas):
    _fail(4)
    response = _attempt("wrong-password")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed log-in attempts" in text
    assert "15 minutes" in text
    # Locked: even the right password is refused now.
    assert _attempt(PASSWORD).status_code == 429
    event = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).first()
    assert event is not None
    assert (event.actor, event.organisation, event.ip_address) == (personas.therapist_a, personas.org_a, "192.0.2.20")
    assert "wrong-password" not in str(event.detail)


def test_the_lockout_is_per_address_and_account_together(personas):
    _fail(5)
    assert _attempt(PASSWORD, address="198.51.100.7").status_code == 302  # the person, elsewhere
    other = HttpClient(REMOTE_ADDR="192.0.2.20").post(
        reverse("login"), {"username": "admin.a@alpha.example", "password": PASSWORD}
    )
    assert other.status_code == 302  # a colleague behind the same address


def test_the_lockout_ends_after_the_cool_off(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _fail(5)
        traveller.shift(dt.timedelta(minutes=14))
        assert _attempt(PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=16))  # a failure during the lockout restarted it at 14 minutes
        assert _attempt(PASSWORD).status_code == 302


def test_a_success_resets_the_count(personas):
    _fail(4)
    assert _attempt(PASSWORD).status_code == 302
    _fail(4)
    assert _attempt(PASSWORD).status_code == 302


@override_settings(BEHIND_PROXY=True)
def test_behind_the_proxy_the_forwarded_address_is_the_one_locked_out(personas):
    _fail(5, address="10.0.0.10", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert _attempt(PASSWORD, "10.0.0.10", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # Another client behind the same proxy is a different address: not locked out.
    assert _attempt(PASSWORD, "10.0.0.10", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, ip_address="203.0.113.5").exists()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_limit_comes_from_the_settings(personas):
    assert _attempt("wrong-password").status_code == 200
    assert _attempt("wrong-password").status_code == 429


def test_an_unknown_address_is_locked_out_too_without_recording_what_was_typed(personas):
    client = HttpClient(REMOTE_ADDR="192.0.2.30")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "nobody@nowhere.example", "password": "x"})
    assert response.status_code == 429
    event = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert event.actor is None
    assert "nobody" not in str(event.detail)


def test_failures_spread_over_many_addresses_lock_the_account_for_a_short_while_only(personas):
    """Issue 16, item 8: before, 4 failures from each of any number of addresses never locked anything."""
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for number in range(19):  # one failure from each of 19 addresses: far under the per-address limit
            assert _attempt("wrong-password", address=f"198.51.100.{number}").status_code == 200
        # The 20th failure across addresses locks the account: even the right password waits, from anywhere.
        assert _attempt("wrong-password", address="198.51.100.200").status_code == 429
        assert _attempt(PASSWORD, address="203.0.113.99").status_code == 429
        # ... but only for a short while: 5 minutes after the last failure it opens again.
        clock.move_to(start + dt.timedelta(minutes=5, seconds=1))
        assert _attempt(PASSWORD, address="203.0.113.99").status_code == 302


def test_a_few_failures_from_several_addresses_do_not_lock_the_account(personas):
    for number in range(19):
        assert _attempt("wrong-password", address=f"198.51.100.{number}").status_code == 200
    assert _attempt(PASSWORD, address="203.0.113.99").status_code == 302
