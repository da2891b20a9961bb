"""Loopback HTTP helpers for sender tests: a slow threaded receiver and a closed port."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug import Request, Response

GATE_TIMEOUT = 5.0
# A hanging receiver answers by itself only this late: its tests release it themselves,
# and on leaving its block, so however slow the machine the hang outlasts what they wait for.
HANG_TIMEOUT = 60.0


class SlowReceiver(ThreadingHTTPServer):
    """Answers 200 to every POST after `delay` seconds, many requests at once."""

    daemon_threads = True

    def __init__(self, delay: float, port: int = 0, gate: int = 0) -> None:
        self.delay = delay
        # With a gate, each request is held until that many are in flight together (or
        # GATE_TIMEOUT passed): overlap is then proven by events, not by timing.
        self.gate = gate
        self.count = 0
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests being answered at the same moment
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        self.all_in = threading.Condition(self.lock)
        super().__init__(("127.0.0.1", port), _SlowHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer_ok(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class _SlowHandler(_QuietHandler):
    # Answer in one segment: a lone small write would wait for a delayed ACK (40 ms).
    disable_nagle_algorithm = True
    wbufsize = -1
    server: SlowReceiver

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:  # the sender went away mid-request (killed): nothing arrived
            return
        server = self.server
        with server.lock:
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
            server.all_in.notify_all()
            if server.gate:
                server.all_in.wait_for(lambda: server.most_in_flight >= server.gate,
                                       timeout=GATE_TIMEOUT)
        time.sleep(server.delay)
        with self.server.lock:
            self.server.in_flight -= 1
            self.server.count += 1
            self.server.bodies.append(body)
        self.answer_ok()


@contextmanager
def slow_receiver(delay: float, port: int = 0, gate: int = 0) -> Iterator[SlowReceiver]:
    server = SlowReceiver(delay, port, gate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class HangingReceiver(ThreadingHTTPServer):
    """Holds every POST until `release` is set (or HANG_TIMEOUT), then answers 200 and
    sets `answered`."""

    daemon_threads = True

    def __init__(self) -> None:
        self.release = threading.Event()
        self.answered = threading.Event()
        self.requests = 0  # requests received so far
        super().__init__(("127.0.0.1", 0), _HangingHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hang"


class _HangingHandler(_QuietHandler):
    server: HangingReceiver

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests += 1
        self.server.release.wait(HANG_TIMEOUT)
        self.answer_ok()
        self.server.answered.set()


@contextmanager
def hanging_receiver() -> Iterator[HangingReceiver]:
    server = HangingReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


_BOUND: dict[int, socket.socket] = {}


def closed_port() -> int:
    """A loopback port nothing listens on, for the rest of the run.

    The port stays bound by a socket that never listens. Connecting to it is refused, and the
    kernel cannot hand it out as the source port of a new connection. A port merely released
    could be: a connection from it to itself then succeeds (a TCP self-connect) and hangs
    instead of being refused.
    """
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    _BOUND[port] = probe
    return port


def open_port(port: int) -> None:
    """Lets a server bind a port that `closed_port` gave, as when a receiver comes up."""
    _BOUND.pop(port).close()


class _Listener:
    """A loopback socket that does one thing to every connection, in a thread."""

    def __init__(self, on_connect) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.socket.getsockname()[1]
        self.on_connect = on_connect
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.on_connect(self, connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self.held:
            connection.close()


@contextmanager
def accept_and_close() -> Iterator[int]:
    """A port that accepts every connection and closes it at once; yields the port."""
    listener = _Listener(lambda _, connection: connection.close())
    try:
        yield listener.port
    finally:
        listener.close()


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word; yields the port."""
    listener = _Listener(lambda self, connection: self.held.append(connection))
    try:
        yield listener.port
    finally:
        listener.close()


def answers(*statuses: int, headers: dict | None = None) -> Callable[[Request], Response]:
    """A pytest-httpserver handler answering with the given statuses in turn, then 200."""
    queue = list(statuses)

    def handle(request: Request) -> Response:
        status = queue.pop(0) if queue else 200
        return Response("boom" if status >= 400 else "ok", status=status,
                        headers=headers if status >= 400 else None)

    return handle
