"""A child process kept running beside the server: `iptriad serve` runs the background worker this way.

The child is started again when it dies (after a pause that grows while it keeps dying at once), and stopped when
the server stops: first politely (SIGINT: the worker finishes what it is sending), then for good.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time

logger = logging.getLogger("iptriad.supervisor")

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0
# A child that ran this long before dying was not crash-looping: the next restart pauses only briefly.
STABLE_SECONDS = 60.0
STOP_GRACE_SECONDS = 15.0


class Supervisor:
    def __init__(self, command: list[str], name: str = "worker") -> None:
        self.command = command
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{self.name}", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen(self.command)  # noqa: S603 - our own command, no shell
            self.starts += 1
            logger.info("Started the %s (process %s)", self.name, self.process.pid)

    def _watch(self) -> None:
        pause = FIRST_PAUSE_SECONDS
        while not self._stopping.is_set():
            process = self.process
            if process is None:
                return
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            lived = time.monotonic() - started
            pause = FIRST_PAUSE_SECONDS if lived >= STABLE_SECONDS else min(pause * 2, LONGEST_PAUSE_SECONDS)
            logger.error("The %s stopped (exit %s); starting it again in %.0f s", self.name, code, pause)
            if self._stopping.wait(pause):
                return
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
