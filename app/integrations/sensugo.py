"""Sensu Go: an event (entity, check, status) posted to the backend's core API."""
from __future__ import annotations

import time
from urllib.parse import quote

from app.integrations.base import Field, IntegrationType, SendContext, Sent, url_host
from app.integrations.common import alert_list_url
from app.transport import http

DEFAULT = "default"
CHECK_INTERVAL = 86400
CRITICAL, OK = 2, 0


def event(ctx: SendContext, namespace: str) -> dict:
    """The Sensu Go event: a check result for the proxy entity, critical while firing."""
    rule_url = alert_list_url(ctx.group.external_url)
    handler = ctx.values.get("handler")
    return {
        "entity": {"metadata": {
            "name": ctx.render(ctx.values.get("entity"), label="Proxy entity name") or DEFAULT,
            "namespace": namespace,
        }},
        "check": {
            "metadata": {
                "name": ctx.render(ctx.values.get("check"), label="Check name") or DEFAULT,
                "labels": {"ruleURL": rule_url},
            },
            "output": ctx.text("message"),
            "issued": int(time.time()),
            "interval": CHECK_INTERVAL,
            "status": CRITICAL if ctx.group.status == "firing" else OK,
            "handlers": [ctx.render(handler, label="Handler")] if handler else None,
        },
        "ruleUrl": rule_url,
    }


def send(ctx: SendContext) -> Sent:
    """Post the event to /api/core/v2/namespaces/<namespace>/events with the API key."""
    namespace = ctx.render(ctx.values.get("namespace"), label="Namespace") or DEFAULT
    url = (f"{ctx.values['url'].rstrip('/')}/api/core/v2/namespaces/"
           f"{quote(namespace, safe='')}/events")
    answer = http.request("POST", url, json=event(ctx, namespace),
                          headers={"Authorization": f"Key {ctx.values['apikey']}"})
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="sensugo",
    label="Sensu Go",
    category="Incident management",
    description="Sends HTTP POST request to a Sensu Go API",
    fields=(
        Field("url", "Backend URL", kind="url", required=True,
              placeholder="http://sensu-api.local:8080"),
        Field("apikey", "API Key", required=True, secret=True,
              help="API key to auth to Sensu Go backend"),
        Field("entity", "Proxy entity name", placeholder="default"),
        Field("check", "Check name", placeholder="default"),
        Field("handler", "Handler"),
        Field("namespace", "Namespace", placeholder="default"),
        Field("message", "Message", element="textarea", template="default.message"),
    ),
    summary=lambda values: url_host(values.get("url", "")),
    send=send,
    destination_keys=("url",),
)
