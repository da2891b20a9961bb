"""Webhook: Alertmanager's webhook body (a superset of it) sent to any URL."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType, not_together, refused_map_keys, url_host

# Headers the HTTP layer sets itself, or that would let a header override authentication.
RESTRICTED_HEADERS = (
    "Authorization", "Host", "Cookie", "Content-Length", "Content-Type", "User-Agent",
    "Connection", "Transfer-Encoding", "Proxy-Authorization", "Upgrade", "Expect", "TE",
    "Trailer", "Keep-Alive",
)

INTEGRATION = IntegrationType(
    type="webhook",
    label="Webhook",
    description="Sends the alert group as JSON to any HTTP endpoint.",
    fields=(
        Field("url", "URL", kind="url", required=True, placeholder="https://example.com/alerts"),
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
        Field("hmacConfig.secret", "HMAC Signature - Secret", secret=True,
              help="Secret key used to sign the body with HMAC-SHA256."),
        Field("hmacConfig.header", "HMAC Signature - Header", placeholder="X-Herald-Signature",
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
    ),
    summary=lambda values: url_host(values.get("url", "")),
)
