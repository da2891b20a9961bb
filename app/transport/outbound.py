"""Where Herald may connect: the destination policy, checked on the address a socket dials.

HERALD_OUTBOUND_DENY and HERALD_OUTBOUND_ALLOW hold host names, host globs
(``*.internal.example``), IP addresses and CIDR ranges, IPv4 and IPv6, and the named sets
``loopback``, ``private`` and ``link-local`` (each both IPv4 and IPv6). An IPv6 address that
carries an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64, 6to4) is also judged as that
IPv4 address. Link-local and
cloud metadata addresses are always refused; an allow list, when set, is the only place
Herald may reach; a denied entry wins over an allowed one. The check runs after DNS
resolution on every address Herald is about to connect to (so neither a redirect nor a
name that changes its answer can slip past), and Herald only ever dials an address it
has checked. Through a proxy, the proxy's own address is what gets dialled and checked;
the proxy then decides what it forwards.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import sys
import time
import weakref
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from requests.adapters import HTTPAdapter
from requests.utils import DEFAULT_CA_BUNDLE_PATH
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family

from app.transport import deadlines
from app.transport.errors import SendError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Link-local (where clouds serve instance metadata and credentials), AWS's IPv6 metadata
# address, Alibaba Cloud's metadata address, and "this host" addresses, which the kernel
# quietly turns into loopback.
ALWAYS_DENIED = (
    "169.254.0.0/16", "fe80::/10", "fd00:ec2::254", "100.100.100.200", "0.0.0.0/8", "::",
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Named sets, so that denying "loopback" cannot forget ::1 (or allowing "private", fc00::/7).
NAMED_SETS: dict[str, tuple[IPNetwork, ...]] = {
    name: tuple(ipaddress.ip_network(network) for network in networks)
    for name, networks in {
        "loopback": ("127.0.0.0/8", "::1/128"),
        "private": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
        "link-local": ("169.254.0.0/16", "fe80::/10"),
    }.items()
}
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-._*")
_MAX_REMEMBERED_NAMES = 1024


class DestinationRefused(Exception):
    """The policy refuses a destination; the seams turn it into a permanent SendError.

    Not an OSError, so urllib3, requests and smtplib let it through untouched.
    """

    def __init__(self, host: str, message: str = "") -> None:
        super().__init__(message or f"destination not allowed by policy: {host}")
        self.host = host


# --- entries -----------------------------------------------------------------------------


def parse_entries(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    """Normalised entries from a comma-separated text or a list; ValueError names a bad one."""
    parts = raw.split(",") if isinstance(raw, str) else (raw or ())
    entries = []
    for part in parts:
        entry = part.strip().lower().rstrip(".")
        if entry:
            entries.append(_normalise(entry))
    return tuple(entries)


def entries_from_env(name: str) -> tuple[str, ...]:
    """The entries of an environment variable; a bad entry stops Herald with a clear message."""
    try:
        return parse_entries(os.environ.get(name, ""))
    except ValueError as exc:
        raise RuntimeError(f"{name}: {exc}") from None


def _normalise(entry: str) -> str:
    network = _network(entry)
    if network is not None:
        return str(network) if network.num_addresses > 1 else str(network.network_address)
    if not set(entry) <= _NAME_CHARS or ".." in entry or "*" in entry.strip("*."):
        raise ValueError(
            f"{entry!r} is not a host name, host glob (*.example.com), IP address or CIDR "
            "range (write international names in their xn-- form)"
        )
    return entry


def _network(entry: str) -> IPNetwork | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        if "/" in entry:
            raise ValueError(f"{entry!r} is not a valid CIDR range") from None
        return None


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _as_ipv4(address: IPAddress) -> IPAddress | None:
    """The IPv4 address an IPv6 one carries: mapped, IPv4-compatible, NAT64 or 6to4."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    # ::a.b.c.d (IPv4-compatible, deprecated but still routed by some stacks), but not
    # the unspecified address :: or loopback ::1, which are IPv6's own.
    compatible = address in IPV4_COMPATIBLE and int(address) > 1
    if compatible or address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


class _Entries:
    """One list of entries, split into networks, exact names and globs for quick matching."""

    def __init__(self, entries: Sequence[str]) -> None:
        self.entries = tuple(entries)
        networks = [n for n in map(_network, entries) if n is not None]
        networks += [n for e in entries for n in NAMED_SETS.get(e, ())]
        self.networks = tuple(networks)
        texts = [e for e in entries if _network(e) is None and e not in NAMED_SETS]
        self.names = frozenset(e for e in texts if "*" not in e)
        self.globs = tuple(e for e in texts if "*" in e)

    def has_name(self, host: str) -> bool:
        return host in self.names or any(fnmatchcase(host, glob) for glob in self.globs)

    def has_address(self, address: IPAddress) -> bool:
        mapped = _as_ipv4(address)
        return any(address in n or (mapped is not None and mapped in n) for n in self.networks)


# --- the policy --------------------------------------------------------------------------


class Policy:
    """Allowed and denied destinations; deny wins, and no allow list means allow the rest."""

    def __init__(self, allow: Sequence[str] = (), deny: Sequence[str] = ()) -> None:
        self.allow = _Entries(allow) if allow else None
        self.deny = _Entries(tuple(ALWAYS_DENIED) + tuple(deny))
        self.extra_deny = tuple(deny)
        self._names: dict[str, bool] = {}

    def permits(self, host: str, address: str) -> bool:
        """Whether Herald may connect to address, which host resolved to."""
        host = _host_key(host)
        ip = _address(address)
        if ip is None or self.deny.has_address(ip) or self.deny.has_name(host):
            return False
        return self.allow is None or self.allow.has_address(ip) or self.allow.has_name(host)

    def may_try(self, host: str) -> bool:
        """False when host is refused whatever it resolves to (a denied name or address)."""
        host = _host_key(host)
        verdict = self._names.get(host)
        if verdict is None:
            if len(self._names) >= _MAX_REMEMBERED_NAMES:
                self._names.clear()
            literal = _address(host)
            verdict = self.permits(host, host) if literal else not self.deny.has_name(host)
            self._names[host] = verdict
        return verdict

    def check(self, host: str) -> None:
        """Raise DestinationRefused unless may_try(host)."""
        if not self.may_try(host):
            raise DestinationRefused(_host_key(host))


def _host_key(host: str) -> str:
    return host.strip("[]").lower().rstrip(".")


@lru_cache(maxsize=16)
def policy_for(allow: tuple[str, ...], deny: tuple[str, ...]) -> Policy:
    """The policy for these entries, built once."""
    return Policy(parse_entries(allow), parse_entries(deny))


def current_policy() -> Policy:
    """The policy of the running app, or the one the environment gives outside an app."""
    if has_app_context():
        config = current_app.config
        return policy_for(_as_tuple(config.get("HERALD_OUTBOUND_ALLOW")),
                          _as_tuple(config.get("HERALD_OUTBOUND_DENY")))
    return policy_for(entries_from_env("HERALD_OUTBOUND_ALLOW"),
                      entries_from_env("HERALD_OUTBOUND_DENY"))


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split(","))
    return tuple(value or ())


def describe_policy(policy: Policy | None = None) -> str:
    """The policy in a few sentences, for a person wondering why a delivery was refused."""
    policy = policy or current_policy()
    always = ("link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10, "
              "fd00:ec2::254, 100.100.100.200; also 0.0.0.0/8 and ::)")
    denied = f"{', '.join(policy.extra_deny)} (HERALD_OUTBOUND_DENY)"
    if policy.allow is None:
        text = f"Herald may connect to any address except {always}"
        text += f" and {denied}." if policy.extra_deny else "."
    else:
        text = (f"Herald may connect only to {', '.join(policy.allow.entries)} "
                f"(HERALD_OUTBOUND_ALLOW), never to {always}")
        text += f" nor to {denied}." if policy.extra_deny else "."
    return text + (
        " Every address is checked after DNS resolution and again on each redirect; "
        "through a proxy, Herald checks the proxy's address and the proxy decides the rest."
    )


# --- connecting --------------------------------------------------------------------------


def connect(
    host: str,
    port: int,
    timeout: Any,
    *,
    source_address: tuple[str, int] | None = None,
    socket_options: Iterable[tuple[int, int, Any]] | None = None,
    family: int = socket.AF_UNSPEC,
    policy: Policy | None = None,
) -> socket.socket:
    """A socket connected to an address of host that the policy permits, or DestinationRefused.

    Like socket.create_connection, but host is resolved once and only the checked addresses
    are dialled. A timeout that is not a number or None leaves the default timeout.
    """
    policy = policy or current_policy()
    policy.check(host)
    candidates = [
        info for info in socket.getaddrinfo(host.strip("[]"), port, family, socket.SOCK_STREAM)
        if policy.permits(host, info[4][0])
    ]
    if not candidates:
        raise DestinationRefused(_host_key(host))
    error: OSError | None = None
    for family_, kind, protocol, _, address in candidates:
        sock = _Socket(family_, kind, protocol)
        try:
            deadlines.watch(sock)  # a connect that hangs is cut off at the deadline too
            for option in socket_options or ():
                sock.setsockopt(*option)
            if timeout is None or isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(address)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    assert error is not None
    raise error


class _SameTimeoutMixin:
    """settimeout makes no system call when the timeout does not change.

    urllib3 sets a connection's timeout twice per request, the same value each time, and
    each call is an ioctl during which other threads take the interpreter's lock.
    """

    __slots__ = ()

    def settimeout(self, value: float | None) -> None:
        if value != self.gettimeout():  # type: ignore[attr-defined]
            super().settimeout(value)  # type: ignore[misc]


class _Socket(_SameTimeoutMixin, socket.socket):
    __slots__ = ()


class _SSLSocket(_SameTimeoutMixin, ssl.SSLSocket):
    """Set on a connection once wrapped in TLS (see PolicedHTTPSConnection.connect)."""

    __slots__ = ()


# --- requests and urllib3 ----------------------------------------------------------------

CORK_LIMIT = 64 * 1024  # bytes: a request up to this size leaves in one send


class _PolicedConnectionMixin:
    """Opens the socket through connect(), so the policy sees every address dialled.

    Only the socket is replaced: TLS still sends SNI for, and verifies the certificate
    against, the URL's host name (or the proxy's, then the tunnelled host's).

    A request of up to CORK_LIMIT bytes leaves in one send, head and body together
    (urllib3 sends them apart: two system calls and two packets). Between exchanges a kept
    connection holds the duplicate descriptor its deadlines watch it by (app/deadlines.py).
    """

    approved_by: Policy | None = None
    _corked: list[bytes] | None = None
    _kept: tuple[int, weakref.finalize] | None = None

    def request(self: Any, method: str, url: str, body: Any = None, headers: Any = None,
                **options: Any) -> None:
        small = body is None or (isinstance(body, bytes | str) and len(body) <= CORK_LIMIT)
        if not small:
            return super().request(method, url, body, headers, **options)
        self._corked = []
        try:
            super().request(method, url, body, headers, **options)
        finally:
            held, self._corked = self._corked, None
        if held:
            super().send(b"".join(held))

    def send(self: Any, data: Any) -> None:
        if self._corked is not None and isinstance(data, bytes):
            self._corked.append(data)
        else:
            super().send(data)

    def keep_duplicate(self, duplicate: int | None) -> None:
        """Hold duplicate until the next exchange takes it, or until the connection closes."""
        self.close_duplicate()
        if duplicate is not None:
            self._kept = (duplicate, weakref.finalize(self, os.close, duplicate))

    def take_duplicate(self) -> int | None:
        """The kept duplicate, now the caller's to close (or None)."""
        if self._kept is None:
            return None
        (duplicate, finalizer), self._kept = self._kept, None
        finalizer.detach()
        return duplicate

    def close_duplicate(self) -> None:
        if self._kept is not None:
            self._kept[1]()  # closes it, once
            self._kept = None

    def close(self: Any) -> None:
        self.close_duplicate()
        super().close()

    def _new_conn(self: Any) -> socket.socket:
        policy = current_policy()
        try:
            sock = connect(self._dns_host, self.port, self.timeout,
                           source_address=self.source_address,
                           socket_options=self.socket_options,
                           family=allowed_gai_family(), policy=policy)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                      f"(connect timeout={self.timeout})") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}"
                                     ) from exc
        sys.audit("http.client.connect", self, self.host, self.port)
        self.approved_by = policy
        return sock


class PolicedHTTPConnection(_PolicedConnectionMixin, HTTPConnection):
    pass


class PolicedHTTPSConnection(_PolicedConnectionMixin, HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        if type(self.sock) is ssl.SSLSocket:  # a subclass adding no state: same layout
            self.sock.__class__ = _SSLSocket


class _PolicedPoolMixin:
    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        # A connection kept from before the policy changed (tests, a reloaded config) is
        # closed here, so the next request dials again and is checked again.
        if connection.sock is not None and connection.approved_by is not current_policy():
            connection.close()
        if connection.sock is not None:  # a kept connection: the deadline watches it too
            duplicate = connection.take_duplicate()
            try:
                if not deadlines.watch(connection.sock, duplicate):
                    connection.keep_duplicate(duplicate)  # no deadline: not taken
            except TimeoutError:
                connection.close()
                raise
        return connection

    def _put_conn(self, connection: Any) -> None:
        # Back in the pool it may serve another request: this one's deadline lets it be.
        if connection is not None:
            connection.keep_duplicate(deadlines.release(connection.sock, keep=True))
        super()._put_conn(connection)


class _PolicedHTTPPool(_PolicedPoolMixin, HTTPConnectionPool):
    ConnectionCls = PolicedHTTPConnection


class _PolicedHTTPSPool(_PolicedPoolMixin, HTTPSConnectionPool):
    ConnectionCls = PolicedHTTPSConnection


_POOLS = {"http": _PolicedHTTPPool, "https": _PolicedHTTPSPool}


class PolicedAdapter(HTTPAdapter):
    """A requests adapter whose every connection, proxied or not, obeys the policy.

    It also looks at the CA bundle's path once a minute rather than on every request
    (requests asks the file system whether it is a file or a folder each time).
    """

    def build_connection_pool_key_attributes(self, request: Any, verify: Any,
                                             cert: Any = None) -> tuple[dict, dict]:
        if not isinstance(verify, str):
            return super().build_connection_pool_key_attributes(request, verify, cert)
        host, pool = super().build_connection_pool_key_attributes(request, True, cert)
        pool["ca_cert_dir" if path_kind(verify) == "folder" else "ca_certs"] = verify
        return host, pool

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        if cert or not verify or not url.lower().startswith("https"):
            super().cert_verify(conn, url, verify, cert)
            return
        location = DEFAULT_CA_BUNDLE_PATH if verify is True else verify
        kind = path_kind(location)
        if kind is None:
            raise SendError(f"the TLS CA bundle {location} does not exist (see "
                            "REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE)", permanent=True)
        conn.cert_reqs = "CERT_REQUIRED"
        if kind == "folder":
            conn.ca_certs, conn.ca_cert_dir = None, location
        else:
            conn.ca_certs, conn.ca_cert_dir = location, None

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        if proxy.lower().startswith("socks"):
            # A SOCKS proxy dials with its own sockets, which the policy cannot see.
            raise DestinationRefused(urlsplit(proxy).hostname or "",
                                     "Herald cannot check destinations through a SOCKS "
                                     "proxy: use an HTTP proxy")
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


PATH_KIND_TTL = 60.0  # seconds a CA bundle's path is taken to stay a file (or a folder)
_path_kinds: dict[str, tuple[str | None, float]] = {}


def path_kind(path: str, now: float | None = None) -> str | None:
    """"file", "folder" or None (missing) for path, looked at once per PATH_KIND_TTL."""
    now = time.monotonic() if now is None else now
    known = _path_kinds.get(path)
    if known is not None and now - known[1] < PATH_KIND_TTL:
        return known[0]
    kind = "folder" if os.path.isdir(path) else "file" if os.path.exists(path) else None
    if len(_path_kinds) > 64:
        _path_kinds.clear()
    _path_kinds[path] = (kind, now)
    return kind
