"""The destination policy against real loopback servers; DNS answers are simulated.

Nothing leaves the machine: names resolve only through the `dns` table, and the
`loopback_only` guard fails a test the moment Herald dials anything but loopback, so a
refusal here is proof that the policy said no before connecting.
"""
from __future__ import annotations

import datetime
import fcntl
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app import create_app
from app.extensions import db
from app.integrations.base import SendError
from app.transport import deadlines, http, outbound
from app.transport import smtp as mailer
from app.transport.outbound import Policy, describe_policy, parse_entries
from tests.conftest import make_config
from tests.loopback import SlowReceiver, slow_receiver
from tests.smtp_server import MailHandler, free_port, running_smtp_server

METADATA = "169.254.169.254"


class FakeDns:
    """A resolver table: each name gives its answers in turn, the last one repeating."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def answer(self, name: str, *addresses: str) -> None:
        self.answers[name] = [list(addresses)]

    def rebind(self, name: str, *answers: str) -> None:
        self.answers[name] = [[address] for address in answers]


@pytest.fixture
def dns(monkeypatch) -> FakeDns:
    fake = FakeDns()
    real_getaddrinfo = socket.getaddrinfo

    def numeric(address, port, family, kind, proto):
        return real_getaddrinfo(address, port, family, kind, proto, socket.AI_NUMERICHOST)

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        try:
            ipaddress.ip_address(host)
            return numeric(host, port, family, type, proto)
        except ValueError:
            pass
        fake.lookups.append(host)
        answers = fake.answers.get(host.rstrip("."))
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [info for a in addresses for info in numeric(a, port, family, type, proto)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch) -> list[str]:
    """Every address Herald dials; dialling one off this machine fails the test."""
    dialled: list[str] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        if isinstance(address, tuple):
            ip = ipaddress.ip_address(address[0].split("%")[0])
            dialled.append(str(ip))
            if not ip.is_loopback:
                raise AssertionError(f"dialled {ip}: the policy should have refused it")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return dialled


def refusal(url: str) -> SendError:
    with pytest.raises(SendError) as caught:
        http.request("POST", url, json={"hello": "world"})
    return caught.value


def deny(app, *entries: str) -> None:
    app.config["HERALD_OUTBOUND_DENY"] = entries


def hook_url(server: HTTPServer, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.port}/hook"


# --- HTTP ---------------------------------------------------------------------------------


def test_a_loopback_receiver_is_allowed_by_default(app, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")

    answer = http.request("POST", hook_url(httpserver), json={})

    assert (answer.status, answer.text) == (200, "ok")
    assert len(httpserver.log) == 1


def test_herald_outbound_deny_from_the_environment_refuses_loopback(
        monkeypatch, database_url, httpserver):
    monkeypatch.setenv("HERALD_OUTBOUND_DENY", "127.0.0.0/8, *.internal.example")
    application = create_app(make_config(database_url))
    httpserver.expect_request("/hook").respond_with_data("ok")

    with application.app_context():
        error = refusal(hook_url(httpserver))
        db.engine.dispose()

    assert application.config["HERALD_OUTBOUND_DENY"] == ("127.0.0.0/8", "*.internal.example")
    assert error.message == "destination not allowed by policy: 127.0.0.1"
    assert error.permanent is True
    assert httpserver.log == []


def test_a_bad_entry_stops_herald_with_the_variable_named(monkeypatch, database_url):
    monkeypatch.setenv("HERALD_OUTBOUND_ALLOW", "hooks.example.test, 10.0.0.0/33")

    with pytest.raises(RuntimeError, match="HERALD_OUTBOUND_ALLOW: '10.0.0.0/33' is not a"):
        create_app(make_config(database_url))


def test_a_name_resolving_to_a_denied_address_is_refused(app, dns, httpserver):
    dns.answer("hooks.example.test", "127.0.0.1")
    httpserver.expect_request("/hook").respond_with_data("ok")
    deny(app, "127.0.0.0/8")

    error = refusal(hook_url(httpserver, "hooks.example.test"))

    assert error.message == "destination not allowed by policy: hooks.example.test"
    assert dns.lookups == ["hooks.example.test"]
    assert httpserver.log == []


def test_a_denied_host_glob_is_refused_without_a_lookup(app, dns, httpserver):
    dns.answer("hooks.internal.example", "127.0.0.1")
    deny(app, "*.internal.example")

    error = refusal(hook_url(httpserver, "hooks.internal.example"))

    assert error.message == "destination not allowed by policy: hooks.internal.example"
    assert dns.lookups == []


@pytest.mark.parametrize("host", [
    METADATA, "100.100.100.200", "[fd00:ec2::254]", "[::ffff:169.254.169.254]", "0.0.0.0",
])
def test_metadata_addresses_are_refused_by_default(app, host, loopback_only):
    error = refusal(f"http://{host}/latest/meta-data/iam/security-credentials/")

    assert error.message == f"destination not allowed by policy: {host.strip('[]')}"
    assert error.permanent is True
    assert loopback_only == []


def test_a_name_resolving_to_the_metadata_address_is_refused(app, dns, loopback_only):
    dns.answer("metadata.example.test", METADATA)

    error = refusal("http://metadata.example.test/latest/meta-data/")

    assert error.message == "destination not allowed by policy: metadata.example.test"
    assert loopback_only == []


def test_only_the_permitted_addresses_of_a_name_are_dialled(app, dns, httpserver, loopback_only):
    dns.answer("hooks.example.test", METADATA, "127.0.0.1")
    httpserver.expect_request("/hook").respond_with_data("ok")

    answer = http.request("POST", hook_url(httpserver, "hooks.example.test"), json={})

    assert answer.status == 200
    assert loopback_only == ["127.0.0.1"]


def test_a_name_rebinding_to_the_metadata_address_is_refused_on_the_next_connection(
        app, dns, httpserver, loopback_only):
    dns.rebind("rebind.example.test", "127.0.0.1", METADATA)
    # The receiver closes each connection, so the second request must dial again.
    httpserver.expect_request("/hook").respond_with_data("ok", headers={"Connection": "close"})
    url = hook_url(httpserver, "rebind.example.test")

    first = http.request("POST", url, json={})
    error = refusal(url)

    assert first.status == 200
    assert error.message == "destination not allowed by policy: rebind.example.test"
    assert dns.lookups == ["rebind.example.test", "rebind.example.test"]  # one per dial
    assert loopback_only == ["127.0.0.1"]
    assert len(httpserver.log) == 1


def test_a_kept_connection_is_checked_again_when_the_policy_changes(app, dns):
    dns.answer("hooks.example.test", "127.0.0.1")
    with slow_receiver(0) as receiver:  # HTTP/1.1: the connection is kept for reuse
        url = receiver.url.replace("127.0.0.1", "hooks.example.test")
        http.request("POST", url, json={})
        http.request("POST", url, json={})
        lookups_while_kept = len(dns.lookups)

        deny(app, "127.0.0.1")
        error = refusal(url)

    assert lookups_while_kept == 1
    assert error.message == "destination not allowed by policy: hooks.example.test"
    assert receiver.count == 2


def test_a_redirect_to_the_metadata_address_is_refused(app, httpserver, loopback_only):
    httpserver.expect_request("/hook").respond_with_data(
        "", status=307, headers={"Location": f"http://{METADATA}/latest/meta-data/"})

    error = refusal(hook_url(httpserver))

    assert error.message == f"destination not allowed by policy: {METADATA}"
    assert error.permanent is True
    assert len(httpserver.log) == 1
    assert set(loopback_only) == {"127.0.0.1"}


def test_a_redirect_to_a_name_resolving_to_a_denied_address_is_refused_at_connect(
        app, dns, httpserver, loopback_only):
    dns.answer("hooks.example.test", "127.0.0.1")
    dns.answer("elsewhere.example.test", "127.0.0.2")
    deny(app, "127.0.0.2")
    httpserver.expect_request("/hook").respond_with_data(
        "", status=307, headers={"Location": hook_url(httpserver, "elsewhere.example.test")})

    error = refusal(hook_url(httpserver, "hooks.example.test"))

    assert error.message == "destination not allowed by policy: elsewhere.example.test"
    assert dns.lookups[-1] == "elsewhere.example.test"
    assert "127.0.0.2" not in loopback_only
    assert len(httpserver.log) == 1


def test_an_allow_list_admits_only_its_entries(app, dns, httpserver):
    dns.answer("hooks.example.test", "127.0.0.1")
    dns.answer("other.example.test", "127.0.0.1")
    httpserver.expect_request("/hook").respond_with_data("ok")
    app.config["HERALD_OUTBOUND_ALLOW"] = ("hooks.example.test",)

    allowed = http.request("POST", hook_url(httpserver, "hooks.example.test"), json={})
    by_address = refusal(hook_url(httpserver))
    by_other_name = refusal(hook_url(httpserver, "other.example.test"))

    assert allowed.status == 200
    assert by_address.message == "destination not allowed by policy: 127.0.0.1"
    assert by_other_name.message == "destination not allowed by policy: other.example.test"
    assert len(httpserver.log) == 1


def test_an_allowed_range_admits_every_name_resolving_into_it(app, dns, httpserver):
    dns.answer("hooks.example.test", "127.0.0.1")
    httpserver.expect_request("/hook").respond_with_data("ok")
    app.config["HERALD_OUTBOUND_ALLOW"] = "10.0.0.0/8, 127.0.0.0/8"

    answer = http.request("POST", hook_url(httpserver, "hooks.example.test"), json={})

    assert answer.status == 200


def test_deny_wins_over_allow(app, httpserver):
    app.config["HERALD_OUTBOUND_ALLOW"] = ("127.0.0.0/8",)
    deny(app, "127.0.0.1")

    assert refusal(hook_url(httpserver)).message == (
        "destination not allowed by policy: 127.0.0.1")
    assert httpserver.log == []


# --- proxies ------------------------------------------------------------------------------


@pytest.fixture
def proxy(monkeypatch, httpserver) -> Iterator[HTTPServer]:
    """The loopback receiver posing as the HTTP proxy for every http:// URL."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{httpserver.port}")
    http._proxies_for.cache_clear()
    yield httpserver
    monkeypatch.undo()
    http._proxies_for.cache_clear()


def test_through_a_proxy_only_the_proxy_is_dialled(app, dns, proxy, loopback_only):
    proxy.expect_request("/hook").respond_with_data("ok")

    answer = http.request("POST", "http://hooks.example.test/hook", json={})

    assert answer.status == 200
    assert proxy.log[0][0].host == "hooks.example.test"
    assert dns.lookups == []  # the proxy resolves the name and enforces the rest
    assert set(loopback_only) == {"127.0.0.1"}


def test_a_denied_proxy_is_refused(app, proxy):
    deny(app, "127.0.0.0/8")

    error = refusal("http://hooks.example.test/hook")

    assert error.message == "destination not allowed by policy: 127.0.0.1"
    assert proxy.log == []


def test_a_denied_address_is_refused_even_through_a_proxy(app, proxy):
    error = refusal(f"http://{METADATA}/latest/meta-data/")

    assert error.message == f"destination not allowed by policy: {METADATA}"
    assert proxy.log == []


def test_a_socks_proxy_is_refused_because_its_sockets_cannot_be_checked(app, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    http._proxies_for.cache_clear()
    try:
        error = refusal("http://hooks.example.test/hook")
    finally:
        monkeypatch.undo()
        http._proxies_for.cache_clear()

    assert error.message == (
        "Herald cannot check destinations through a SOCKS proxy: use an HTTP proxy")
    assert error.permanent is True


# --- TLS ----------------------------------------------------------------------------------


def make_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for name (its own trust anchor) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert_path, key_path


def server_context(cert_path: Path, key_path: Path, server_names: list[str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    return context


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch, dns) -> Iterator[tuple[HTTPServer, list[str]]]:
    """An HTTPS receiver on 127.0.0.1 with a certificate for hooks.example.test, trusted."""
    cert_path, key_path = make_certificate(tmp_path, "hooks.example.test")
    server_names: list[str] = []
    server = HTTPServer(host="127.0.0.1",
                        ssl_context=server_context(cert_path, key_path, server_names))
    server.start()
    monkeypatch.setattr(http, "_CA_BUNDLE", str(cert_path))
    dns.answer("hooks.example.test", "127.0.0.1")
    dns.answer("impostor.example.test", "127.0.0.1")
    yield server, server_names
    server.clear()
    server.stop()


def test_tls_sends_and_verifies_the_url_host_name_not_the_dialled_address(app, tls_receiver):
    server, server_names = tls_receiver
    server.expect_request("/hook").respond_with_data("ok")

    answer = http.request("POST", f"https://hooks.example.test:{server.port}/hook", json={})

    assert answer.status == 200
    assert server_names == ["hooks.example.test"]


def kept_connections() -> list:
    """The connections the HTTP seam keeps for reuse, across all its pools."""
    adapter = http._session.get_adapter("https://")
    pools = list(adapter.poolmanager.pools._container.values())
    return [connection for pool in pools for connection in pool.pool.queue
            if connection is not None and connection.sock is not None]


def test_a_kept_tls_connection_is_reused_and_skips_unchanged_timeouts(app, tmp_path, dns,
                                                                      monkeypatch):
    cert_path, key_path = make_certificate(tmp_path, "hooks.example.test")
    server_names: list[str] = []
    receiver = SlowReceiver(0)  # HTTP/1.1: it keeps connections open
    receiver.socket = server_context(cert_path, key_path, server_names).wrap_socket(
        receiver.socket, server_side=True)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    monkeypatch.setattr(http, "_CA_BUNDLE", str(cert_path))
    dns.answer("hooks.example.test", "127.0.0.1")
    url = f"https://hooks.example.test:{receiver.server_address[1]}/hook"
    try:
        answers = [http.request("POST", url, json={"n": number}).text for number in range(3)]
        kept = [connection for connection in kept_connections()
                if connection.port == receiver.server_address[1]]
    finally:
        receiver.shutdown()
        receiver.server_close()

    assert answers == ["ok", "ok", "ok"]
    assert receiver.bodies == [b'{"n":0}', b'{"n":1}', b'{"n":2}']
    assert server_names == ["hooks.example.test"]  # one handshake: the connection was kept
    (connection,) = kept
    assert isinstance(connection.sock, outbound._SSLSocket)
    assert connection.sock.gettimeout() == http.DEFAULT_TIMEOUT


class CountingSocket:
    """A real socket that counts what is handed to its sendall."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.sends: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sends.append(bytes(data))
        self._sock.sendall(data)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


def test_a_small_request_leaves_in_one_send_a_large_one_in_two():
    small, large = b'{"hello":"world"}', b"x" * (outbound.CORK_LIMIT + 1)
    with slow_receiver(0) as receiver:
        connection = outbound.PolicedHTTPConnection("127.0.0.1", receiver.server_address[1])
        connection.connect()
        connection.sock = counting = CountingSocket(connection.sock)
        answers = []
        for body in (small, large):
            counting.sends.clear()
            connection.request("POST", "/hook", body=body,
                               headers={"Content-Length": str(len(body))})
            answers.append((len(counting.sends), connection.getresponse().data))
        connection.close()

    assert answers == [(1, b"ok"), (2, b"ok")]
    assert receiver.bodies == [small, large]


def test_a_missing_ca_bundle_is_named_in_the_error(app, tls_receiver, monkeypatch, tmp_path):
    server, _ = tls_receiver
    missing = tmp_path / "no-such-bundle.pem"
    monkeypatch.setattr(http, "_CA_BUNDLE", str(missing))

    error = refusal(f"https://hooks.example.test:{server.port}/hook")

    assert error.message == (f"the TLS CA bundle {missing} does not exist (see "
                             "REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE)")
    assert server.log == []


def test_the_ca_bundle_path_is_looked_at_once_a_minute(tmp_path):
    bundle, folder = tmp_path / "bundle.pem", tmp_path / "certs"
    bundle.write_text("")
    folder.mkdir()

    assert outbound.path_kind(str(bundle), now=1000.0) == "file"
    assert outbound.path_kind(str(folder), now=1000.0) == "folder"
    assert outbound.path_kind(str(tmp_path / "missing"), now=1000.0) is None
    bundle.unlink()
    assert outbound.path_kind(str(bundle), now=1000.0 + outbound.PATH_KIND_TTL - 1) == "file"
    assert outbound.path_kind(str(bundle), now=1000.0 + outbound.PATH_KIND_TTL) is None


def kernel_non_blocking(sock: socket.socket) -> bool:
    return bool(fcntl.fcntl(sock.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK)


class CountingTimeouts(socket.socket):
    """A socket counting the settimeout calls that reach the real one (an ioctl each)."""

    __slots__ = ("calls",)

    def settimeout(self, value: float | None) -> None:
        self.calls = getattr(self, "calls", 0) + 1
        super().settimeout(value)


class SameTimeoutSocket(outbound._SameTimeoutMixin, CountingTimeouts):
    __slots__ = ()


def test_a_timeout_set_again_to_the_same_value_makes_no_call():
    with SameTimeoutSocket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        for value in (5, 5.0, 5, None, None, 0.5, 0.5):
            sock.settimeout(value)
        assert sock.calls == 3  # 5, None, 0.5


def test_a_socket_keeps_its_timeout_settings_when_set_to_the_same_value():
    with outbound._Socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.settimeout(5.0)
        assert sock.gettimeout() == 5.0
        assert kernel_non_blocking(sock)  # Python waits for a timeout with poll
        sock.settimeout(None)
        assert sock.gettimeout() is None and not kernel_non_blocking(sock)
        sock.settimeout(None)
        assert not kernel_non_blocking(sock)
        sock.settimeout(0.5)
        assert sock.gettimeout() == 0.5 and kernel_non_blocking(sock)


def test_tls_refuses_a_certificate_for_another_name_at_the_same_address(app, tls_receiver):
    server, server_names = tls_receiver
    server.expect_request("/hook").respond_with_data("ok")

    error = refusal(f"https://impostor.example.test:{server.port}/hook")

    assert error.message.startswith("TLS certificate error: ")
    assert "impostor.example.test" in error.message
    assert server_names == ["impostor.example.test"]
    assert server.log == []


def test_a_tls_receiver_dripping_its_answer_is_cut_off_at_the_timeout(app, tls_receiver):
    server, _ = tls_receiver

    finished = threading.Event()

    def drip(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(50):  # five seconds in all
                time.sleep(0.1)  # each byte well inside the read timeout
                yield b"x"
            finished.set()
        return Response(body())

    server.expect_request("/hook").respond_with_handler(drip)
    app.config["HERALD_HTTP_TIMEOUT"] = 0.5

    error = refusal(f"https://hooks.example.test:{server.port}/hook")

    assert error.message == "timed out after 0.5 s"
    assert not finished.is_set()  # cut off while the answer was still dripping


# --- deadlines ----------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback listener that accepts connections and never says a word."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def test_a_socket_dialled_under_a_deadline_is_shut_down_when_it_passes(listener):
    port = listener.getsockname()[1]
    with deadlines.Deadline(0.3):
        sock = outbound.connect("127.0.0.1", port, 5.0)
        started = time.monotonic()
        with sock:
            # The end of the stream: the peer never writes nor closes, so only the deadline's
            # shutdown ends this read (the socket's own 5 s timeout would raise instead).
            assert sock.recv(1) == b""

    assert time.monotonic() - started > 0.2  # not before the deadline


def test_a_socket_outlives_the_deadline_of_an_exchange_that_ended(listener):
    port = listener.getsockname()[1]
    with deadlines.Deadline(0.1):
        sock = outbound.connect("127.0.0.1", port, 5.0)
    peer, _ = listener.accept()
    time.sleep(0.3)  # the deadline passes
    with sock, peer:
        peer.sendall(b"x")
        assert sock.recv(1) == b"x"


def test_no_connection_is_dialled_once_the_deadline_has_passed(listener):
    with deadlines.Deadline(0.05), pytest.raises(TimeoutError):
        time.sleep(0.3)
        outbound.connect("127.0.0.1", listener.getsockname()[1], 5.0)


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_kept_duplicate_is_handed_back_and_forth_between_deadlines(listener):
    port = listener.getsockname()[1]
    with deadlines.Deadline(5.0):
        sock = outbound.connect("127.0.0.1", port, 5.0)
        kept = deadlines.release(sock, keep=True)
    assert kept is not None
    peer, _ = listener.accept()
    with sock, peer, deadlines.Deadline(0.2) as deadline:
        assert deadlines.watch(sock, kept)
        assert list(deadline._duplicates.values()) == [kept]  # taken as it is: no new one
        assert sock.recv(1) == b""  # shut down through the kept duplicate


def test_a_duplicate_is_kept_only_when_asked(listener):
    port = listener.getsockname()[1]
    before = open_descriptors()
    with deadlines.Deadline(5.0):
        sock = outbound.connect("127.0.0.1", port, 5.0)
        assert deadlines.release(sock) is None
    sock.close()
    assert deadlines.watch(sock) is False  # no deadline: nothing to do
    assert open_descriptors() == before


def test_kept_connections_leave_no_descriptor_behind(app):
    with slow_receiver(0) as receiver:  # HTTP/1.1: the connection is kept for reuse
        http.request("POST", receiver.url, json={})  # the pool and its first connection
        before = open_descriptors()
        for number in range(50):
            http.request("POST", receiver.url, json={"n": number})
        during = open_descriptors()
        (connection,) = [kept for kept in kept_connections()
                         if kept.port == receiver.server_address[1]]
        descriptors = [connection.sock.fileno(), connection._kept[0]]
        connection.close()
        still_open = [fd for fd in descriptors if fd_is_open(fd)]

    assert receiver.count == 51
    assert during == before  # one socket and its one kept duplicate, all along
    assert still_open == []


def fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


# --- SMTP ---------------------------------------------------------------------------------


def a_message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = (
        "herald@example.test", "ops@example.test", "Disk full")
    message.set_content("Check the disk")
    return message


def test_smtp_to_a_loopback_server_is_allowed_by_default(app, dns):
    dns.answer("mail.example.test", "127.0.0.1")
    with running_smtp_server() as server:
        mailer.send_messages([a_message()], server.settings(host="mail.example.test"), 5)

    assert [mail.rcpt_tos for mail in server.received] == [["ops@example.test"]]


def test_smtp_to_a_denied_address_is_refused(app):
    deny(app, "127.0.0.0/8")
    with running_smtp_server() as server, pytest.raises(SendError) as caught:
        mailer.send_messages([a_message()], server.settings(), 5)

    assert caught.value.message == "destination not allowed by policy: 127.0.0.1"
    assert caught.value.permanent is True
    assert server.received == []


def test_smtp_to_a_name_resolving_to_the_metadata_address_is_refused(app, dns, loopback_only):
    dns.answer("mail.example.test", METADATA)

    with pytest.raises(SendError) as caught:
        mailer.send_messages([a_message()], {"host": "mail.example.test", "port": 25,
                                             "tls": "ssl"}, 5)

    assert caught.value.message == "destination not allowed by policy: mail.example.test"
    assert loopback_only == []


def test_smtp_over_tls_dials_the_checked_address_and_verifies_the_name(
        app, dns, tmp_path, monkeypatch):
    cert_path, key_path = make_certificate(tmp_path, "mail.example.test")
    dns.answer("mail.example.test", "127.0.0.1")
    real_context = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context",
                        lambda *args, **kwargs: real_context(cafile=str(cert_path)))
    handler, server_names = MailHandler(), []
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            ssl_context=server_context(cert_path, key_path, server_names))
    controller.start()
    try:
        smtp = {"host": "mail.example.test", "port": controller.port, "tls": "ssl"}
        mailer.send_messages([a_message()], smtp, 5)
    finally:
        controller.stop()

    assert [mail.rcpt_tos for mail in handler.received] == [["ops@example.test"]]
    assert "mail.example.test" in server_names


# --- the policy itself --------------------------------------------------------------------


def test_entries_are_normalised():
    assert parse_entries(" 10.1.2.3/8, [::1], FE80::/10, Hooks.Example.test., *.x.test ,") == (
        "10.0.0.0/8", "::1", "fe80::/10", "hooks.example.test", "*.x.test")


@pytest.mark.parametrize("entry", ["hooks.example.test:443", "10.0.0.0/33", "a*b.test",
                                   "http://hooks.example.test", "bücher.test"])
def test_entries_that_are_not_hosts_or_ranges_are_rejected(entry):
    with pytest.raises(ValueError, match="is not a"):
        parse_entries(entry)


def test_ipv6_ranges_and_ipv4_inside_ipv6_are_matched():
    policy = Policy(deny=parse_entries("fc00::/7, 10.0.0.0/8"))

    assert policy.permits("x.test", "fd12::1") is False
    assert policy.permits("x.test", "::ffff:10.1.2.3") is False
    assert policy.permits("x.test", "64:ff9b::a9fe:a9fe") is False  # NAT64 to metadata
    assert policy.permits("x.test", "fe80::1%2") is False
    assert policy.permits("x.test", "2001:db8::1") is True


def test_describe_policy_explains_the_defaults_and_the_configured_entries(app):
    default = describe_policy()
    app.config["HERALD_OUTBOUND_ALLOW"] = ("hooks.example.test", "10.1.0.0/16")
    deny(app, "10.1.2.0/24")
    configured = describe_policy()

    assert default.startswith("Herald may connect to any address except link-local and "
                              "cloud metadata addresses (169.254.0.0/16, fe80::/10, "
                              "fd00:ec2::254, 100.100.100.200")
    assert configured.startswith("Herald may connect only to hooks.example.test, 10.1.0.0/16 "
                                 "(HERALD_OUTBOUND_ALLOW), never to link-local")
    assert "nor to 10.1.2.0/24 (HERALD_OUTBOUND_DENY)." in configured
    assert "the proxy decides the rest" in configured
