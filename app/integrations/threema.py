"""Threema Gateway: a simple (server-encrypted) text message through send_simple."""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from app.integrations.base import Field, IntegrationType, SendContext, Sent, Values
from app.integrations.common import alert_list_url
from app.transport import http

API_URL = "https://msgapi.threema.ch/send_simple"
ID_LENGTH = 8
FIRING_EMOJI, RESOLVED_EMOJI = "\u26a0\ufe0f ", "\u2705 "


def _valid_ids(values: Values) -> Iterable[tuple[str, str]]:
    gateway, recipient = values.get("gateway_id") or "", values.get("recipient_id") or ""
    # Grafana's own checks: https://gateway.threema.ch/en/developer/api (IDs are 8 long).
    if gateway and not gateway.startswith("*"):
        yield "gateway_id", "invalid Threema Gateway ID: Must start with a *"
    elif gateway and len(gateway) != ID_LENGTH:
        yield "gateway_id", "invalid Threema Gateway ID: Must be 8 characters long"
    if recipient and len(recipient) != ID_LENGTH:
        yield "recipient_id", "invalid Threema Recipient ID: Must be 8 characters long"


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
    category="Chat",
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
