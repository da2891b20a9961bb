"""PagerDuty: Events API v2 trigger and resolve events."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType

SEVERITIES = tuple((s, s) for s in ("critical", "error", "warning", "info"))

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
)
