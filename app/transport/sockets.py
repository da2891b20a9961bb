"""Sockets opened by a library Herald does not control, held to the destination policy.

A library such as apprise opens its own connections, so app/transport/http.py cannot
vet them. Inside ``policed(...)``, every DNS lookup, connect and datagram that Python
code makes in the same context (threads started with a copy of it included) is checked
through Python's audit hooks (PEP 578): a denied name is refused before it is looked up,
and each address is checked just before it is dialled, so what is checked is what is
reached. Each connected socket is also put under the exchange's deadline.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from app.transport import deadlines
from app.transport.outbound import DestinationRefused, Policy, current_policy

_CHECKED_EVENTS = frozenset(
    {"socket.getaddrinfo", "socket.gethostbyname", "socket.connect", "socket.sendto"})
_IP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


@dataclass
class Guard:
    """The policy of one policed exchange, the name it last looked up, and any refusal."""

    policy: Policy
    deadline: deadlines.Deadline | None
    host: str | None = None
    refused: DestinationRefused | None = None

    def refuse(self, host: str) -> None:
        self.refused = DestinationRefused(host)
        raise self.refused

    def check_name(self, host: Any) -> None:
        name = host.decode("idna") if isinstance(host, bytes) else str(host or "")
        if name and not self.policy.may_try(name):
            self.refuse(name)
        self.host = name or self.host

    def check_socket(self, sock: socket.socket, address: Any, *, connecting: bool) -> None:
        if sock.family not in _IP_FAMILIES:
            self.refuse(str(address))  # a local socket: nothing the policy can judge
        ip = str(address[0])
        if not self.policy.permits(self.host or ip, ip):
            self.refuse(ip)
        if connecting and self.deadline is not None:
            self.deadline.watch(sock)


_active: ContextVar[Guard | None] = ContextVar("herald_policed_sockets", default=None)
_installed = False
_install_lock = threading.Lock()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """The audit hook: a cheap no-op outside a policed exchange."""
    if event not in _CHECKED_EVENTS:
        return
    guard = _active.get()
    if guard is None:
        return
    if event in ("socket.getaddrinfo", "socket.gethostbyname"):
        guard.check_name(args[0])
    else:
        guard.check_socket(args[0], args[1], connecting=event == "socket.connect")


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_audit)  # hooks cannot be removed: it stays, idle
            _installed = True


@contextmanager
def policed(deadline: deadlines.Deadline | None = None,
            policy: Policy | None = None) -> Iterator[Guard]:
    """Check every connection made in this context against the policy, until the end."""
    _install()
    guard = Guard(policy or current_policy(), deadline)
    token = _active.set(guard)
    try:
        yield guard
    finally:
        _active.reset(token)
