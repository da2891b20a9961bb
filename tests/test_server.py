"""The real server (python app.py) keeps answering while slow clients hold connections."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from waitress import wasyncore

from app import server
from app.server import Limits, QueueDepthSummary, YieldingLoop, make_server

ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS = 300
GENEROUS = 60  # seconds: a busy machine is slow, and only a hang should fail these tests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def herald_server(tmp_path: Path, *args: str) -> Iterator[str]:
    """`python app.py` on a free loopback port with its own database; yields its base URL."""
    port = free_port()
    env = {**os.environ, "HERALD_DATABASE_URL": f"sqlite:///{tmp_path / 'herald.sqlite3'}",
           "HERALD_SECRET_KEY": "server-test", "HERALD_ENCRYPTION_KEY": Fernet.generate_key()
           .decode(), "HERALD_PROVISIONING_DIR": ""}
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        started = threading.Event()
        threading.Thread(target=lambda: process.stdout.readline() and started.set(),
                         daemon=True).start()
        assert started.wait(GENEROUS), "Herald did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=GENEROUS)


class SlowClients:
    """Connections that send their request headers one line a second and never finish."""

    def __init__(self, base: str, count: int, seconds: float) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sockets = [socket.create_connection((host, int(port)), timeout=GENEROUS)
                        for _ in range(count)]
        self.closed: set[int] = set()
        self.stop = threading.Event()
        self.rounds = 0
        for connection in self.sockets:
            connection.sendall(b"GET /login HTTP/1.1\r\nHost: herald\r\n")
        self.thread = threading.Thread(target=self._trickle, args=(seconds,), daemon=True)
        self.thread.start()

    def _trickle(self, seconds: float) -> None:
        for _ in range(int(seconds)):  # bounded: at most this many lines each
            if self.stop.wait(1):
                return
            self.rounds += 1
            for index, connection in enumerate(self.sockets):
                if index not in self.closed:
                    self._send(index, connection, f"X-Slow-{self.rounds}: 1\r\n".encode())

    def _send(self, index: int, connection: socket.socket, line: bytes) -> None:
        try:
            connection.sendall(line)
        except OSError:
            self.closed.add(index)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(GENEROUS)
        for connection in self.sockets:
            connection.close()


def wait_for(condition: Callable[[], bool], seconds: float = GENEROUS) -> bool:
    done = threading.Event()
    for _ in range(int(seconds * 10)):
        if condition():
            return True
        done.wait(0.1)
    return condition()


def test_the_login_page_answers_while_300_slow_clients_hold_connections(tmp_path):
    with herald_server(tmp_path, "--header-timeout", "120") as base:
        slow = SlowClients(base, SLOW_CLIENTS, seconds=GENEROUS)
        try:
            assert wait_for(lambda: slow.rounds >= 2)  # all of them are in, and trickling

            answer = requests.get(f"{base}/login", timeout=GENEROUS)

            assert answer.status_code in (200, 302)
            assert not slow.closed  # they were all still open while the page answered
        finally:
            slow.close()


def test_a_client_that_never_finishes_its_headers_is_disconnected(tmp_path):
    with herald_server(tmp_path, "--header-timeout", "2") as base:
        slow = SlowClients(base, 3, seconds=GENEROUS)
        try:
            # Each still sends a line a second, so it never looks idle; the deadline cuts it.
            assert wait_for(lambda: len(slow.closed) == 3)
            assert requests.get(f"{base}/login", timeout=GENEROUS).status_code in (200, 302)
        finally:
            slow.close()


def test_headers_over_the_size_cap_are_refused(tmp_path):
    with herald_server(tmp_path) as base:
        answer = requests.get(f"{base}/login", headers={"X-Big": "x" * 70 * 1024},
                              timeout=GENEROUS)
    assert answer.status_code in (400, 431)


def test_the_server_loop_gives_the_gil_up_after_every_turn(monkeypatch):
    events: list[str] = []
    monkeypatch.setattr(server, "hand_over", lambda: events.append("hand over"))
    near, far = socket.socketpair()
    sockets: dict = {}

    class Writer(wasyncore.dispatcher):
        """Always writable: each turn of the loop sends once; the third send closes it."""

        def readable(self) -> bool:
            return False

        def writable(self) -> bool:
            return True

        def handle_write(self) -> None:
            self.send(b"x")
            events.append("turn")
            if events.count("turn") == 3:
                self.close()  # leaves the map empty: the loop ends

    Writer(near, map=sockets)
    try:
        YieldingLoop.loop(timeout=5.0, use_poll=True, map=sockets)
    finally:
        far.close()

    assert events == ["turn", "hand over"] * 3


def test_the_real_server_runs_the_yielding_loop(app):
    served = make_server(app, "127.0.0.1", 0, Limits())
    try:
        assert served.asyncore is YieldingLoop
    finally:
        served.close()
def _queue_record(depth: int) -> logging.LogRecord:
    return logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1,
                             QueueDepthSummary.MESSAGE, (depth,), None)


def test_queue_depth_warnings_become_one_line_per_interval():
    now = [100.0]
    summary = QueueDepthSummary(interval=10.0, clock=lambda: now[0])

    first = _queue_record(1)
    burst = [_queue_record(depth) for depth in (2, 7, 30, 4)]
    passed_first = summary.filter(first)
    passed_burst = [summary.filter(record) for record in burst]
    now[0] += 10.0
    later = _queue_record(3)
    passed_later = summary.filter(later)

    assert passed_first and not any(passed_burst) and passed_later
    assert first.getMessage() == ("Requests are waiting for a free server thread: 1 since the "
                                  "last such line, up to 1 at once (see README, Deployment)")
    assert "5 since the last such line, up to 30 at once" in later.getMessage()


def test_other_waitress_lines_pass_untouched():
    summary = QueueDepthSummary(interval=10.0, clock=lambda: 0.0)
    summary.filter(_queue_record(1))
    other = logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1,
                              "Something else %s", ("x",), None)

    assert summary.filter(other) and other.getMessage() == "Something else x"


def test_the_server_summarises_waitress_queue_warnings_once():
    for _ in range(2):
        make_server(lambda environ, start: [], "127.0.0.1", 0, Limits()).close()

    filters = logging.getLogger("waitress.queue").filters
    assert sum(isinstance(f, QueueDepthSummary) for f in filters) == 1
