"""Slack: an incoming webhook, or the Web API (chat.postMessage) with a bot token."""
from __future__ import annotations

import time

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    alert_list_url,
    cut_text,
    herald_icon_url,
    needs,
    one_of,
)
from app.transport import http

MENTION_CHANNEL = (("", "Disabled"), ("here", "Every active channel member"),
                   ("channel", "Every channel member"))


def summary(values: Values) -> str:
    return values.get("recipient") or ("incoming webhook" if values.get("url") else "")


API_URL = "https://slack.com/api/chat.postMessage"
# https://api.slack.com/reference/messaging/attachments#legacy_fields
MAX_TITLE, MAX_FOOTER = 1024, 300  # Grafana cuts the footer too
DEFAULT_COLOR = '{% if Status == "firing" %}#D63232{% else %}#36a64f{% endif %}'
# Web API errors worth retrying; https://api.slack.com/methods/chat.postMessage#errors
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout",
                    "ratelimited"}


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def mentions(ctx: SendContext) -> str:
    """Slack's mention markup for the channel, groups and users to notify."""
    parts = []
    channel = (ctx.values.get("mentionChannel") or "").strip()
    if channel:
        parts.append(f"<!{channel}|{channel}>")
    groups = _names(ctx.values.get("mentionGroups"))
    if groups:
        parts.append("".join(f"<!subteam^{ctx.render(g)}>" for g in groups))
    users = _names(ctx.values.get("mentionUsers"))
    if users:
        parts.append("".join(f"<@{ctx.render(u)}>" for u in users))
    return " ".join(parts)


def title_link(group) -> str:
    """The alerts' common generator URL, or the alert list at the external URL."""
    urls = {alert.generator_url for alert in group.alerts}
    common = urls.pop() if len(urls) == 1 else ""
    return common or alert_list_url(group.external_url)


def _omit_empty(mapping: dict, keep: tuple[str, ...] = ()) -> dict:
    """Grafana's omitempty: empty values are left out, except the keys always sent."""
    return {key: value for key, value in mapping.items() if value or key in keep}


def message(ctx: SendContext) -> dict:
    """Grafana's Slack message: one attachment, keys in Grafana's order."""
    values, group = ctx.values, ctx.group
    title = cut_text(ctx.text("title"), MAX_TITLE)
    footer = ctx.text("footer")
    attachment = {
        "title": title,
        "title_link": title_link(group),
        "text": ctx.text("text"),
        "fallback": title,
        "footer": cut_text(footer, MAX_FOOTER),
        "footer_icon": herald_icon_url(ctx.config),
        "color": ctx.render(values.get("color") or DEFAULT_COLOR),
        "ts": int(time.time()),
    }
    pretext = mentions(ctx)
    if pretext:
        attachment.update(pretext=pretext, mrkdwn_in=["pretext"])
    body = {"channel": ctx.render(values.get("recipient")),
            "username": ctx.render(values.get("username")) or "Herald",
            "icon_emoji": ctx.render(values.get("icon_emoji")),
            "icon_url": ctx.render(values.get("icon_url")),
            "attachments": [_omit_empty(attachment, ("text", "fallback", "footer",
                                                     "footer_icon"))]}
    return _omit_empty(body, ("attachments",))


def send(ctx: SendContext) -> Sent:
    """Post the message to the incoming webhook, or to the Web API with the bot token."""
    token = ctx.values.get("token")
    if token:
        url = ctx.values.get("endpointUrl") or API_URL
        headers = {"Authorization": f"Bearer {token}"}
    else:
        url, headers = ctx.values["url"], {}
    headers["Content-Type"] = "application/json; charset=utf-8"
    answer = http.request("POST", url, json=message(ctx), headers=headers)
    # The Web API answers 200 with {"ok": false, "error": ...} when it refuses a message.
    body = answer.json
    if isinstance(body, dict) and body.get("ok") is False:
        error = str(body.get("error") or "unknown error")
        raise SendError(f"Slack API error: {error}", permanent=error not in TRANSIENT_ERRORS,
                        status=answer.status)
    return Sent(answer.status)


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
        Field("title", "Title", template="default.title",
              help="Templated title of the Slack message."),
        Field("text", "Text Body", element="textarea", template="default.message",
              help="Body of the Slack message."),
        Field("mentionChannel", "Mention Channel", element="select", options=MENTION_CHANNEL,
              default="", help="Mention whole channel or just active members when notifying."),
        Field("mentionUsers", "Mention Users",
              help="Mention one or more users (comma separated) when notifying, by ID."),
        Field("mentionGroups", "Mention Groups",
              help="Mention one or more groups (comma separated) when notifying, by ID."),
        Field("username", "Username", placeholder="Herald",
              help="Set the username for the bot's message."),
        Field("icon_emoji", "Emoji Icon", help="Provide an emoji to use as the icon."),
        Field("icon_url", "Icon URL", kind="url",
              help="Provide a URL to an image to use as the icon."),
        Field("color", "Color", placeholder="red when firing, green when resolved",
              help="Templated color of the Slack message."),
        Field("footer", "Footer", template="slack.default.footer",
              help="Templated footer of the Slack message."),
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
    destination_keys=("endpointUrl",),
    send=send,
    category="Chat",
)
