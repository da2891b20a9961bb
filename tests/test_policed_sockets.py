"""Sockets a library opens itself are held to the outbound policy inside policed()."""
from __future__ import annotations

import contextvars
import socket
import threading

import pytest

from app.integrations.apprise_url import plugin_for, speaks_only_http
from app.transport import sockets
from app.transport.outbound import DestinationRefused, Policy


@pytest.fixture
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    yield server.getsockname()[1]
    server.close()


def test_connect_to_a_denied_address_is_refused_and_recorded(listener):
    with sockets.policed(policy=Policy(deny=("127.0.0.0/8",))) as guard, \
            pytest.raises(DestinationRefused):
        socket.create_connection(("localhost", listener), timeout=5)
    assert str(guard.refused) == "destination not allowed by policy: 127.0.0.1"


def test_outside_the_block_connections_are_not_checked(listener):
    with sockets.policed(policy=Policy(deny=("127.0.0.0/8",))):
        pass
    socket.create_connection(("127.0.0.1", listener), timeout=5).close()


def test_allowed_address_connects(listener):
    with sockets.policed(policy=Policy()) as guard:
        socket.create_connection(("127.0.0.1", listener), timeout=5).close()
    assert guard.refused is None


def test_a_thread_running_in_a_copy_of_the_context_is_policed_too(listener):
    outcome: list[BaseException] = []

    def dial() -> None:
        try:
            socket.create_connection(("127.0.0.1", listener), timeout=5).close()
        except DestinationRefused as exc:
            outcome.append(exc)

    with sockets.policed(policy=Policy(deny=("127.0.0.1",))):
        worker = threading.Thread(target=contextvars.copy_context().run, args=(dial,))
        worker.start()
        worker.join(30)
    assert [str(e) for e in outcome] == ["destination not allowed by policy: 127.0.0.1"]


def test_local_unix_socket_is_refused(tmp_path):
    path = str(tmp_path / "s")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen()
    client = socket.socket(socket.AF_UNIX)
    with sockets.policed(policy=Policy()), pytest.raises(DestinationRefused):
        client.connect(path)
    client.close()
    server.close()


@pytest.mark.parametrize(("url", "http_only"), [
    ("json://example.com/", True), ("ntfy://example.com/topic", True),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", True),
    ("mailto://user:pass@example.com", False), ("syslog://", False),
])
def test_schemes_are_sorted_into_http_and_opaque(url, http_only):
    assert speaks_only_http(type(plugin_for(url))) is http_only
