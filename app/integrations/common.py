"""Small pieces several Grafana-compatible senders share: links, byte cuts, error codes."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from app.integrations.base import ELLIPSIS, SendError
from app.transport.http import HttpAnswer


def alert_list_url(external_url: str) -> str:
    """The alert rule list page under the external URL, as Grafana's senders link it."""
    parts = urlsplit(external_url or "")
    path = parts.path.rstrip("/") + "/alerting/list"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def cut_bytes(text: str, limit: int) -> str:
    """Text shortened with an ellipsis to at most limit UTF-8 bytes, never mid-character."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode())
    kept = text.encode()[:room].decode(errors="ignore")
    return kept + ELLIPSIS


def check_errcode(answer: HttpAnswer, provider: str) -> None:
    """Raise for an answer of 200 whose JSON carries a non-zero errcode (DingTalk, WeCom)."""
    body = answer.json if isinstance(answer.json, dict) else {}
    code = body.get("errcode", 0)
    if code not in (0, "0", None):
        message = body.get("errmsg") or "unknown error"
        raise SendError(f"{provider} error {code}: {message}", permanent=True,
                        status=answer.status)


