"""A few kills of a real worker while it sends (the long run is `make crash-notify`): never twice to a client,
none lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The run migrates a SQLite database of its own in a clean environment: the same whatever database the suite runs on.
pytestmark = pytest.mark.database_independent


@pytest.mark.slow
def test_killing_the_worker_while_it_sends_loses_nothing_and_never_repeats_a_client_message():
    env = {key: value for key, value in os.environ.items() if not key.startswith("IPTRIAD_")}
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "notify_crash.py"), "--kills", "3", "--seed", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "client messages received twice: 0" in done.stdout
    assert "lost (sent but never received, or never resolved): 0" in done.stdout
