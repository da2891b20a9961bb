"""Telegram: the Bot API's sendMessage."""
from __future__ import annotations

import re
import secrets

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


# Grafana's default message is plain text. Where a parse mode would refuse it, it is
# escaped: in HTML a < or > (or an entity-like &), in MarkdownV2 every reserved character
# (its "." and "-" alone make Telegram refuse Grafana's text). Markdown gets it as Grafana
# sends it. https://core.telegram.org/bots/api#formatting-options
ENTITY_RE = re.compile(r"&(?=#?\w+;)")
MARKDOWN_V2_RE = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")


def escape_for(parse_mode: str, text: str) -> str:
    """Plain text made safe for the parse mode."""
    if parse_mode == "HTML":
        # A bare & (as in every silence link) is accepted; only an entity-like one is not.
        text = ENTITY_RE.sub("&amp;", text)
        return text.replace("<", "&lt;").replace(">", "&gt;")
    if parse_mode == "MarkdownV2":
        return MARKDOWN_V2_RE.sub(r"\\\1", text)
    return text


def message_text(ctx: SendContext, parse_mode: str) -> str:
    """The message: the person's template as written, or Grafana's default, escaped where
    the parse mode needs it."""
    source = ctx.values.get("message")
    if source and source.strip():
        text = ctx.text("message")
    else:
        text = escape_for(parse_mode, ctx.render(None, "default.message"))
    return cut_html(text, MAX_TEXT) if parse_mode == "HTML" else cut_text(text, MAX_TEXT)


def message(ctx: SendContext) -> dict[str, str]:
    """sendMessage fields, in Grafana's order; unset options are left out."""
    values = ctx.values
    parse_mode = values.get("parse_mode") or "HTML"
    fields = {"chat_id": str(values["chatid"])}
    if str(values.get("message_thread_id") or "").strip():
        fields["message_thread_id"] = str(int(values["message_thread_id"]))
    if values.get("disable_notifications"):
        fields["disable_notification"] = "true"
    fields["text"] = message_text(ctx, parse_mode)
    if parse_mode != "None":
        fields["parse_mode"] = parse_mode
    for key in ("disable_web_page_preview", "protect_content"):
        if values.get(key):
            fields[key] = "true"
    return fields


def form_data(fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body of text fields, laid out as Go's multipart.Writer does."""
    boundary = secrets.token_hex(30)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


def send(ctx: SendContext) -> Sent:
    """Call sendMessage with a multipart form, as Grafana does; Telegram answers
    {"ok": false, "description": ...} on failure."""
    base = (ctx.config.get("HERALD_TELEGRAM_API_URL") or API_URL).rstrip("/")
    url = f"{base}/bot{ctx.values['bottoken']}/sendMessage"
    form, content_type = form_data(message(ctx))
    answer = http.request("POST", url, data=form, headers={"Content-Type": content_type})
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
        Field("message", "Message", element="textarea", template="default.message",
              help="Empty: Grafana's default message, escaped where the parse mode needs it."),
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
