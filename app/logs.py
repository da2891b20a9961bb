"""Herald's logging: one line per record (logfmt or JSON), known secrets replaced."""
from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

REDACTED = "[REDACTED]"
MIN_SECRET = 4  # shorter values would redact ordinary words
MIN_URL_PART = 16  # a path segment or query value of a secret URL this long is a token
FORMATS = ("logfmt", "json")

# The secrets of the delivery running in this thread (or task); see secrets_hidden().
_hidden: ContextVar[frozenset[str]] = ContextVar("herald_hidden_secrets", default=frozenset())
# Secrets of the configuration (SMTP password...), hidden from every line.
_always: frozenset[str] = frozenset()


def secret_forms(value: object) -> set[str]:
    """The ways a secret can show up in a log line: whole, URL-encoded, and a URL's parts."""
    if not isinstance(value, str) or len(value.strip()) < MIN_SECRET:
        return set()
    forms = {value, value.strip(), quote(value, safe=""), quote(value, safe="/:")}
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return forms
    if parts.scheme in ("http", "https") and parts.netloc:
        # Loggers of the HTTP stack name the path and query, not the whole URL.
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        pieces = [tail, parts.path, parts.query, *parts.path.split("/")]
        pieces += [item.partition("=")[2] for item in parts.query.split("&")]
        forms |= {piece for piece in pieces if len(piece) >= MIN_URL_PART}
        forms |= {unquote(piece) for piece in list(forms) if len(unquote(piece)) >= MIN_URL_PART}
    return {form for form in forms if len(form) >= MIN_SECRET}


@contextmanager
def secrets_hidden(values: Iterable[object]) -> Iterator[None]:
    """Replace these secret values in every log line written inside the block."""
    forms = set(_hidden.get())
    for value in values:
        forms |= secret_forms(value)
    token = _hidden.set(frozenset(forms))
    try:
        yield
    finally:
        _hidden.reset(token)


def hide_in_delivery(value: object) -> None:
    """Also replace this value (a secret rendered while sending) until the delivery ends."""
    forms = secret_forms(value)
    if forms:
        _hidden.set(_hidden.get() | frozenset(forms))


def hide_always(values: Iterable[object]) -> None:
    """Replace these secret values (the configuration's) in every log line from now on."""
    global _always
    forms = set(_always)
    for value in values:
        forms |= secret_forms(value)
    _always = frozenset(forms)


def redact(text: str) -> str:
    """The text with every known secret replaced by [REDACTED]."""
    if not text or not (_hidden.get() or _always):
        return text
    for secret in _longest_first(_hidden.get() | _always):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


@lru_cache(maxsize=64)
def _longest_first(known: frozenset[str]) -> tuple[str, ...]:
    # Longest first, so a secret that contains another is replaced whole.
    return tuple(sorted(known, key=len, reverse=True))


class RedactSecrets(logging.Filter):
    """The one redaction step: every record's message, fields and traceback are cleaned."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not (_hidden.get() or _always):
            return True
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        # The traceback is kept as cleaned text only: no later handler may render it again.
        record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {key: _redact_value(value) for key, value in fields.items()}
        return True


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class LineFormatter(logging.Formatter):
    """One line per record: time, level, logger, message, the record's fields, traceback."""

    def __init__(self, log_format: str = "logfmt") -> None:
        super().__init__()
        self.log_format = log_format

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        if self.log_format == "json":
            return json.dumps(line, ensure_ascii=False, default=str)
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in line.items())


# A logfmt value holding one of these is quoted (written as a JSON string).
_QUOTED = re.compile(r'[ ="\\]')


def _logfmt_value(value: Any) -> str:
    text = "" if value is None else str(value)
    if text and text.isprintable() and not _QUOTED.search(text):
        return text
    return json.dumps(text, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (it may be replaced, e.g. by pytest)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr


def configure(log_format: str = "logfmt", level: int = logging.INFO) -> logging.Handler:
    """Install (once) Herald's handler on the root logger: formatted, secrets redacted."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "herald", False)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.herald = True  # type: ignore[attr-defined]
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    handler.setFormatter(LineFormatter(log_format))
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler
