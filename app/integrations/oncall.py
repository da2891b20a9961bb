"""Grafana IRM / OnCall: the webhook body, with Grafana's orgId, sent to an OnCall URL."""
from __future__ import annotations

from app.integrations import webhook
from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    not_together,
    url_host,
)
from app.transport import http

# Herald has one organisation; Grafana's first one has the id 1.
ORG_ID = 1


def send(ctx: SendContext) -> Sent:
    """Send the webhook body plus orgId with the configured method and authentication."""
    ctx = webhook.truncated(ctx)
    url = ctx.url("url")
    body = http.go_json({**webhook.payload(ctx), "orgId": ORG_ID})
    return webhook.send_body(ctx.values, url, body)


INTEGRATION = IntegrationType(
    type="oncall",
    label="Grafana IRM",
    category="Incident management",
    description="Sends alerts to Grafana IRM",
    fields=(
        Field("url", "URL", kind="url", required=True, templated=True),
        Field("httpMethod", "HTTP Method", element="select",
              options=(("POST", "POST"), ("PUT", "PUT")), default="POST"),
        Field("username", "HTTP Basic Authentication - Username"),
        Field("password", "HTTP Basic Authentication - Password", secret=True),
        Field("authorization_scheme", "Authorization Header - Scheme", placeholder="Bearer",
              help="Optionally provide a scheme for the Authorization Request Header. "
              "Default is Bearer."),
        Field("authorization_credentials", "Authorization Header - Credentials", secret=True,
              help="Credentials for the Authorization Request header. Only one of HTTP Basic "
              "Authentication or Authorization Request Header can be set."),
        Field("maxAlerts", "Max Alerts", kind="int", placeholder="0",
              help="Max alerts to include in a notification. Remaining alerts in the same "
              "batch will be ignored above this number. 0 means no limit."),
        Field("title", "Title", element="textarea", template="default.title",
              help="Templated title of the message."),
        Field("message", "Message", element="textarea", template="default.message",
              help="Custom message. You can use template variables."),
    ),
    rules=(
        not_together(
            ("username", "password"),
            ("authorization_credentials",),
            "Use either HTTP Basic Authentication or an Authorization header, not both.",
        ),
    ),
    summary=lambda values: url_host(values.get("url", "")),
    send=send,
    destination_keys=("url",),
)
