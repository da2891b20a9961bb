"""ntfy: a push notification published to a topic of ntfy.sh or a self-hosted server."""
from __future__ import annotations

import re
from collections.abc import Iterable

from app.integrations.base import Field, IntegrationType, SendContext, Sent, Values, url_host
from app.transport import http

# https://docs.ntfy.sh/publish/#publish-as-json - POST the JSON to the server's root URL.
DEFAULT_SERVER = "https://ntfy.sh"
TOPIC_RE = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
PRIORITIES = (("5", "5 - max"), ("4", "4 - high"), ("3", "3 - default"), ("2", "2 - low"),
              ("1", "1 - min"))


def tags(values: Values) -> list[str]:
    return [tag.strip() for tag in (values.get("tags") or "").split(",") if tag.strip()]


def check_topic(values: Values) -> Iterable[tuple[str, str]]:
    topic = values.get("topic") or ""
    if topic and not TOPIC_RE.match(topic):
        yield "topic", "Topic may hold only letters, digits, - and _ (at most 64)."


def publication(ctx: SendContext) -> dict:
    """The JSON message: topic, title, message, priority, tags and a link to Herald."""
    body: dict = {
        "topic": ctx.values["topic"],
        "title": ctx.text("title"),
        "message": ctx.text("message"),
        "priority": int(ctx.values.get("priority") or 3),
        "click": ctx.group.external_url,
    }
    if tags(ctx.values):
        body["tags"] = tags(ctx.values)
    return body


def send(ctx: SendContext) -> Sent:
    """Publish; a protected topic needs an access token, sent as a bearer token."""
    server = (ctx.values.get("server") or DEFAULT_SERVER).rstrip("/")
    headers = {"Authorization": f"Bearer {ctx.values['token']}"} if ctx.values.get("token") \
        else {}
    answer = http.request("POST", f"{server}/", json=publication(ctx), headers=headers)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="ntfy",
    label="ntfy",
    description="Publishes a push notification to an ntfy topic.",
    fields=(
        Field("server", "Server URL", kind="url", primary=True, default=DEFAULT_SERVER,
              help=f"ntfy.sh or your own ntfy server; {DEFAULT_SERVER} when empty."),
        Field("topic", "Topic", required=True, placeholder="herald-alerts",
              help="Anyone who knows a public topic's name can read it: pick one hard to "
              "guess, or protect it with an access token."),
        Field("token", "Access token", secret=True, placeholder="tk_...",
              help="Needed for a protected topic."),
        Field("title", "Title", template="default.title"),
        Field("message", "Message", element="textarea", template="default.message"),
        Field("priority", "Priority", element="select", options=PRIORITIES, default="3"),
        Field("tags", "Tags", placeholder="warning,rotating_light",
              help="Comma-separated tags; names of emojis are shown as emojis."),
    ),
    rules=(check_topic,),
    summary=lambda values: values["topic"] + " on " +
    url_host(values.get("server") or DEFAULT_SERVER) if values.get("topic") else "",
    send=send,
    destination_keys=("server",),
    category="Chat",
)
