"""Web hardening: security headers, error pages that leak nothing, per-user test limits."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
)

from app.rate_limit import RateLimiter
from app.text import BadText, clean

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def is_htmx() -> bool:
    """Whether htmx made this request (and so wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path != "/static" and not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def clean_form_text() -> None:
    """Refuse a form holding text Herald will not store (422), with newlines normalised."""
    if request.method == "GET" or request.mimetype not in FORM_TYPES or not request.form:
        return  # a JSON body is checked where it is parsed
    try:
        fields = [(name, clean(value, name)) for name, value in request.form.items(multi=True)]
    except BadText as exc:
        abort(422, f"The field “{exc.field}” {exc.problem}. Nothing was saved.")
    request.form = ImmutableMultiDict(fields)


def handle_http_error(error: HTTPException):
    """Every error page and JSON error says what happened, never how the code failed."""
    message = error.description if error.code and error.code < 500 else (
        "Something went wrong on Herald's side. The error was logged."
    )
    if isinstance(error, RequestEntityTooLarge):
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
        message = (f"The request is larger than Herald accepts ({limit:,} KiB). For a large "
                   "provisioning file use flask --app app provision FILE.")
    if isinstance(error, CSRFError):
        message = "The form expired or was sent without its security token. Reload and retry."
    if request.path.startswith("/api/"):
        return jsonify(message=message), error.code
    if is_htmx():
        fragment = Markup('<p class="error" role="alert">{}: {}</p>').format(error.code, message)
        return fragment, error.code, {
            "HX-Retarget": "#htmx-errors", "HX-Reswap": "innerHTML"}
    return render_template("error.html", code=error.code, name=error.name,
                           message=message), error.code


def handle_unexpected(error: Exception):
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


request_logger = logging.getLogger("herald.request")


class RequestLog:
    """WSGI middleware writing one line per request: method, path, status, duration."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        started = time.perf_counter()
        statuses: list[str] = []

        def recording_start_response(status: str, *args: Any) -> Any:
            statuses.append(status)
            return start_response(status, *args)

        try:
            return self.wsgi_app(environ, recording_start_response)
        finally:
            # The path without its query string: a query may carry a token or a search.
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            status = statuses[-1].split(" ", 1)[0] if statuses else "-"
            request_logger.info("request", extra={"fields": {
                "method": environ.get("REQUEST_METHOD", ""), "path": path, "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }})


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, without building the signer for a request that
    carries no session cookie: every API and intake call made with a token."""

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def register(app: Flask) -> None:
    app.wsgi_app = RequestLog(app.wsgi_app)
    app.session_interface = CookieSessions()
    app.before_request(clean_form_text)
    app.after_request(security_headers)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
    limit = app.config["HERALD_TEST_RATE_LIMIT"]
    app.extensions["herald_test_limiter"] = RateLimiter("test", limit)
