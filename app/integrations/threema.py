"""Threema Gateway: a simple (server-encrypted) text message through send_simple."""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from app.integrations.base import Field, IntegrationType, SendContext, Sent, Values
from app.integrations.common import alert_list_url
from app.transport import http

API_URL = "https://msgapi.threema.ch/send_simple"
GATEWAY_ID_RE = re.compile(r"^\*[0-9A-Z]{7}$")
THREEMA_ID_RE = re.compile(r"^[0-9A-Z]{8}$")
FIRING_EMOJI, RESOLVED_EMOJI = "\u26a0\ufe0f ", "\u2705 "


def _valid_ids(values: Values) -> Iterable[tuple[str, str]]:
    gateway, recipient = values.get("gateway_id") or "", values.get("recipient_id") or ""
    if gateway and not GATEWAY_ID_RE.match(gateway):
        yield "gateway_id", ("Gateway ID must be 8 characters: a * then 7 capital letters or "
                             "digits.")
    if recipient and not THREEMA_ID_RE.match(recipient):
        yield "recipient_id", "Recipient ID must be 8 capital letters or digits."


def text(ctx: SendContext) -> str:
    """Grafana's Threema message: an emoji and the title, the description, the link."""
    emoji = RESOLVED_EMOJI if ctx.group.status == "resolved" else FIRING_EMOJI
    return (f"{emoji}{ctx.text('title')}\n\n*Message:*\n{ctx.text('description')}\n"
            f"*URL:* {alert_list_url(ctx.group.external_url)}\n")


def send(ctx: SendContext) -> Sent:
    """Post the form; the gateway answers with the message ID."""
    # https://gateway.threema.ch/en/developer/api - "Send Simple" takes a urlencoded form.
    form = {"from": ctx.values["gateway_id"], "to": ctx.values["recipient_id"],
            "secret": ctx.values["api_secret"], "text": text(ctx)}
    answer = http.request("POST", ctx.config.get("HERALD_THREEMA_API_URL") or API_URL,
                          data=urlencode(sorted(form.items())),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="threema",
    label="Threema Gateway",
    description="Sends notifications to Threema using Threema Gateway (Basic IDs)",
    fields=(
        Field("gateway_id", "Gateway ID", required=True, placeholder="*3MAGWID",
              help="Your 8 character Threema Gateway Basic ID (starting with a *)."),
        Field("recipient_id", "Recipient ID", required=True, placeholder="YOUR3MID",
              help="The 8 character Threema ID that should receive the alerts."),
        Field("api_secret", "API Secret", required=True, secret=True,
              help="Your Threema Gateway API secret."),
        Field("title", "Title", element="textarea", template="default.title",
              help="Templated title of the message."),
        Field("description", "Description", element="textarea", template="default.message",
              help="Templated description of the message."),
    ),
    rules=(_valid_ids,),
    summary=lambda values: values.get("recipient_id") or "",
    send=send,
)
