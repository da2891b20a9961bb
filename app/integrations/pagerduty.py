"""PagerDuty: Events API v2 trigger and resolve events."""
from __future__ import annotations

import socket
from collections.abc import Iterable

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    Values,
    cut_text,
)
from app.transport import http

SEVERITIES = ("critical", "error", "warning", "info")
EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
# https://developer.pagerduty.com/docs/send-alert-event - summary up to 1024 characters,
# and the whole event up to 512 KB.
MAX_SUMMARY = 1024
MAX_EVENT_BYTES = 512_000
TOO_LARGE = ("Custom details have been removed because the original event exceeds the "
             "maximum size of 512KB")
# Grafana's default details (built-in templates); configured details of the same name
# replace them.
DEFAULT_DETAILS = {"firing": "pagerduty.default.firing", "resolved": "pagerduty.default.resolved"}
COUNTS = {"num_firing": "{{ Alerts.Firing|length }}",
          "num_resolved": "{{ Alerts.Resolved|length }}"}
TEMPLATE_MARKS = ("{{", "{%")


def custom_details(ctx: SendContext) -> dict[str, str]:
    """Grafana's details (the alert lists and counts) merged with the configured ones."""
    sources = {**dict.fromkeys(DEFAULT_DETAILS, ""), **COUNTS, **(ctx.values.get("details") or {})}
    # Go writes a map's keys in sorted order.
    return {key: ctx.render(sources[key], DEFAULT_DETAILS.get(key, ""), label=f"Details {key}")
            for key in sorted(sources)}


def severity(ctx: SendContext) -> str:
    """The rendered severity, lower case; anything PagerDuty does not know is critical."""
    rendered = ctx.render(ctx.values.get("severity") or "critical").strip().lower()
    return rendered if rendered in SEVERITIES else "critical"


def known_severity(values: Values) -> Iterable[tuple[str, str]]:
    """A severity without template markup must be one PagerDuty knows."""
    value = str(values.get("severity") or "").strip()
    if value and not any(mark in value for mark in TEMPLATE_MARKS) \
            and value.lower() not in SEVERITIES:
        yield "severity", f"Severity must be one of {', '.join(SEVERITIES)}, or a template."


def event(ctx: SendContext) -> dict:
    """Grafana's Events API v2 trigger or resolve event, deduplicated on the group key."""
    group, values = ctx.group, ctx.values
    payload = {
        "summary": cut_text(ctx.text("summary"), MAX_SUMMARY),
        "source": ctx.render(values.get("source")) or socket.gethostname(),
        "severity": severity(ctx),
        "class": ctx.render(values.get("class") or "default"),
        "component": ctx.render(values.get("component") or "Herald"),
        "group": ctx.render(values.get("group") or "default"),
        "custom_details": custom_details(ctx),
    }
    body = {
        "routing_key": values["integrationKey"],
        "dedup_key": group.group_hash(),
        "event_action": "trigger" if group.status == "firing" else "resolve",
        "payload": {key: value for key, value in payload.items()
                    if value or key in ("summary", "source", "severity")},
        "client": ctx.render(values.get("client")) or "Herald",
        "client_url": ctx.render(values.get("client_url")) or group.external_url,
        "links": [{"href": group.external_url, "text": "External URL"}],
    }
    return {key: value for key, value in body.items() if value}


def send(ctx: SendContext) -> Sent:
    """Enqueue the event; PagerDuty answers 202 when it accepts it."""
    body = event(ctx)
    if len(http.go_json(body)) > MAX_EVENT_BYTES:
        body["payload"]["custom_details"] = {"error": TOO_LARGE}
    # Grafana writes the event with a JSON encoder, which ends it with a newline.
    answer = http.request("POST", ctx.values.get("url") or EVENTS_URL,
                          data=http.go_json(body) + b"\n",
                          headers={"Content-Type": "application/json"})
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="pagerduty",
    label="PagerDuty",
    description="Triggers and resolves PagerDuty incidents through the Events API v2.",
    fields=(
        Field("integrationKey", "Integration Key", required=True, secret=True,
              placeholder="Pagerduty Integration Key"),
        Field("severity", "Severity", default="critical", placeholder="critical",
              help="Severity of the event: critical, error, warning or info. You can use "
              "templates; a rendered value PagerDuty does not know becomes critical."),
        Field("class", "Class", placeholder="default",
              help="The class/type of the event, for example 'ping failure' or "
              "'cpu load'."),
        Field("component", "Component", placeholder="Herald",
              help="Component of the source machine that is responsible for the event, for "
              "example mysql or eth0."),
        Field("group", "Group", placeholder="default",
              help="Logical grouping of components of a service, for example "
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
              "incident. Added to firing, resolved, num_firing and num_resolved, which a "
              "detail of the same name replaces."),
        Field("url", "URL", kind="url", placeholder="https://events.pagerduty.com/v2/enqueue",
              help="The URL to send API requests to."),
    ),
    summary=lambda values: values.get("severity", ""),
    rules=(known_severity,),
    send=send,
    destination_keys=("url",),
    category="Incident management",
)
