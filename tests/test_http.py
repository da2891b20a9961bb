"""The HTTP seam against real loopback servers: answers, errors in words, limits."""
from __future__ import annotations

import datetime
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.integrations.base import SendError
from app.transport import http
from app.version import __version__
from tests.loopback import closed_port


def failure(url: str, **kwargs) -> SendError:
    with pytest.raises(SendError) as caught:
        http.request("POST", url, json={"hello": "world"}, **kwargs)
    return caught.value


def test_request_sends_json_with_herald_user_agent(httpserver: HTTPServer):
    httpserver.expect_oneshot_request(
        "/hook", method="POST", json={"hello": "world"},
        headers={"User-Agent": f"Herald/{__version__}", "Content-Type": "application/json"},
    ).respond_with_json({"ok": True}, status=202)

    answer = http.request("POST", httpserver.url_for("/hook"), json={"hello": "world"})

    assert (answer.status, answer.json) == (202, {"ok": True})
    assert answer.duration_ms >= 0
    httpserver.check_assertions()


def test_a_url_sent_to_again_is_prepared_as_requests_prepares_it(httpserver: HTTPServer):
    # Each distinct URL is prepared once and kept: the second send must still quote it.
    httpserver.expect_request("/a b/ä").respond_with_data("ok")
    url = httpserver.url_for("/a b/ä") + "?q=x y&r=ü"

    for _ in range(2):
        http.request("POST", url, data=b"")

    assert [request.environ["RAW_URI"] for request, _ in httpserver.log] == [
        "/a%20b/%C3%A4?q=x%20y&r=%C3%BC"] * 2


@pytest.mark.parametrize("url", ["http://", "example.com/hook", "http://[::1/hook"])
def test_a_url_requests_refuses_is_refused_on_every_send(url):
    first, second = failure(url), failure(url)
    assert first.message == second.message
    assert first.permanent and second.permanent


def test_not_found_names_the_first_line_of_the_answer_and_is_permanent(httpserver):
    httpserver.expect_request("/hook").respond_with_data(
        "  no_service  \nsecond line", status=404)

    error = failure(httpserver.url_for("/hook"))

    assert error.message == "HTTP 404: no_service"
    assert (error.permanent, error.status) == (True, 404)


def test_json_error_answers_are_read_for_their_message(httpserver):
    httpserver.expect_request("/hook").respond_with_json(
        {"status": "invalid event", "message": "Event object is invalid",
         "errors": ["Length of 'routing_key' is incorrect"]}, status=400)

    error = failure(httpserver.url_for("/hook"))

    assert error.message == (
        "HTTP 400: Event object is invalid: Length of 'routing_key' is incorrect")


def test_empty_error_answer_uses_the_status_phrase(httpserver):
    httpserver.expect_request("/hook").respond_with_data("", status=403)

    assert failure(httpserver.url_for("/hook")).message == "HTTP 403: Forbidden"


def test_server_errors_are_transient(httpserver):
    httpserver.expect_request("/hook").respond_with_data("upstream down", status=503)

    error = failure(httpserver.url_for("/hook"))

    assert error.message == "HTTP 503: upstream down"
    assert error.permanent is False


def test_429_is_transient_and_carries_retry_after(httpserver):
    httpserver.expect_request("/hook").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"})

    error = failure(httpserver.url_for("/hook"))

    assert (error.message, error.permanent, error.retry_after) == (
        "HTTP 429: slow down", False, 7.0)


def test_429_retry_after_in_a_json_body_is_honoured(httpserver):
    httpserver.expect_request("/hook").respond_with_json(
        {"message": "You are being rate limited.", "retry_after": 1.5, "global": False},
        status=429)

    error = failure(httpserver.url_for("/hook"))

    assert error.retry_after == 1.5
    assert error.message == "HTTP 429: You are being rate limited."


def test_connection_refused_names_host_and_port():
    port = closed_port()

    error = failure(f"http://127.0.0.1:{port}/secret-path")

    assert error.message == f"connection refused (127.0.0.1:{port})"
    assert error.permanent is False


def test_timeout_comes_from_the_app_config(app, httpserver):
    released, answered = threading.Event(), threading.Event()

    def held(request: Request) -> Response:
        released.wait(10)  # until the test has its error: an answer Herald cannot wait for
        answered.set()
        return Response("late")

    httpserver.expect_request("/hook").respond_with_handler(held)
    app.config["HERALD_HTTP_TIMEOUT"] = 0.2

    error = failure(httpserver.url_for("/hook"))
    gave_up_first = not answered.is_set()
    released.set()

    assert error.message == "timed out after 0.2 s"
    assert error.permanent is False
    assert gave_up_first  # the send ended while the server still held its answer


@dataclass
class RawServer:
    url: str
    # One entry per connection, once its answer is over: whether it was written in full.
    completed: list[bool] = field(default_factory=list)


@contextmanager
def raw_server(answer: Callable[[socket.socket], bool]) -> Iterator[RawServer]:
    """A loopback server running answer(connection) for each connection it accepts."""
    listener = socket.create_server(("127.0.0.1", 0))
    server = RawServer(f"http://127.0.0.1:{listener.getsockname()[1]}/hook")
    connections: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def run(connection: socket.socket) -> None:
        try:
            server.completed.append(answer(connection))
        except OSError:  # Herald hung up, as it should, or the test is over
            server.completed.append(False)

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # the listener was closed: the test is over
                return
            connections.append(connection)
            threads.append(threading.Thread(target=run, args=(connection,), daemon=True))
            threads[-1].start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server
    finally:
        listener.close()
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        for thread in threads:
            thread.join(5)


def drip(connection: socket.socket, data: bytes, pause: float = 0.1) -> bool:
    """Send data a byte at a time, each byte well inside the read timeout (10 s for 100
    bytes); False if the connection was closed first."""
    for byte in data:
        time.sleep(pause)
        connection.sendall(bytes([byte]))  # OSError once Herald has hung up
    return True


def read_request(connection: socket.socket) -> None:
    """Read one whole request: its head, then as many body bytes as it announces."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += receive(connection)
    head, body = data.split(b"\r\n\r\n", 1)
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    while len(body) < (int(length.group(1)) if length else 0):
        body += receive(connection)


def receive(connection: socket.socket) -> bytes:
    data = connection.recv(65536)
    if not data:
        raise ConnectionResetError("the client closed the connection")
    return data


def drip_headers(connection: socket.socket) -> bool:
    read_request(connection)
    return drip(connection, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"z" * 100 + b"\r\n\r\n")


def drip_body(connection: socket.socket) -> bool:
    read_request(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    return drip(connection, b"x" * 100)


@pytest.mark.parametrize("answer", [drip_headers, drip_body], ids=["headers", "body"])
def test_a_server_dripping_its_answer_is_cut_off_at_the_timeout(app, answer):
    app.config["HERALD_HTTP_TIMEOUT"] = 0.5

    with raw_server(answer) as server:
        error = failure(server.url)

    assert error.message == "timed out after 0.5 s"
    assert error.permanent is False
    assert server.completed == [False]  # Herald hung up before the answer was over


def answer_twice_then_drip(connection: socket.socket) -> bool:
    """A keep-alive connection: two requests are answered at once, the third drips."""
    for _ in range(2):
        read_request(connection)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    return drip_body(connection)


def test_a_kept_alive_connection_is_cut_off_at_the_timeout_too(app):
    app.config["HERALD_HTTP_TIMEOUT"] = 0.5

    with raw_server(answer_twice_then_drip) as server:
        assert http.request("POST", server.url, json={}).text == "ok"
        # Past the first request's deadline: its connection stays usable, and the next
        # two exchanges watch it through the duplicate the connection kept.
        time.sleep(0.7)
        assert http.request("POST", server.url, json={}).text == "ok"
        error = failure(server.url)

    assert error.message == "timed out after 0.5 s"
    assert server.completed == [False]  # one connection, cut off during the third answer


def test_unknown_dns_name_is_reported_by_name(monkeypatch):
    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # No lookup leaves the machine: the resolver itself is replaced.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)

    error = failure("https://alerts.example.test/hook")

    assert error.message == "DNS name not found: alerts.example.test"
    assert error.permanent is True


def test_answers_are_capped_in_size(httpserver):
    httpserver.expect_request("/hook").respond_with_data("x" * (1024 * 1024))

    answer = http.request("POST", httpserver.url_for("/hook"), json={})

    assert len(answer.text) == http.MAX_ANSWER_BYTES


def test_temporary_redirects_are_followed_with_the_body(httpserver):
    httpserver.expect_oneshot_request("/old", method="POST").respond_with_data(
        "", status=307, headers={"Location": httpserver.url_for("/new")})
    httpserver.expect_oneshot_request("/new", method="POST", json={"hello": "world"}
                                      ).respond_with_data("ok")

    answer = http.request("POST", httpserver.url_for("/old"), json={"hello": "world"})

    assert answer.status == 200
    httpserver.check_assertions()


def test_no_cookie_a_provider_sets_is_ever_sent_back(httpserver):
    # Not on the redirect it answers with, nor on a later request to the same host (which
    # may be another contact point's integration).
    cookie = {"Set-Cookie": "sid=secret; Path=/"}
    httpserver.expect_oneshot_request("/old").respond_with_data(
        "", status=307, headers={**cookie, "Location": httpserver.url_for("/new")})
    httpserver.expect_request("/new").respond_with_data("ok", headers=cookie)

    http.request("POST", httpserver.url_for("/old"), json={"hello": "world"})
    http.request("POST", httpserver.url_for("/new"), json={"hello": "world"})

    assert [request.path for request, _ in httpserver.log] == ["/old", "/new", "/new"]
    assert [request.headers.get("Cookie") for request, _ in httpserver.log] == [None] * 3


def test_more_than_three_redirects_fail(httpserver):
    for hop in range(5):
        httpserver.expect_request(f"/hop{hop}").respond_with_data(
            "", status=307, headers={"Location": httpserver.url_for(f"/hop{hop + 1}")})

    error = failure(httpserver.url_for("/hop0"))

    assert error.message == "too many redirects (more than 3)"
    assert error.permanent is True


def test_a_redirect_that_would_drop_the_body_is_refused(httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "https://new.example.test/hook"})

    error = failure(httpserver.url_for("/old"))

    assert error.message.startswith("HTTP 301: the URL redirects to new.example.test:443")
    assert error.permanent is True
    assert len(httpserver.log) == 1


def test_destination_policy_is_checked_before_connecting(httpserver):
    http.set_destination_policy(lambda url: "Herald may not send to loopback addresses.")
    try:
        error = failure(httpserver.url_for("/hook"))
    finally:
        http.set_destination_policy(None)

    assert error.message == "Herald may not send to loopback addresses."
    assert error.permanent is True
    assert httpserver.log == []


# --- TLS ----------------------------------------------------------------------------------


@pytest.fixture
def self_signed_server(tmp_path) -> Iterator[HTTPServer]:
    """An HTTPS server on 127.0.0.1 whose certificate nobody trusts."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = HTTPServer(host="127.0.0.1", ssl_context=context)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_untrusted_certificate_is_a_permanent_tls_error(self_signed_server):
    self_signed_server.expect_request("/hook").respond_with_data("ok")

    error = failure(self_signed_server.url_for("/hook"))

    assert error.message.startswith("TLS certificate error: ")
    assert "self-signed" in error.message or "self signed" in error.message
    assert error.permanent is True


def test_json_bodies_are_written_as_go_writes_them():
    from app.transport.http import go_json

    assert go_json({"text": "a&b <i>", "list": [1, 2.5], "é": "\u2028"}) == (
        '{"text":"a\\u0026b \\u003ci\\u003e","list":[1,2.5],"é":"\\u2028"}'.encode())
