"""What a send really exchanged with its provider, kept for the delivery history."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

MAX_REQUEST_BODY = 64 * 1024
MAX_RESPONSE_BODY = 4 * 1024
REDACTED = "[REDACTED]"


@dataclass
class Exchange:
    """One request a sender made and the start of the answer it got."""

    method: str
    url: str
    headers: dict[str, str]
    body: str
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""

    def answered(self, status: int, headers: Mapping[str, str], body: str) -> None:
        self.status = status
        self.response_headers = dict(headers)
        self.response_body = body[:MAX_RESPONSE_BODY]

    def redacted(self, clean: Callable[[str], str]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The request and response as stored, every text passed through clean (redaction)."""
        request = {
            "method": self.method,
            "url": clean(self.url),
            "headers": {name: clean(value) for name, value in self.headers.items()},
            "body": clean(self.body),
        }
        if self.status is None:
            return request, None
        response = {
            "status": self.status,
            "headers": {name: clean(value) for name, value in self.response_headers.items()},
            "body": clean(self.response_body),
        }
        return request, response


_exchanges: ContextVar[list[Exchange] | None] = ContextVar("herald_exchanges", default=None)


@contextmanager
def recording() -> Iterator[list[Exchange]]:
    """Collect every exchange made in this context (this thread) into the yielded list."""
    exchanges: list[Exchange] = []
    token = _exchanges.set(exchanges)
    try:
        yield exchanges
    finally:
        _exchanges.reset(token)


def started(method: str, url: str, headers: Mapping[str, str], body: bytes | str | None,
            *, basic_auth: bool = False) -> Exchange | None:
    """Note a request about to be made, when something is recording."""
    exchanges = _exchanges.get()
    if exchanges is None:
        return None
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else (body or "")
    shown = dict(headers)
    if basic_auth:
        shown["Authorization"] = f"Basic {REDACTED}"
    exchange = Exchange(method.upper(), url, shown, text[:MAX_REQUEST_BODY])
    exchanges.append(exchange)
    return exchange
