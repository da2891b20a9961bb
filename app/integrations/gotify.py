"""Gotify: a message pushed to a self-hosted Gotify server's application."""
from __future__ import annotations

from collections.abc import Iterable

from app.integrations.base import Field, IntegrationType, SendContext, Sent, Values, url_host
from app.transport import http

# https://gotify.net/api-docs#/message/createMessage - POST /message with the application
# token in X-Gotify-Key; https://gotify.net/docs/msgextras for the Markdown display extra.
DEFAULT_PRIORITY = "5"
MAX_PRIORITY = 10


def check_priority(values: Values) -> Iterable[tuple[str, str]]:
    priority = str(values.get("priority") or "")
    if priority.isdigit() and int(priority) > MAX_PRIORITY:
        yield "priority", f"Priority must be from 0 to {MAX_PRIORITY}."


def message(ctx: SendContext) -> dict:
    """Title, message, priority, Markdown display and a click-through link to Herald."""
    return {
        "title": ctx.text("title"),
        "message": ctx.text("message"),
        "priority": int(ctx.values.get("priority") or DEFAULT_PRIORITY),
        "extras": {
            "client::display": {"contentType": "text/markdown"},
            "client::notification": {"click": {"url": ctx.group.external_url}},
        },
    }


def send(ctx: SendContext) -> Sent:
    url = f"{ctx.values['url'].rstrip('/')}/message"
    answer = http.request("POST", url, json=message(ctx),
                          headers={"X-Gotify-Key": ctx.values["token"]})
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="gotify",
    label="Gotify",
    description="Pushes a message to an application of a Gotify server.",
    fields=(
        Field("url", "Server URL", kind="url", required=True,
              placeholder="https://gotify.example.com"),
        Field("token", "Application token", required=True, secret=True,
              help="The token of the Gotify application the messages are sent as."),
        Field("title", "Title", template="default.title"),
        Field("message", "Message", element="textarea", template="default.message"),
        Field("priority", "Priority", kind="int", default=DEFAULT_PRIORITY,
              help="0 to 10; clients notify louder for higher priorities."),
    ),
    rules=(check_priority,),
    summary=lambda values: url_host(values.get("url", "")),
    send=send,
    destination_keys=("url",),
    category="Chat",
)
