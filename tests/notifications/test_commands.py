"""sendtestmail against a real SMTP server, and the supervisor that keeps `serve`'s worker running."""

from __future__ import annotations

import io
import sys
import time

import pytest
from django.core.management import CommandError, call_command

from iptriad.web.supervisor import Supervisor
from tests.notifications.helpers import closed_port
from tests.notifications.smtp import smtp_server
from tests.notifications.test_transports import smtp_settings


def test_sendtestmail_sends_through_the_configured_server():
    with smtp_server() as (recorder, port), smtp_settings(f"smtp://127.0.0.1:{port}"):
        out = io.StringIO()
        call_command("sendtestmail", "ops@alpha.example", stdout=out)
    [received] = recorder.received
    assert received.rcpt_tos == ["ops@alpha.example"]
    assert f"through 127.0.0.1:{port}" in out.getvalue()


def test_sendtestmail_says_why_it_could_not_send():
    port = closed_port()
    with smtp_settings(f"smtp://127.0.0.1:{port}"), pytest.raises(CommandError, match="ConnectionRefusedError"):
        call_command("sendtestmail", "ops@alpha.example")
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("sendtestmail", "nobody")


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_supervisor_restarts_a_dead_child_and_stops_it_with_the_server():
    supervisor = Supervisor([sys.executable, "-c", "import time; time.sleep(600)"], name="test child")
    supervisor.start()
    try:
        first = supervisor.process
        assert first is not None
        first.kill()  # as if the worker crashed
        wait_until(lambda: supervisor.starts == 2)
        second = supervisor.process
        assert second is not None
        assert second.pid != first.pid
        assert second.poll() is None
    finally:
        supervisor.stop()
    assert second.poll() is not None
    assert supervisor.starts == 2  # stopping is not a death to recover from
