"""A real `iptriad worker` process delivers what was committed, from SQLite storage and from Redis (db 11)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notifications.smtp import smtp_server

# The worker runs in a clean environment on a SQLite database of its own: the same whatever database the suite runs on.
pytestmark = pytest.mark.database_independent

REDIS_URL = "redis://127.0.0.1:6379/11"

# Run in a fresh database of its own: one message committed, one rolled back, before any worker runs.
ENQUEUE = """
from django.db import transaction
from iptriad.accounts.models import Organisation
from iptriad.notifications.outbox import Channel, message_queue
from iptriad.tasks import huey

org = Organisation.objects.create(name="Worker Clinic", slug="worker")
def queue(key, address):
    message_queue(organisation=org, kind="test", channel=Channel.EMAIL, address=address,
                  subject="Test", body="Committed", dedupe_key=key)
with transaction.atomic():
    queue("committed", "committed@example.org")
try:
    with transaction.atomic():
        queue("rolled-back", "rolled-back@example.org")
        raise RuntimeError
except RuntimeError:
    pass
print("pending", huey.pending_count())
"""

STATES = """
from iptriad.notifications.models import Message
print(sorted(Message.objects.values_list("address", "state")))
"""


def redis_reachable() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.flushdb()  # db 11 is this test's own
        return True
    except Exception:
        return False


def environment(data_dir: Path, smtp_port: int, broker: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("IPTRIAD_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "iptriad.settings",
            "IPTRIAD_DATA_DIR": str(data_dir),
            "IPTRIAD_SECRET_KEY": "worker-test-secret-key-that-is-long-enough-0123456789-abcdefgh",
            "IPTRIAD_ENCRYPTION_KEYS": os.environ["IPTRIAD_ENCRYPTION_KEYS"],
            "IPTRIAD_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "IPTRIAD_EMAIL_FROM": "iptriad@worker.example",
            "IPTRIAD_TASK_BROKER_URL": broker,
            "IPTRIAD_LOG_LEVEL": "WARNING",
        }
    )
    return env


def iptriad(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "iptriad", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, made once and copied for each test (migrating takes most of the time)."""
    data_dir = tmp_path_factory.mktemp("migrated")
    iptriad(environment(data_dir, 25, ""), "migrate", "--verbosity", "0")
    return data_dir


@pytest.mark.slow
@pytest.mark.parametrize("broker", ["", REDIS_URL], ids=["sqlite-storage", "redis"])
def test_a_real_worker_delivers_what_was_committed_and_nothing_rolled_back(tmp_path, migrated, broker):
    if broker and not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    for name in ("iptriad.sqlite3",):
        shutil.copy(migrated / name, tmp_path / name)
    with smtp_server() as (recorder, port):
        env = environment(tmp_path, port, broker)
        assert (
            iptriad(env, "shell", "--no-imports", "-c", ENQUEUE).strip() == "pending 1"
        )  # the rolled-back one left no task
        worker = subprocess.Popen(
            [sys.executable, "-m", "iptriad", "worker", "--threads", "1"], env=env, stdout=subprocess.DEVNULL
        )
        try:
            [received] = recorder.wait_for(1)
        finally:
            worker.send_signal(signal.SIGINT)
            worker.wait(timeout=30)
    assert received.rcpt_tos == ["committed@example.org"]
    assert "Committed" in received.message.get_content()
    assert iptriad(env, "shell", "--no-imports", "-c", STATES).strip() == "[('committed@example.org', 'sent')]"
