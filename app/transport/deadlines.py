"""A wall-clock deadline for one whole HTTP exchange: connect, TLS, headers and body.

Socket timeouts limit each read, so a server dripping a byte just inside them could hold
a delivery open for ever. Instead app/http.py opens a Deadline around each request; every
socket dialled (app/outbound.py) or taken from the pool during it is watched, and one
watchdog thread shuts the watched sockets down when the deadline passes, which ends any
read or write at once. A connection going back to the pool stops being watched, and keeps
its duplicate for its next exchange, so a kept connection costs no system call to watch.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from types import TracebackType


class Deadline:
    """The time an exchange must be over by, and the sockets it is using meanwhile.

    It keeps its own descriptor (a duplicate) of each socket: wrapping a socket in TLS
    detaches the original object, and a duplicate still reaches the same connection.
    """

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self.finished = False
        self._duplicates: dict[int, int] = {}  # a watched socket's descriptor -> its duplicate
        self._lock = threading.Lock()
        self._outer: Deadline | None = None

    def __enter__(self) -> Deadline:
        self._outer = current()
        _local.deadline = self
        _watchdog.add(self)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        with self._lock:
            self.finished = True
            duplicates, self._duplicates = self._duplicates, {}
        _local.deadline = self._outer
        for duplicate in duplicates.values():
            os.close(duplicate)

    def watch(self, sock: socket.socket, duplicate: int | None = None) -> None:
        """Shut sock down at the deadline; TimeoutError if it has already passed.

        duplicate is a descriptor of the same connection kept from an earlier exchange (see
        release); the deadline owns it from now on. Without one, one is made.
        """
        if duplicate is None:
            duplicate = os.dup(sock.fileno())
        with self._lock:
            if self.expired:
                os.close(duplicate)
                raise TimeoutError("the deadline has passed")
            replaced = self._duplicates.pop(sock.fileno(), None)
            self._duplicates[sock.fileno()] = duplicate
        if replaced is not None:  # a closed socket's descriptor, reused
            os.close(replaced)

    def release(self, sock: socket.socket, keep: bool = False) -> int | None:
        """Stop watching sock (a connection going back to the pool, still good).

        With keep, its duplicate is handed to the caller, who gives it to watch for the
        connection's next exchange or closes it; None if there is none (never watched, or
        already shut down at the deadline). Without keep, it is closed here.
        """
        with self._lock:
            duplicate = self._duplicates.pop(sock.fileno(), None)
        if duplicate is not None and not keep:
            os.close(duplicate)
            return None
        return duplicate

    def expire(self) -> None:
        """Mark the deadline passed and end the exchange's socket traffic, unless finished."""
        with self._lock:
            if self.finished:
                return
            self.expired = True
            duplicates, self._duplicates = self._duplicates, {}
        for duplicate in duplicates.values():
            handle = socket.socket(fileno=duplicate)  # closes the duplicate when done
            with handle, contextlib.suppress(OSError):  # never connected, or already shut
                handle.shutdown(socket.SHUT_RDWR)


_local = threading.local()


def current() -> Deadline | None:
    """The deadline of the exchange running in this thread, if any."""
    return getattr(_local, "deadline", None)


def watch(sock: socket.socket | None, duplicate: int | None = None) -> bool:
    """Put sock under the current deadline, if there is one; True if it took duplicate."""
    deadline = current()
    if deadline is not None and sock is not None and sock.fileno() >= 0:
        deadline.watch(sock, duplicate)
        return True
    return False


def release(sock: socket.socket | None, keep: bool = False) -> int | None:
    """Take sock from under the current deadline, if it is there (see Deadline.release)."""
    deadline = current()
    if deadline is not None and sock is not None and sock.fileno() >= 0:
        return deadline.release(sock, keep)
    return None


class _Watchdog:
    """One thread expiring deadlines in time order.

    Finished deadlines are not taken out of the heap (that would cost every request a
    search); they are dropped when they come up, so arming one costs a heap push.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._condition:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():  # first use, or forked
                self._thread = threading.Thread(target=self._run, name="herald-deadlines",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0][2] is deadline:  # sooner than what the thread waits for
                self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                deadline = self._next_due()
            deadline.expire()

    def _next_due(self) -> Deadline:
        """Wait for the earliest unfinished deadline to pass, and take it off the heap."""
        while True:
            while self._heap and self._heap[0][2].finished:
                heapq.heappop(self._heap)
            if not self._heap:
                self._condition.wait()
                continue
            wait = self._heap[0][0] - time.monotonic()
            if wait <= 0:
                return heapq.heappop(self._heap)[2]
            self._condition.wait(wait)


_watchdog = _Watchdog()
