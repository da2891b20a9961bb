"""No secret reaches a log line, whatever the fault: every secret kind × every fault kind."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from werkzeug import Request, Response

from app import logs
from tests.loopback import accept_and_close, closed_port, silent_port

TOKEN = "Xq7secretTOKENvalue9Zk2Lm4Np6Rs8"
KEY = "AIzaSyKEYsecretVALUE0123456789abcdef"

# type, values for a base URL ("scheme://host:port"), the secret strings to look for.
SECRET_KINDS: dict[str, tuple[str, Callable[[str], dict[str, Any]], list[str]]] = {
    "slack webhook URL": ("slack", lambda base: {
        "url": f"{base}/services/T000/B000/{TOKEN}"}, [TOKEN]),
    "slack token": ("slack", lambda base: {
        "token": f"xoxb-{TOKEN}", "recipient": "#ops",
        "endpointUrl": f"{base}/api/chat.postMessage"}, [f"xoxb-{TOKEN}"]),
    "discord webhook URL": ("discord", lambda base: {
        "url": f"{base}/api/webhooks/1234/{TOKEN}"}, [TOKEN]),
    "google chat URL": ("googlechat", lambda base: {
        "url": f"{base}/v1/spaces/AAAA/messages?key={KEY}&token={TOKEN}"}, [KEY, TOKEN]),
    # The token comes out of the template: only its rendered value holds it.
    "templated google chat URL": ("googlechat", lambda base: {
        "url": f"{base}/v1/spaces/AAAA/messages?key={KEY}&token={{{{ 'Xq7secret' }}}}"
               "TOKENvalue9Zk2Lm4Np6Rs8"}, [KEY, TOKEN]),
    "telegram bot token": ("telegram", lambda base: {
        "bottoken": f"123456:{TOKEN}", "chatid": "42"}, [f"123456:{TOKEN}"]),
    "webhook password": ("webhook", lambda base: {
        "url": f"{base}/hook", "username": "herald", "password": f"pw-{TOKEN}"}, [f"pw-{TOKEN}"]),
    "webhook credentials": ("webhook", lambda base: {
        "url": f"{base}/hook", "authorization_scheme": "Bearer",
        "authorization_credentials": f"cred-{TOKEN}"}, [f"cred-{TOKEN}"]),
    "pagerduty key": ("pagerduty", lambda base: {
        "integrationKey": f"pd{TOKEN}", "url": f"{base}/v2/enqueue"}, [f"pd{TOKEN}"]),
    "opsgenie key": ("opsgenie", lambda base: {
        "apiKey": f"og-{TOKEN}", "apiUrl": f"{base}/v2/alerts"}, [f"og-{TOKEN}"]),
}


def _echo(request: Request) -> Response:
    """A provider that fails and echoes everything it got, secrets included."""
    headers = "\n".join(f"{name}: {value}" for name, value in request.headers.items())
    return Response(f"{request.full_path}\n{headers}\n{request.get_data(as_text=True)}", 500)


@contextmanager
def fault(kind: str, httpserver) -> Iterator[tuple[str, str]]:
    """A base URL that fails in the given way, and the start of the message Herald gives."""
    with ExitStack() as stack:
        if kind == "refused":
            yield f"https://127.0.0.1:{closed_port()}", "connection refused"
        elif kind == "plain HTTP on https":
            httpserver.expect_request("").respond_with_data("hello")
            yield (f"https://127.0.0.1:{httpserver.port}",
                   "TLS handshake failed: the server does not speak HTTPS")
        elif kind == "accept and close":
            port = stack.enter_context(accept_and_close())
            yield f"https://127.0.0.1:{port}", "TLS handshake failed: the server closed"
        elif kind == "timeout":
            port = stack.enter_context(silent_port())
            yield f"https://127.0.0.1:{port}", "timed out after"
        else:
            httpserver.expect_request("").respond_with_handler(_echo)
            yield f"http://127.0.0.1:{httpserver.port}", "HTTP 500"


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture, capsys) -> Iterator[Callable[[], str]]:
    """Everything logged, through pytest's handler and Herald's own (on stderr), at DEBUG."""
    caplog.handler.addFilter(logs.RedactSecrets())
    handler = logs.configure("logfmt")
    root = logging.getLogger()
    old_level, handler_level = root.level, handler.level
    root.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    # The test provider's own access log (pytest-httpserver runs werkzeug), not Herald's.
    caplog.set_level(logging.WARNING, logger="werkzeug")

    def text() -> str:
        return caplog.text + capsys.readouterr().err

    yield text
    root.setLevel(old_level)
    handler.setLevel(handler_level)


@pytest.mark.parametrize("fault_kind", [
    "refused", "plain HTTP on https", "accept and close", "timeout", "500 with echo"])
@pytest.mark.parametrize("secret_kind", list(SECRET_KINDS))
def test_no_secret_reaches_the_log(secret_kind, fault_kind, app, deliver, firing, httpserver,
                                   captured):
    app.config["HERALD_HTTP_TIMEOUT"] = 0.5
    type_id, values_for, secrets = SECRET_KINDS[secret_kind]
    with fault(fault_kind, httpserver) as (base, expected):
        app.config["HERALD_TELEGRAM_API_URL"] = base
        result = deliver(type_id, values_for(base), firing)

    assert result.outcome == "failure"
    assert result.error.startswith(expected), result.error
    log = captured()
    assert "delivery failed" in log  # the log was captured, and the failure is in it
    for secret in secrets:
        assert secret not in log
        assert secret not in result.error


def test_the_filter_cleans_a_traceback_of_the_secrets_of_the_send_in_progress(caplog):
    caplog.handler.addFilter(logs.RedactSecrets())
    url = f"https://hooks.example/services/T0/B0/{TOKEN}"
    with logs.secrets_hidden([url]):
        try:
            raise ValueError(f"Max retries exceeded with url: /services/T0/B0/{TOKEN}")
        except ValueError:
            logging.getLogger("test").exception("sending to %s failed", url)
    logging.getLogger("test").warning("after the send: %s", TOKEN)

    assert TOKEN not in caplog.records[0].getMessage() + caplog.text.split("after")[0]
    assert "[REDACTED]" in caplog.text
    assert caplog.records[1].getMessage() == f"after the send: {TOKEN}"  # not a secret any more
