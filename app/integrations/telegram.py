"""Telegram: the Bot API's sendMessage."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType

PARSE_MODES = tuple((m, m) for m in ("None", "HTML", "Markdown", "MarkdownV2"))

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
)
