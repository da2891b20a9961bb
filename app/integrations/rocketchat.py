"""Rocket.Chat: a message with a coloured attachment, posted to an incoming webhook."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType, SendContext, Sent, cut_text
from app.transport import http

# https://docs.rocket.chat/docs/integrations - incoming webhooks take a message object:
# text, alias, emoji, avatar, channel and attachments. Messages are limited to 5,000
# characters by default (Message_MaxAllowedSize).
MAX_TEXT = 5000
FIRING_COLOR, RESOLVED_COLOR = "#D63232", "#36A64F"


def message(ctx: SendContext) -> dict:
    """The webhook body: the title as text, and an attachment with the message."""
    title = ctx.text("title")
    body: dict = {
        "text": cut_text(title, MAX_TEXT),
        "attachments": [{
            "title": title,
            "title_link": ctx.group.external_url,
            "text": cut_text(ctx.text("message"), MAX_TEXT),
            "color": FIRING_COLOR if ctx.group.status == "firing" else RESOLVED_COLOR,
        }],
    }
    for key in ("channel", "alias", "avatar", "emoji"):
        if ctx.values.get(key):
            body[key] = ctx.values[key]
    return body


def send(ctx: SendContext) -> Sent:
    """Post the message; Rocket.Chat answers {"success": false, "error": ...} on failure."""
    answer = http.request("POST", ctx.values["url"], json=message(ctx))
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="rocketchat",
    label="Rocket.Chat",
    description="Posts to a Rocket.Chat channel through an incoming webhook.",
    fields=(
        Field("url", "Webhook URL", kind="url", required=True, secret=True,
              placeholder="https://chat.example.com/hooks/xxx/yyy",
              help="The incoming webhook's URL; it holds the webhook's token."),
        Field("title", "Title", template="default.title", help="Templated title of the message."),
        Field("message", "Message", element="textarea", template="default.message",
              help="Templated text of the message (Markdown)."),
        Field("channel", "Channel", placeholder="#alerts or @user",
              help="Overrides the webhook's channel: #channel or @user."),
        Field("alias", "Alias", help="The name shown instead of the webhook user's."),
        Field("avatar", "Avatar URL", kind="url", help="The picture shown for the message."),
        Field("emoji", "Emoji", placeholder=":rotating_light:",
              help="An emoji shown as the avatar (ignored when an avatar URL is set)."),
    ),
    summary=lambda values: f"channel {values['channel']}" if values.get("channel")
    else ("webhook" if values.get("url") else ""),
    send=send,
    category="Chat",
)
