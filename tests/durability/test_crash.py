"""kill -9 of the server during a stream of writes loses no acknowledged write (bench/crash.py, a modest run).

`make crash` runs the full target: 1,000 iterations on SQLite and 100 on PostgreSQL (docs/reliability.md).
The audit hash chains are verified every CHAIN_EVERY iterations and at the end, and must be intact each time.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.db import connection

from tests.durability.helpers import ROOT, postgres_server_url

ITERATIONS = {"sqlite": 50, "postgresql": 20}  # the long run, `make crash`, kills 1,000 and 100 times
CHAIN_EVERY = 10
SUMMARY = re.compile(r"^(\d+) iterations, (\d+) acknowledged writes checked, (\d+) lost$", re.MULTILINE)
CHAIN = re.compile(r"^audit chain verified: (\d+) events in \d+ chains?, (\d+) checks, all intact$", re.MULTILINE)


@pytest.mark.slow
def test_no_acknowledged_write_is_lost_when_the_server_is_killed_mid_write():
    iterations = ITERATIONS[connection.vendor]
    command = [sys.executable, str(ROOT / "bench" / "crash.py"), "--database", connection.vendor]
    command += ["--iterations", str(iterations), "--chain-every", str(CHAIN_EVERY)]
    if connection.vendor == "postgresql":
        command += ["--postgres-server", postgres_server_url()]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603 - this interpreter, our script
    output = finished.stdout + finished.stderr
    print(output)  # noqa: T201 - the figures, shown with -s and on failure
    summary = SUMMARY.search(finished.stdout)
    assert summary is not None, output
    checked, acknowledged, lost = (int(group) for group in summary.groups())
    assert (checked, lost) == (iterations, 0), output
    assert acknowledged > 0, output
    chain = CHAIN.search(finished.stdout)
    assert chain is not None, output
    events, checks = (int(group) for group in chain.groups())
    # Every 10 iterations before the last, then once at the end.
    assert checks == iterations // CHAIN_EVERY, output
    # Every acknowledged write has at least one audit event, and all of them were in the chain verified.
    assert events >= acknowledged, output
    assert "PROBLEM" not in finished.stdout
    assert finished.returncode == 0, output
