"""Webhook: Alertmanager's webhook body (a superset of it) sent to any URL."""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import replace

from app.alerts import first_alerts, group_to_dict
from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    Values,
    header_names,
    not_together,
    refused_map_keys,
    url_host,
)
from app.transport import http

# Grafana's header, so that receivers built for Grafana verify Herald's signature unchanged.
DEFAULT_SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"
ORG_ID = 1  # Herald has one organisation, Grafana's default one

# Headers the HTTP layer sets itself, or that would let a header override authentication.
RESTRICTED_HEADERS = (
    "Authorization", "Host", "Cookie", "Content-Length", "User-Agent", "Connection",
    "Transfer-Encoding", "Proxy-Authorization", "Upgrade", "Expect", "TE", "Trailer",
    "Keep-Alive", "Accept-Encoding", "Accept-Charset", "Content-Encoding",
)


def truncated(ctx: SendContext) -> SendContext:
    """The context with maxAlerts applied: Grafana cuts the alerts before rendering anything."""
    return replace(ctx, group=first_alerts(ctx.group, int(ctx.values.get("maxAlerts") or 0)))


def payload(ctx: SendContext) -> dict:
    """Grafana's webhook body; maxAlerts cuts the alerts before anything is rendered."""
    ctx = truncated(ctx)
    group = ctx.group
    body = group_to_dict(group)
    # Grafana's order: the alert data, then its own fields.
    return {
        **{key: body[key] for key in ("receiver", "status", "alerts", "groupLabels",
                                      "commonLabels", "commonAnnotations", "externalURL")},
        "version": "1",
        "groupKey": body["groupKey"],
        "truncatedAlerts": body["truncatedAlerts"],
        "orgId": ORG_ID,
        "title": ctx.text("title"),
        "state": "alerting" if group.status == "firing" else "ok",
        "message": ctx.text("message"),
    }


def request_headers(values: dict, body: bytes) -> dict[str, str]:
    """Content type, extra headers, the Authorization header and the HMAC signature."""
    headers = dict(values.get("headers") or {})
    if "content-type" not in {name.lower() for name in headers}:  # Grafana lets it be set
        headers["Content-Type"] = "application/json"
    if values.get("authorization_credentials"):
        scheme = values.get("authorization_scheme") or "Bearer"
        headers["Authorization"] = f"{scheme} {values['authorization_credentials']}"
    secret = values.get("hmacConfig.secret")
    if secret:
        signed = body
        timestamp_header = values.get("hmacConfig.timestampHeader")
        if timestamp_header:
            timestamp = str(int(time.time()))
            headers[timestamp_header] = timestamp
            signed = f"{timestamp}:".encode() + body
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        headers[values.get("hmacConfig.header") or DEFAULT_SIGNATURE_HEADER] = digest
    return headers


def custom_body(ctx: SendContext) -> bytes:
    """payload.template rendered with payload.vars as Vars; a failing one fails the send."""
    return ctx.render_strictly(ctx.values["payload.template"], label="Payload Template",
                               vars_=ctx.values.get("payload.vars") or {}).encode()


def send(ctx: SendContext) -> Sent:
    """Send the body with the configured method, authentication and signature."""
    ctx = truncated(ctx)
    values = ctx.values
    url = ctx.url("url")  # Grafana fails early when the URL cannot be rendered
    body = custom_body(ctx) if values.get("payload.template") else http.go_json(payload(ctx))
    return send_body(values, url, body)


def send_body(values: Values, url: str, body: bytes) -> Sent:
    """The body sent with the configured method, basic authentication and headers."""
    auth = None
    if values.get("username") or values.get("password"):
        auth = (values.get("username") or "", values.get("password") or "")
    answer = http.request(values.get("httpMethod") or "POST", url, data=body,
                          headers=request_headers(values, body), auth=auth)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="webhook",
    label="Webhook",
    description="Sends the alert group as JSON to any HTTP endpoint.",
    fields=(
        Field("url", "URL", kind="url", required=True, templated=True,
              placeholder="https://example.com/alerts",
              help="Templates may build it from the alerts, e.g. "
              "https://example.com/{{ CommonLabels.team }}."),
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
        Field("headers", "Extra Headers", element="map",
              help="Optionally provide extra custom headers to be used in the request."),
        Field("maxAlerts", "Max Alerts", kind="int", placeholder="0",
              help="The maximum number of alerts to include in a single webhook message. "
              "Leave empty or 0 to send all."),
        Field("title", "Title", template="default.title", help="Templated title of the message."),
        Field("message", "Message", element="textarea", template="default.message",
              help="Custom message. You can use template variables."),
        Field("payload.template", "Custom Payload - Payload Template", element="textarea",
              placeholder='{% include "webhook.default.payload" %}',
              help="Optionally a template that renders the whole request body, instead of "
              "the default JSON (Title and Message are then not used)."),
        Field("payload.vars", "Custom Payload - Payload Variables", element="map",
              help="Variables for the payload template, available in it as Vars.<name>."),
        Field("hmacConfig.secret", "HMAC Signature - Secret", secret=True,
              help="Secret key used to sign the body with HMAC-SHA256."),
        Field("hmacConfig.header", "HMAC Signature - Header",
              placeholder=DEFAULT_SIGNATURE_HEADER,
              help="Header that carries the hex signature."),
        Field("hmacConfig.timestampHeader", "HMAC Signature - Timestamp Header",
              help="When set, the Unix timestamp is sent in this header and signed as "
              "\"timestamp:body\"."),
    ),
    rules=(
        not_together(
            ("username", "password"),
            ("authorization_credentials",),
            "Use either HTTP Basic Authentication or an Authorization header, not both.",
        ),
        refused_map_keys("headers", RESTRICTED_HEADERS, "These headers cannot be set here"),
        header_names("headers"),
    ),
    summary=lambda values: url_host(values.get("url", "")),
    destination_keys=("url",),
    send=send,
    category="Generic",
)
