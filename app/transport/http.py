"""The one HTTP seam every sender goes through: timeouts, TLS, redirects, size caps, errors."""

from __future__ import annotations

import os
import re
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache
from http import HTTPStatus
from json import dumps as json_dumps
from json import loads as json_loads
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app, has_app_context
from requests.utils import get_environ_proxies

from app.transport import deadlines, outbound, record
from app.transport.errors import SendError
from app.version import __version__

USER_AGENT = f"Herald/{__version__}"
DEFAULT_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 64 * 1024
MAX_REDIRECTS = 3
MAX_EXCERPT = 300
CHUNK = 16 * 1024
_XML_MESSAGE_RE = re.compile(r"<Message>([^<]{1,1000})</Message>")
_XML_CODE_RE = re.compile(r"<Code>([^<]{1,200})</Code>")

# An extra check on every URL Herald is about to contact (redirects included): it returns a
# refusal message, or None to allow it. The built-in policy (app/outbound.py) runs anyway,
# on every address a connection dials.
DestinationPolicy = Callable[[str], "str | None"]
_destination_policy: DestinationPolicy | None = None


@dataclass(frozen=True)
class HttpAnswer:
    """A provider's answer: status, the (capped) text, its JSON when it is JSON, the time."""

    status: int
    text: str
    json: Any
    duration_ms: int
    headers: Mapping[str, str] = field(default_factory=dict)


def set_destination_policy(policy: DestinationPolicy | None) -> None:
    """Install the check run on every URL before Herald connects to it (None removes it)."""
    global _destination_policy
    _destination_policy = policy


class _RedirectRefused(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _Session(requests.Session):
    """A session that never turns a POST into a body-less GET on 301/302/303."""

    def rebuild_method(self, prepared_request, response) -> None:
        if response.status_code in (301, 302, 303) and prepared_request.method not in (
            "GET",
            "HEAD",
        ):
            raise _RedirectRefused(response)
        super().rebuild_method(prepared_request, response)

    def send(self, request, **kwargs):
        # Runs for the first request and for every redirect it follows: a denied name or
        # address literal is refused here, even through a proxy, before any DNS lookup.
        try:
            host = urlsplit(request.url).hostname
        except ValueError:
            host = None  # the adapter reports the invalid URL
        if host:
            outbound.current_policy().check(host)
        if _destination_policy is not None:
            refusal = _destination_policy(request.url)
            if refusal:
                raise SendError(refusal, permanent=True)
        return super().send(request, **kwargs)


class _NoCookies(requests.cookies.RequestsCookieJar):
    """A jar that keeps nothing: a cookie set by one provider must never travel to another
    integration's request. requests still hands it every answer; it ignores them at once
    instead of parsing each Set-Cookie only for a policy to refuse it."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass

    def add_cookie_header(self, request: Any) -> None:
        pass

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def copy(self) -> _NoCookies:
        # A redirect works on a copy: requests' own would be a jar that keeps cookies.
        return self


_NO_COOKIES = _NoCookies()


def _new_session() -> requests.Session:
    session = _Session()
    # The environment is read once (see _proxies_for), not on every request; and a
    # ~/.netrc must never lend its passwords to a provider's URL.
    session.trust_env = False
    session.max_redirects = MAX_REDIRECTS
    session.headers["User-Agent"] = USER_AGENT
    session.cookies = _NO_COOKIES
    # Its connections check each address they dial against the destination policy.
    adapter = outbound.PolicedAdapter(pool_connections=32, pool_maxsize=32)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_session = _new_session()  # shared: one connection pool for every sender and thread
_CA_BUNDLE = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def _environment_proxies(url: str) -> dict[str, str]:
    """HTTP(S)_PROXY / NO_PROXY from the environment for the URL's scheme, host and port."""
    try:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return {}  # requests reports the invalid URL
    return dict(_proxies_for(origin))


@lru_cache(maxsize=512)
def _proxies_for(origin: str) -> dict[str, str]:
    return get_environ_proxies(origin)


def configured_timeout() -> float:
    """HERALD_HTTP_TIMEOUT from the app's configuration, or the default."""
    if has_app_context():
        return float(current_app.config.get("HERALD_HTTP_TIMEOUT") or DEFAULT_TIMEOUT)
    return DEFAULT_TIMEOUT


# Go's encoding/json escapes these inside strings; writing them the same way keeps bodies
# byte for byte what Grafana sends (the JSON means the same either way).
GO_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                   ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def go_json(value: Any) -> bytes:
    """JSON as Go's json.Marshal writes it: compact, with <, > and & escaped."""
    text = json_dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in GO_JSON_ESCAPES:
        text = text.replace(char, escaped)
    return text.encode()


def request(
    method: str,
    url: str,
    *,
    json: Any = None,
    data: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float | None = None,
) -> HttpAnswer:
    """Send one request; a 2xx answer is returned, everything else raises SendError."""
    timeout = configured_timeout() if timeout is None else timeout
    all_headers = dict(headers or {})
    if json is not None:
        data = go_json(json)
        all_headers.setdefault("Content-Type", "application/json")
    started = time.monotonic()
    exchange = record.started(method, url, all_headers, data, basic_auth=auth is not None)
    # Socket timeouts bound each read; the deadline bounds the whole exchange.
    deadline = deadlines.Deadline(timeout)
    try:
        with deadline:
            answer = _exchange(method, url, data, all_headers, auth, timeout, started)
    except requests.RequestException as exc:
        if deadline.expired:
            raise _timed_out(timeout) from None
        raise _request_error(exc, url, timeout) from None
    except _RedirectRefused as exc:
        raise _redirect_error(exc.response) from None
    except outbound.DestinationRefused as exc:
        raise SendError(str(exc), permanent=True) from None
    if exchange is not None:
        exchange.answered(answer.status, answer.headers, answer.text)
    if deadline.expired:  # the answer may have been cut short: a close-delimited body
        raise _timed_out(timeout)
    if not 200 <= answer.status < 300:
        raise status_error(answer)
    return answer


def _exchange(
    method: str,
    url: str,
    data: bytes | str | None,
    headers: dict[str, str],
    auth: tuple[str, str] | None,
    timeout: float,
    started: float,
) -> HttpAnswer:
    # Prepared here rather than by Session.request: its cookie and environment merging
    # cost more than the rest of a send, and Herald needs neither (cookies are refused,
    # the environment is read once). The session's own headers still go first.
    prepared = _PreparedRequest()
    prepared.prepare(method=method, url=url, data=data, auth=auth, cookies=_NO_COOKIES,
                     headers={**_session.headers, **headers})
    with _session.send(
        prepared,
        timeout=timeout,
        stream=True,
        verify=_CA_BUNDLE,
        proxies=_environment_proxies(url),
        allow_redirects=True,
        cert=None,
    ) as response:
        body = _read_capped(response, started + timeout, timeout)
        text = _decode(body, response.encoding)
        return HttpAnswer(
            status=response.status_code,
            text=text,
            json=_parse_json(text),
            duration_ms=round((time.monotonic() - started) * 1000),
            headers=response.headers,
        )


class _PreparedRequest(requests.PreparedRequest):
    """requests' PreparedRequest, with each distinct URL prepared once.

    Integrations send to the same few URLs again and again, and preparing one (parsing,
    IDNA, re-quoting) was a third of requests' own cost of a send. The result depends on
    the URL alone; a URL requests refuses raises again each time, as it is not kept.
    """

    def prepare_url(self, url: Any, params: Any) -> None:
        if params or not isinstance(url, str):
            super().prepare_url(url, params)
        else:
            self.url = _prepared_url(url)


@lru_cache(maxsize=1024)
def _prepared_url(url: str) -> str:
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url


def _read_capped(response: requests.Response, deadline: float, timeout: float) -> bytes:
    """At most MAX_ANSWER_BYTES of the body, and never past the deadline."""
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK):
        parts.append(chunk)
        size += len(chunk)
        if size >= MAX_ANSWER_BYTES:
            break
        if time.monotonic() > deadline:
            raise _timed_out(timeout)
    return b"".join(parts)[:MAX_ANSWER_BYTES]


def _decode(body: bytes, encoding: str | None) -> str:
    try:
        return body.decode(encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def _parse_json(text: str) -> Any:
    if text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json_loads(text)
    except ValueError:
        return None


# --- errors ------------------------------------------------------------------------


def status_error(answer: HttpAnswer) -> SendError:
    """The SendError for a non-2xx answer: 4xx but 429 are permanent, the rest transient."""
    status = answer.status
    detail = answer_excerpt(answer) or _reason(status)
    permanent = (300 <= status < 500) and status != 429
    return SendError(
        f"HTTP {status}: {detail}",
        permanent=permanent,
        status=status,
        retry_after=retry_after(answer) if status in (429, 503) else None,
    )


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "unexpected answer"


def answer_excerpt(answer: HttpAnswer) -> str:
    """A short human line from a provider's answer: its error message, or its first line."""
    message = _json_message(answer.json) or _xml_message(answer.text)
    if not message:
        lines = [line.strip() for line in answer.text.strip().splitlines() if line.strip()]
        message = lines[0] if lines else ""
    message = " ".join(message.split())
    return message if len(message) <= MAX_EXCERPT else message[: MAX_EXCERPT - 1] + "…"


def _xml_message(text: str) -> str:
    """The Code and Message of an AWS-style XML error answer (SNS, STS), or ""."""
    if not text.lstrip().startswith("<"):
        return ""
    message = _XML_MESSAGE_RE.search(text)
    if not message:
        return ""
    code = _XML_CODE_RE.search(text)
    return f"{code.group(1)}: {message.group(1)}" if code else message.group(1)


def _json_message(body: Any) -> str:
    """The message in the usual JSON error shapes ({message}, {error}, Zulip's {msg} ...)."""
    if not isinstance(body, dict):
        return ""
    for key in ("description", "message", "error_description", "error", "detail", "msg"):
        value = body.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            errors = body.get("errors")
            if isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
                return f"{value}: {'; '.join(errors)}"
            return value
    errors = body.get("errors")  # Pushover: {"errors": ["user identifier is invalid"], ...}
    if isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        return "; ".join(errors)
    return ""


def retry_after(answer: HttpAnswer) -> float | None:
    """Seconds to wait, from the Retry-After header or a JSON retry_after field."""
    raw = answer.headers.get("Retry-After")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    body = answer.json if isinstance(answer.json, dict) else {}
    # Discord puts it at the top level, Telegram under "parameters".
    for holder in (body, body.get("parameters")):
        if isinstance(holder, dict) and isinstance(holder.get("retry_after"), int | float):
            return max(0.0, float(holder["retry_after"]))
    return None


def _redirect_error(response: requests.Response) -> SendError:
    target = url_host_port(response.headers.get("Location", ""), default="another address")
    return SendError(
        f"HTTP {response.status_code}: the URL redirects to {target}, and following it "
        "would drop the notification; use the new URL",
        permanent=True,
        status=response.status_code,
    )


def url_host_port(url: str, default: str = "") -> str:
    """host:port of a URL (never its path or query, which may hold secrets)."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return default
    if not parts.hostname:
        return default
    return f"{parts.hostname}:{port}" if port else parts.hostname


def _find(exc: BaseException | None, kind: type[BaseException]) -> Any:
    """The first exception of the given kind in exc's chain of causes."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        # urllib3 keeps causes in args and .reason; ssl's .reason is a str, so only
        # exceptions go on the stack.
        linked = [*current.args, getattr(current, "reason", None), current.__cause__,
                  current.__context__]
        stack.extend(link for link in linked if isinstance(link, BaseException))
    return None


def _timed_out(timeout: float) -> SendError:
    return SendError(f"timed out after {timeout:g} s")


def _request_error(exc: requests.RequestException, url: str, timeout: float) -> SendError:
    """A SendError saying what went wrong in words, without the URL's path or secrets."""
    request_url = getattr(getattr(exc, "request", None), "url", None) or url
    where = url_host_port(request_url, default="the server")
    if isinstance(exc, requests.Timeout):
        return _timed_out(timeout)
    if isinstance(exc, requests.TooManyRedirects):
        return SendError(f"too many redirects (more than {MAX_REDIRECTS})", permanent=True)
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | requests.exceptions.InvalidHeader,
    ):
        return SendError(f"invalid request: {exc.__class__.__name__}", permanent=True)
    if isinstance(exc, requests.exceptions.SSLError):
        return _tls_error(exc)
    return _network_error(exc, where)


def _network_error(exc: requests.RequestException, where: str) -> SendError:
    host = where.rsplit(":", 1)[0]
    dns = _find(exc, socket.gaierror)
    if dns is not None:
        if dns.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            return SendError(f"DNS name not found: {host}", permanent=True)
        return SendError(f"DNS lookup failed for {host}: {dns.strerror or dns}")
    if _find(exc, ConnectionRefusedError) is not None:
        return SendError(f"connection refused ({where})")
    if _find(exc, ConnectionResetError) is not None or isinstance(
        exc, requests.exceptions.ChunkedEncodingError
    ):
        return SendError(f"connection closed by {where} before a complete answer")
    os_error = _find(exc, OSError)
    if os_error is not None and os_error.strerror:
        return SendError(f"network error reaching {where}: {os_error.strerror.lower()}")
    return SendError(f"could not reach {where} ({exc.__class__.__name__})")


def _tls_error(exc: requests.exceptions.SSLError) -> SendError:
    verify = _find(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        reason = getattr(verify, "verify_message", "") or verify.reason or "not trusted"
        return SendError(f"TLS certificate error: {reason}", permanent=True)
    tls = _find(exc, ssl.SSLError)
    reason = str(getattr(tls, "reason", None) or "")
    if reason in _NOT_HTTPS:
        return SendError("TLS handshake failed: the server does not speak HTTPS", permanent=True)
    if isinstance(tls, ssl.SSLEOFError | ssl.SSLZeroReturnError) or _find(
        exc, ConnectionResetError
    ):
        return SendError("TLS handshake failed: the server closed the connection")
    if not reason:
        return SendError("TLS handshake failed")
    return SendError(f"TLS error: {reason.lower().replace('_', ' ')}")


# OpenSSL's reasons when the bytes that came back are not TLS at all (plain HTTP, mostly).
_NOT_HTTPS = frozenset({
    "WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "RECORD_LAYER_FAILURE",
    "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG", "RECORD_LENGTH_MISMATCH",
})
