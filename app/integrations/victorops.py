"""VictorOps (Splunk On-Call): the REST endpoint integration, one incident per alert group."""
from __future__ import annotations

import time

from app.integrations.base import Field, IntegrationType, SendContext, Sent, cut_text
from app.integrations.common import alert_list_url
from app.transport import http
from app.version import __version__

MESSAGE_TYPES = (("CRITICAL", "CRITICAL"), ("WARNING", "WARNING"))
DEFAULT_MESSAGE_TYPE = "CRITICAL"
RECOVERY = "RECOVERY"
# https://help.victorops.com/knowledge-base/incident-fields-glossary/ - 20,480 characters.
MAX_STATE_MESSAGE = 20_480


def message_type(ctx: SendContext) -> str:
    """RECOVERY once resolved; otherwise the chosen type, upper-cased, CRITICAL when empty."""
    if ctx.group.status == "resolved":
        return RECOVERY
    chosen = ctx.render(ctx.values.get("messageType"), label="Message Type").upper()
    return chosen or DEFAULT_MESSAGE_TYPE


def body(ctx: SendContext) -> dict:
    """The REST endpoint's JSON, keyed on the alert group so that RECOVERY closes it."""
    return {
        "message_type": message_type(ctx),
        "entity_id": ctx.group.group_hash(),
        "entity_display_name": ctx.text("title"),
        "timestamp": int(time.time()),
        "state_message": cut_text(ctx.text("description"), MAX_STATE_MESSAGE),
        "monitoring_tool": f"Herald v{__version__}",
        "alert_url": alert_list_url(ctx.group.external_url),
    }


def send(ctx: SendContext) -> Sent:
    answer = http.request("POST", ctx.values["url"], json=body(ctx))
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="victorops",
    label="VictorOps",
    category="Incident management",
    description="Sends notifications to VictorOps",
    fields=(
        # Not checked as a URL: Grafana takes any text here (its docs' example is "XXX").
        Field("url", "URL", required=True, secret=True, placeholder="VictorOps url"),
        Field("messageType", "Message Type", element="select", options=MESSAGE_TYPES,
              default=DEFAULT_MESSAGE_TYPE),
        Field("title", "Title", element="textarea", template="default.title",
              help="Templated title to display"),
        Field("description", "Description", element="textarea", template="default.message",
              help="Templated description of the message"),
    ),
    summary=lambda values: values.get("messageType") or DEFAULT_MESSAGE_TYPE,
    send=send,
)
