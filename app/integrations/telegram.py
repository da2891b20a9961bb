"""Telegram: the Bot API's sendMessage."""
from __future__ import annotations

import re

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    cut_text,
    utf16_length,
)
from app.transport import http

PARSE_MODES = tuple((m, m) for m in ("None", "HTML", "Markdown", "MarkdownV2"))
API_URL = "https://api.telegram.org"
# https://core.telegram.org/bots/api#sendmessage - text is 1-4096 characters.
MAX_TEXT = 4096
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>")
PARTIAL_END_RE = re.compile(r"(<[^<>]*|&[#a-zA-Z0-9]*)$")


def cut_html(text: str, limit: int) -> str:
    """Text cut to the limit without leaving a broken tag, entity or unclosed element,
    which Telegram would refuse to parse."""
    room = limit
    while True:
        cut = cut_text(text, room)
        if cut == text:
            return text
        cut = PARTIAL_END_RE.sub("", cut[:-1]) + cut[-1]
        open_tags: list[str] = []
        for match in TAG_RE.finditer(cut):
            closing, name = match.group(1), match.group(2).lower()
            if not closing:
                open_tags.append(name)
            elif name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
        closed = cut + "".join(f"</{name}>" for name in reversed(open_tags))
        if utf16_length(closed) <= limit:
            return closed
        room -= utf16_length(closed) - limit


def message(ctx: SendContext) -> dict:
    """sendMessage parameters; unset options are left out."""
    values = ctx.values
    parse_mode = values.get("parse_mode") or "HTML"
    text = ctx.text("message")
    text = cut_html(text, MAX_TEXT) if parse_mode == "HTML" else cut_text(text, MAX_TEXT)
    body: dict = {"chat_id": values["chatid"], "text": text}
    if parse_mode != "None":
        body["parse_mode"] = parse_mode
    if str(values.get("message_thread_id") or "").strip():
        body["message_thread_id"] = int(values["message_thread_id"])
    for key, option in (("disable_web_page_preview", "disable_web_page_preview"),
                        ("protect_content", "protect_content"),
                        ("disable_notifications", "disable_notification")):
        if values.get(key):
            body[option] = True
    return body


def send(ctx: SendContext) -> Sent:
    """Call sendMessage; Telegram answers {"ok": false, "description": ...} on failure."""
    base = (ctx.config.get("HERALD_TELEGRAM_API_URL") or API_URL).rstrip("/")
    url = f"{base}/bot{ctx.values['bottoken']}/sendMessage"
    answer = http.request("POST", url, json=message(ctx))
    body = answer.json
    if isinstance(body, dict) and body.get("ok") is False:
        raise SendError(f"Telegram: {body.get('description') or 'request refused'}",
                        permanent=True, status=answer.status)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="telegram",
    label="Telegram",
    description="Sends a message to a Telegram chat through a bot.",
    fields=(
        Field("bottoken", "BOT API Token", required=True, secret=True,
              placeholder="Telegram BOT API Token"),
        Field("chatid", "Chat ID", required=True,
              help="Integer Telegram Chat Identifier."),
        Field("message_thread_id", "Message Thread ID", kind="int",
              help="Integer Telegram Message Thread Identifier."),
        Field("message", "Message", element="textarea", template="telegram.default.message"),
        Field("parse_mode", "Parse Mode", element="select", options=PARSE_MODES, default="HTML",
              help="Mode for parsing entities in the message text."),
        Field("disable_web_page_preview", "Disable Web Page Preview", element="checkbox",
              help="Disables link previews for links in this message."),
        Field("protect_content", "Protect Content", element="checkbox",
              help="Protects the contents of the sent message from forwarding and saving."),
        Field("disable_notifications", "Disable Notification", element="checkbox",
              help="Sends the message silently. Users will receive a notification with no sound."),
    ),
    summary=lambda values: f"chat {values['chatid']}" if values.get("chatid") else "",
    send=send,
    category="Chat",
)
