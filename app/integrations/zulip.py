"""Zulip: a stream or private message sent through the REST API by a bot."""
from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlencode

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    Values,
    cut_bytes,
    cut_text,
    split_addresses,
    url_host,
)
from app.transport import http

# https://zulip.com/api/send-message - content at most 10,000 bytes, topic 60 characters.
MAX_CONTENT_BYTES = 10_000
MAX_TOPIC = 60
DEFAULT_TOPIC = "Alerts"
MESSAGE_TYPES = (("stream", "Stream"), ("private", "Private message"))


def recipients(values: Values) -> list[str]:
    return split_addresses(values.get("to") or "")


def check_recipients(values: Values) -> Iterable[tuple[str, str]]:
    """A stream message needs its stream; a private message needs its recipients."""
    if (values.get("type") or "stream") == "stream":
        if not (values.get("stream") or "").strip():
            yield "stream", "Stream is required for a stream message."
    elif not recipients(values):
        yield "to", "Recipients are required for a private message."


def form(ctx: SendContext) -> dict[str, str]:
    """The form fields of POST /api/v1/messages."""
    content = f"**{ctx.text('title')}**\n\n{ctx.text('message')}".strip()
    fields = {"content": cut_bytes(content, MAX_CONTENT_BYTES)}
    if (ctx.values.get("type") or "stream") == "stream":
        topic = ctx.render(ctx.values.get("topic"), label="Topic").strip() or DEFAULT_TOPIC
        fields.update(type="stream", to=ctx.values["stream"].strip(),
                      topic=cut_text(topic, MAX_TOPIC))
    else:
        # Private recipients are a JSON list of the users' email addresses.
        fields.update(type="private", to=json.dumps(recipients(ctx.values)))
    return fields


def send(ctx: SendContext) -> Sent:
    """Send as the bot (HTTP basic auth); errors come back as {"result": "error", "msg"}."""
    url = f"{ctx.values['site'].rstrip('/')}/api/v1/messages"
    answer = http.request(
        "POST", url, data=urlencode(form(ctx)),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(ctx.values["email"], ctx.values["api_key"]),
    )
    return Sent(answer.status)


def summary(values: Values) -> str:
    if (values.get("type") or "stream") == "stream":
        return f"#{values['stream']} on {url_host(values.get('site', ''))}" \
            if values.get("stream") else ""
    count = len(recipients(values))
    return f"private message to {count} user{'s' if count != 1 else ''}" if count else ""


INTEGRATION = IntegrationType(
    type="zulip",
    label="Zulip",
    description="Sends a stream or private message through a Zulip bot.",
    fields=(
        Field("site", "Zulip URL", kind="url", required=True,
              placeholder="https://example.zulipchat.com",
              help="The address of your Zulip organization."),
        Field("email", "Bot email", kind="email", required=True,
              placeholder="alerts-bot@example.zulipchat.com"),
        Field("api_key", "Bot API key", required=True, secret=True),
        Field("type", "Message type", element="select", options=MESSAGE_TYPES,
              default="stream", primary=True),
        Field("stream", "Stream", primary=True, placeholder="alerts",
              help="The stream (channel) name, for a stream message."),
        Field("topic", "Topic", primary=True, placeholder=DEFAULT_TOPIC,
              help=f"Templated topic of a stream message, at most {MAX_TOPIC} characters; "
              f"{DEFAULT_TOPIC!r} when empty."),
        Field("to", "Recipients", element="textarea", primary=True,
              help="Email addresses of the users, for a private message."),
        Field("title", "Title", template="default.title",
              help="Templated title, shown in bold above the message."),
        Field("message", "Message", element="textarea", template="default.message",
              help="Templated text of the message (Zulip Markdown)."),
    ),
    rules=(check_recipients,),
    summary=summary,
    send=send,
    destination_keys=("site",),
    category="Chat",
)
