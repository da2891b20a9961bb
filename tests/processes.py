"""Herald as real processes for tests: `flask worker` and `python app.py`, on a test database."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parent.parent


def herald_env(database: str, **overrides: str) -> dict[str, str]:
    """The environment of a Herald process on the test database (its URL)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HERALD_")}
    env.update(
        HERALD_DATABASE_URL=database,
        HERALD_ENCRYPTION_KEY=ENCRYPTION_KEY,
        HERALD_SECRET_KEY="test-secret-key",
        HERALD_EXTERNAL_URL="http://herald.test/",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def start_worker(database: str, log: Path, threads: int = 4, **env: str) -> subprocess.Popen:
    """`flask --app app worker` in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--threads", str(threads)],
        cwd=ROOT, env=herald_env(database, **env), stdout=log.open("ab"),
        stderr=subprocess.STDOUT, start_new_session=True)


def start_server(database: str, log: Path, port: int, **env: str) -> subprocess.Popen:
    """`python app.py` (web server and in-process workers) in its own process."""
    return subprocess.Popen(
        [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=herald_env(database, **env), stdout=log.open("ab"),
        stderr=subprocess.STDOUT, start_new_session=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll until the condition holds; fail naming what did not happen."""
    ends = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > ends:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, timeout, f"a server on port {port}")


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Send the signal to the process's whole group and reap it."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=60)
