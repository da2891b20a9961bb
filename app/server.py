"""Herald under waitress, with its limits set on purpose so slow clients do not starve it.

Waitress reads every request on one asynchronous loop and only hands complete requests to
its worker threads, so a slow client never holds a thread; what it can hold is a
connection. Waitress closes connections that say nothing for channel_timeout, but one that
sends a header line now and then is never idle, so each connection also gets a deadline
for its request headers (HeaderDeadlineChannel), and the connection limit is raised well
above waitress's 100. A client with many addresses can still fill it; a reverse proxy in
front (README, Deployment) is the real defence.
"""
from __future__ import annotations

import contextlib
import logging
import os
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server


@dataclass(frozen=True)
class Limits:
    """Waitress's knobs as Herald sets them (see README, Deployment)."""

    threads: int = 8
    connection_limit: int = 1000  # open connections; waitress's default is 100
    channel_timeout: int = 30  # seconds a connection may stay silent
    cleanup_interval: int = 5  # seconds between sweeps for silent connections
    max_request_header_size: int = 64 * 1024  # bytes of request line and headers
    max_request_body_size: int = 2 * 1024 * 1024  # Flask refuses over 1 MiB in words
    header_timeout: float = 10.0  # seconds from a request's first byte to its last header

    def waitress_options(self) -> dict[str, Any]:
        options = asdict(self)
        del options["header_timeout"]
        # poll(), not select(): select() cannot watch descriptors above 1,024.
        return {**options, "asyncore_use_poll": True}


class HeaderDeadlineChannel(HTTPChannel):
    """A connection closed when its request headers take longer than header_timeout."""

    header_timeout = Limits.header_timeout
    reading_since: float | None = None

    def received(self, data: bytes) -> bool:
        if self.reading_since is None and data:
            self.reading_since = time.monotonic()
        result = super().received(data)
        if self.request is None or self.request.headers_finished:
            self.reading_since = None  # the headers are in: the deadline is met
        return result

    def readable(self) -> bool:
        # Asked on every turn of the loop (at least once a second), for every connection.
        if self.reading_since is not None and (
            time.monotonic() - self.reading_since > self.header_timeout
        ):
            self.reading_since = None
            self.will_close = True  # closed on the next turn, without an answer
        return super().readable()


# Release the GIL and let a thread waiting for it run; a plain sleep(0) where the system
# has no sched_yield (Windows). Chosen once, not on every turn of the loop.
hand_over: Callable[[], None] = getattr(os, "sched_yield", None) or (lambda: time.sleep(0))


class YieldingLoop:
    """Waitress's event loop, giving the GIL up after every turn.

    One thread polls every connection and hands complete requests to the request threads.
    Under load it turns again at once, while a request thread coming back from a socket
    or SQLite call (each releases the GIL) waits for the GIL until the loop blocks or the
    interpreter's 5 ms switch interval forces it out. Giving it up once a turn lets those
    threads on: with 8 threads and 32 connections the intake accepted about twice as many
    groups a second (see README, Benchmarks). Set as the server's `asyncore`, the module
    waitress runs its loop from.
    """

    @staticmethod
    def loop(timeout: float = 30.0, use_poll: bool = False,
             map: dict[int, Any] | None = None) -> None:  # noqa: A002 - waitress's name
        turn = wasyncore.poll2 if use_poll else wasyncore.poll
        sockets = wasyncore.socket_map if map is None else map
        while sockets:
            turn(timeout, sockets)
            hand_over()


class QueueDepthSummary(logging.Filter):
    """Waitress warns "Task queue depth is N" for every request that has to wait for a
    thread: under load, a line per request, written while its dispatcher holds the lock its
    threads take work with. This lets the first through at once, then one line per
    interval saying how many waited since and the deepest the queue was."""

    MESSAGE = "Task queue depth is %d"  # waitress's words (waitress/task.py)

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.interval, self.clock = interval, clock
        self._lock = threading.Lock()
        self._next_at = float("-inf")
        self._waited = self._deepest = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self.MESSAGE or not isinstance(record.args, tuple):
            return True
        with self._lock:
            self._waited += 1
            self._deepest = max(self._deepest, int(record.args[0]))
            now = self.clock()
            if now < self._next_at:
                return False
            record.msg = ("Requests are waiting for a free server thread: %d since the last "
                          "such line, up to %d at once (see README, Deployment)")
            record.args = (self._waited, self._deepest)
            self._waited = self._deepest = 0
            self._next_at = now + self.interval
        return True


def _summarise_queue_warnings() -> None:
    queue_logger = logging.getLogger("waitress.queue")
    if not any(isinstance(f, QueueDepthSummary) for f in queue_logger.filters):
        queue_logger.addFilter(QueueDepthSummary())


def make_server(application: Any, host: str, port: int, limits: Limits) -> Any:
    """A waitress server for the application, every listening socket with Herald's limits."""
    _summarise_queue_warnings()
    _allow_open_files(limits.connection_limit + 64)
    sockets: dict[int, Any] = {}
    server = create_server(application, map=sockets, host=host, port=port,
                           **limits.waitress_options())
    server.asyncore = YieldingLoop  # run() turns this loop instead of waitress's own
    channel = type("Channel", (HeaderDeadlineChannel,), {"header_timeout": limits.header_timeout})
    for listener in list(sockets.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel
    return server


def _allow_open_files(wanted: int) -> None:
    """Raise the soft limit on open files towards wanted (as far as the hard limit allows)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
