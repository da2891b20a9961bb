"""Slack: an incoming webhook, or the Web API (chat.postMessage) with a bot token."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType, Values, needs, one_of

MENTION_CHANNEL = (("", "Disabled"), ("here", "Every active channel member"),
                   ("channel", "Every channel member"))


def summary(values: Values) -> str:
    return values.get("recipient") or ("incoming webhook" if values.get("url") else "")


INTEGRATION = IntegrationType(
    type="slack",
    label="Slack",
    description="Posts to a Slack channel through an incoming webhook or the Slack API.",
    fields=(
        Field(
            "recipient",
            "Recipient",
            primary=True,
            help="Channel, private group or IM channel (#channel-name, @username or an ID). "
            "Required when a Token is used.",
        ),
        Field(
            "token",
            "Token",
            secret=True,
            primary=True,
            help="A Slack API token (starting with xoxb). Needs Recipient.",
        ),
        Field(
            "url",
            "Webhook URL",
            kind="url",
            secret=True,
            primary=True,
            placeholder="https://hooks.slack.com/services/...",
            help="An incoming webhook URL. Use this or a Token and a Recipient.",
        ),
        Field("title", "Title", template="slack.default.title",
              help="Templated title of the Slack message."),
        Field("text", "Text Body", element="textarea", template="slack.default.text",
              help="Body of the Slack message."),
        Field("mentionChannel", "Mention Channel", element="select", options=MENTION_CHANNEL,
              default="", help="Mention whole channel or just active members when notifying."),
        Field("mentionUsers", "Mention Users",
              help="Mention one or more users (comma separated) when notifying, by ID."),
        Field("mentionGroups", "Mention Groups",
              help="Mention one or more groups (comma separated) when notifying, by ID."),
        Field("username", "Username", help="Set the username for the bot's message."),
        Field("icon_emoji", "Emoji Icon", help="Provide an emoji to use as the icon."),
        Field("icon_url", "Icon URL", kind="url", help="Provide a URL to an image to use as the icon."),
        Field("color", "Color", placeholder="red when firing, green when resolved",
              help="Templated color of the Slack message."),
        Field("footer", "Footer", help="Templated footer of the Slack message."),
        Field("endpointUrl", "Endpoint URL", kind="url",
              placeholder="https://slack.com/api/chat.postMessage",
              help="Optionally provide a custom Slack message API endpoint for non-webhook "
              "requests."),
    ),
    rules=(
        one_of(("url", "token"), "Enter a Webhook URL, or a Token and a Recipient."),
        needs("token", "recipient", "Recipient is required when a Token is used."),
    ),
    summary=summary,
)
