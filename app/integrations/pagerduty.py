"""PagerDuty: Events API v2 trigger and resolve events."""
from __future__ import annotations

import json
import socket

from app.integrations.base import Field, IntegrationType, SendContext, Sent, cut_text
from app.transport import http

SEVERITIES = tuple((s, s) for s in ("critical", "error", "warning", "info"))
EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
# https://developer.pagerduty.com/docs/send-alert-event - summary up to 1024 characters,
# and the whole event up to 512 KB.
MAX_SUMMARY = 1024
MAX_EVENT_BYTES = 512_000


def custom_details(ctx: SendContext) -> dict[str, str]:
    """Counts and the message, overridden by the details the person configured."""
    group = ctx.group
    details = {
        "num_firing": str(len(group.firing)),
        "num_resolved": str(len(group.resolved)),
        "message": ctx.render(None, "default.message"),
    }
    for key, source in (ctx.values.get("details") or {}).items():
        details[key] = ctx.render(source, label=f"Details {key}")
    return details


def event(ctx: SendContext) -> dict:
    """An Events API v2 trigger or resolve event, deduplicated on the alert group."""
    group, values = ctx.group, ctx.values
    severity = values.get("severity") or "critical"
    payload = {
        "summary": cut_text(ctx.text("summary"), MAX_SUMMARY),
        "source": ctx.text("source") or socket.gethostname(),
        "severity": severity if severity in dict(SEVERITIES) else "critical",
        "class": ctx.text("class"),
        "component": ctx.text("component"),
        "group": ctx.text("group"),
        "custom_details": custom_details(ctx),
    }
    return {
        "routing_key": values["integrationKey"],
        "dedup_key": group.group_hash(),
        "event_action": "trigger" if group.status == "firing" else "resolve",
        "payload": {key: value for key, value in payload.items() if value},
        "client": ctx.text("client") or "Herald",
        "client_url": ctx.text("client_url") or group.external_url,
        "links": [{"href": group.external_url, "text": "External URL"}],
    }


def send(ctx: SendContext) -> Sent:
    """Enqueue the event; PagerDuty answers 202 when it accepts it."""
    body = event(ctx)
    if len(json.dumps(body, ensure_ascii=False).encode()) > MAX_EVENT_BYTES:
        body["payload"]["custom_details"] = {
            "error": "Custom details were removed: the event exceeded 512 KB."}
    answer = http.request("POST", ctx.values.get("url") or EVENTS_URL, json=body)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="pagerduty",
    label="PagerDuty",
    description="Triggers and resolves PagerDuty incidents through the Events API v2.",
    fields=(
        Field("integrationKey", "Integration Key", required=True, secret=True,
              placeholder="Pagerduty Integration Key"),
        Field("severity", "Severity", element="select", options=SEVERITIES, default="critical",
              help="Severity of the event."),
        Field("class", "Class", help="The class/type of the event, for example 'ping failure' or "
              "'cpu load'."),
        Field("component", "Component",
              help="Component of the source machine that is responsible for the event, for "
              "example mysql or eth0."),
        Field("group", "Group", help="Logical grouping of components of a service, for example "
              "'app-stack'."),
        Field("summary", "Summary", template="default.title",
              help="You can use templates for summary."),
        Field("source", "Source", placeholder="Herald's host name",
              help="The unique location of the affected system, preferably a hostname or FQDN."),
        Field("client", "Client", placeholder="Herald", help="The name of the monitoring client "
              "that is triggering this event."),
        Field("client_url", "Client URL", kind="url",
              help="The URL of the monitoring client that is triggering this event."),
        Field("details", "Details", element="map",
              help="A set of arbitrary key/value pairs that provide further detail about the "
              "incident."),
        Field("url", "URL", kind="url", placeholder="https://events.pagerduty.com/v2/enqueue",
              help="The URL to send API requests to."),
    ),
    summary=lambda values: values.get("severity", ""),
    send=send,
    destination_keys=("url",),
    category="Incident management",
)
