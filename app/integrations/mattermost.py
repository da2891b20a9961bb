"""Mattermost: a message with a coloured attachment, posted to an incoming webhook."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType, SendContext, Sent, cut_text
from app.transport import http

# https://developers.mattermost.com/integrate/webhooks/incoming/ - a post holds at most
# 16,383 characters; attachments follow Slack's message attachment format.
MAX_TEXT = 16_383
FIRING_COLOR, RESOLVED_COLOR = "#D63232", "#36A64F"


def message(ctx: SendContext) -> dict:
    """The webhook body: the title as text, and an attachment with the message."""
    title = ctx.text("title")
    body: dict = {
        "text": cut_text(title, MAX_TEXT),
        "attachments": [{
            "fallback": title,
            "color": FIRING_COLOR if ctx.group.status == "firing" else RESOLVED_COLOR,
            "title": title,
            "title_link": ctx.group.external_url,
            "text": cut_text(ctx.text("message"), MAX_TEXT),
        }],
    }
    for key in ("channel", "username", "icon_url"):
        if ctx.values.get(key):
            body[key] = ctx.values[key]
    return body


def send(ctx: SendContext) -> Sent:
    answer = http.request("POST", ctx.values["url"], json=message(ctx))
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="mattermost",
    label="Mattermost",
    description="Posts to a Mattermost channel through an incoming webhook.",
    fields=(
        Field("url", "Webhook URL", kind="url", required=True, secret=True,
              placeholder="https://mattermost.example.com/hooks/xxx",
              help="The incoming webhook's URL; it holds the webhook's key."),
        Field("title", "Title", template="default.title", help="Templated title of the message."),
        Field("message", "Message", element="textarea", template="default.message",
              help="Templated text of the message (Markdown)."),
        Field("channel", "Channel", placeholder="town-square",
              help="Overrides the webhook's channel, when the webhook allows it."),
        Field("username", "Username",
              help="Overrides the webhook's username, when the server allows it."),
        Field("icon_url", "Icon URL", kind="url",
              help="Overrides the profile picture, when the server allows it."),
    ),
    summary=lambda values: f"channel {values['channel']}" if values.get("channel")
    else ("webhook" if values.get("url") else ""),
    send=send,
    category="Chat",
)
