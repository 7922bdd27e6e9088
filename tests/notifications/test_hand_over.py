"""The hand-over mark, against a real SMTP server and an HTTP stand-in for the SMS gateway on loopback.

A worker killed before the mark leaves a message that cannot have arrived: the sweep sends it again, even to a
client. One killed after it may have delivered it: a client's is interrupted, never resent; a staff member's is
sent again. A kill is played by an exception no `except Exception` catches, raised inside the standard
library's SMTP or HTTP client at the chosen step, so the row is left exactly as SIGKILL leaves it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import http.server
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.test.utils import override_settings

from iptriad.env import parse_sms_url
from iptriad.notifications.models import Message, MessageState
from iptriad.notifications.outbox import Channel
from iptriad.notifications.sending import (
    REASON_INTERRUPTED,
    REASON_NOT_HANDED_OVER,
    REASON_OUTCOME_UNKNOWN,
    Outcome,
    message_deliver,
    message_sweep,
)
from tests.notifications.helpers import closed_port, queue_client_message, queue_staff_email
from tests.notifications.smtp import smtp_server
from tests.notifications.test_transports import smtp_settings

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 1, 14, 12, 0, tzinfo=dt.UTC)
LATER = NOON + dt.timedelta(minutes=6)  # past the claim timeout (5 minutes)


class Killed(BaseException):
    """The worker's process dying at this point: nothing of ours catches it, nothing after it runs."""


def die(*_args: Any, **_kwargs: Any) -> Any:
    raise Killed


def deliver_and_die(message: Message) -> Message:
    with time_machine.travel(NOON, tick=False), pytest.raises(Killed):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == MessageState.SENDING  # as SIGKILL leaves it
    return message


def sweep_and_deliver(message: Message) -> Message:
    with time_machine.travel(LATER, tick=False):
        message_sweep()
        message.refresh_from_db()
        if message.state == MessageState.QUEUED:
            message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


@pytest.mark.parametrize("queue", [queue_client_message, queue_staff_email])
def test_killed_before_data_the_message_is_sent_again_whoever_it_is_for(personas, monkeypatch, queue):
    with smtp_server() as (recorder, port), smtp_settings(f"smtp://127.0.0.1:{port}"):
        with time_machine.travel(NOON, tick=False):
            message = queue(personas)  # its wake-up is not run: the test drives the worker
        monkeypatch.setattr(smtplib.SMTP, "rcpt", die)  # killed while the envelope is being given
        message = deliver_and_die(message)
        assert message.handed_over_at is None
        monkeypatch.undo()
        message = sweep_and_deliver(message)
        assert message.state == MessageState.SENT
        assert message.attempts == 2
        assert len(recorder.received) == 1


def test_killed_after_data_a_clients_message_is_interrupted_never_resent(personas, monkeypatch):
    with smtp_server() as (recorder, port), smtp_settings(f"smtp://127.0.0.1:{port}"):
        with time_machine.travel(NOON, tick=False):
            message = queue_client_message(personas)
        data = smtplib.SMTP.data

        def data_then_die(self: smtplib.SMTP, msg: Any) -> Any:
            data(self, msg)  # the server has it and has answered; the worker dies before recording it
            raise Killed

        monkeypatch.setattr(smtplib.SMTP, "data", data_then_die)
        message = deliver_and_die(message)
        assert message.handed_over_at == NOON
        monkeypatch.undo()
        message = sweep_and_deliver(message)
        assert (message.state, message.reason) == (MessageState.INTERRUPTED, REASON_INTERRUPTED)
        assert len(recorder.received) == 1


def test_killed_after_data_a_staff_members_message_is_sent_again(personas, monkeypatch):
    with smtp_server() as (recorder, port), smtp_settings(f"smtp://127.0.0.1:{port}"):
        with time_machine.travel(NOON, tick=False):
            message = queue_staff_email(personas)
        data = smtplib.SMTP.data

        def data_then_die(self: smtplib.SMTP, msg: Any) -> Any:
            data(self, msg)
            raise Killed

        monkeypatch.setattr(smtplib.SMTP, "data", data_then_die)
        message = deliver_and_die(message)
        monkeypatch.undo()
        message = sweep_and_deliver(message)
        assert message.state == MessageState.SENT
        assert len(recorder.received) == 2  # a second alert e-mail beats a lost one


@pytest.mark.parametrize(("queue", "state"), [(queue_client_message, "interrupted"), (queue_staff_email, "queued")])
def test_a_connection_broken_after_data_is_an_unknown_outcome(personas, queue, state):
    with smtp_server() as (recorder, port), smtp_settings(f"smtp://127.0.0.1:{port}"):
        recorder.drop_after_data = True  # received, then the connection closes before the answer
        with time_machine.travel(NOON, tick=False):
            message = queue(personas)
            outcome = message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert len(recorder.received) == 1
    assert message.state == state
    if state == MessageState.INTERRUPTED:
        assert outcome == Outcome.INTERRUPTED
        assert message.reason.startswith(REASON_OUTCOME_UNKNOWN)
    else:
        assert outcome == Outcome.RETRY


def test_a_claim_the_sweep_resolved_meanwhile_is_never_handed_over(personas, monkeypatch):
    """A worker slower than the claim timeout, not dead: the sweep re-queues its message while it gives the
    envelope; its hand-over is then refused, so the message is not sent twice."""
    with smtp_server() as (recorder, port), smtp_settings(f"smtp://127.0.0.1:{port}"):
        with time_machine.travel(NOON, tick=False):
            message = queue_client_message(personas)
        rcpt = smtplib.SMTP.rcpt

        def rcpt_while_the_sweep_runs(self: smtplib.SMTP, *args: Any, **kwargs: Any) -> Any:
            with time_machine.travel(LATER, tick=False):
                assert message_sweep().requeued == 1
            return rcpt(self, *args, **kwargs)

        monkeypatch.setattr(smtplib.SMTP, "rcpt", rcpt_while_the_sweep_runs)
        with time_machine.travel(NOON, tick=False):
            assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
        monkeypatch.undo()
        assert recorder.received == []
        message.refresh_from_db()
        assert (message.state, message.reason) == (MessageState.QUEUED, REASON_NOT_HANDED_OVER)
        with time_machine.travel(LATER, tick=False):
            assert message_deliver(message_id=message.pk) == Outcome.SENT
        assert len(recorder.received) == 1


# --- SMS -----------------------------------------------------------------------------------------------


@contextmanager
def silent_gateway() -> Iterator[tuple[list[bytes], int]]:
    """Reads each request, then closes the connection without an answer."""
    requests: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            requests.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield requests, int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def sms_settings(port: int) -> override_settings:
    url = f"twilio://AC0123456789abcdef0123456789abcdef:token@127.0.0.1:{port}?from=%2B441234567890"
    return override_settings(SMS_URL=parse_sms_url("IPTRIAD_SMS_URL", url))


def test_an_sms_gateway_that_took_the_request_without_answering_interrupts_a_clients_message(personas):
    with silent_gateway() as (requests, port), sms_settings(port), time_machine.travel(NOON, tick=False):
        message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
        assert message_deliver(message_id=message.pk) == Outcome.INTERRUPTED
    message.refresh_from_db()
    assert len(requests) == 1
    assert message.state == MessageState.INTERRUPTED
    assert message.handed_over_at == NOON
    assert "+44" not in message.reason


def test_an_unreachable_sms_gateway_never_had_the_message_so_a_clients_is_retried(personas):
    with sms_settings(closed_port()), time_machine.travel(NOON, tick=False):
        message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
        assert message_deliver(message_id=message.pk) == Outcome.RETRY
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert message.handed_over_at is None
    assert message.reason.startswith("Could not reach the SMS gateway")


def test_killed_while_connecting_to_the_sms_gateway_a_clients_message_is_sent_again(personas, monkeypatch):
    with silent_gateway() as (requests, port), sms_settings(port):
        with time_machine.travel(NOON, tick=False):
            message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
        monkeypatch.setattr(http.client.HTTPConnection, "connect", die)
        message = deliver_and_die(message)
        monkeypatch.undo()
        assert message.handed_over_at is None
        assert requests == []
        with time_machine.travel(LATER, tick=False):
            assert message_sweep().requeued == 1
    message.refresh_from_db()
    assert (message.state, message.reason) == (MessageState.QUEUED, REASON_NOT_HANDED_OVER)
