"""Alertmanager: the alerts POSTed to each configured Alertmanager's /api/v2/alerts."""
from __future__ import annotations

from collections.abc import Iterable

from app.alerts import Alert, format_time
from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    check_field,
    url_host,
)
from app.transport import http

_URL_FIELD = Field("url", "URL", kind="url")


def urls(values: Values) -> list[str]:
    """The configured Alertmanager URLs (a comma-separated list), each as written."""
    return [part.strip() for part in (values.get("url") or "").split(",") if part.strip()]


def alerts_url(base: str) -> str:
    """Where Alertmanager's API v2 takes alerts, under one configured URL."""
    return base.rstrip("/") + "/api/v2/alerts"


def _valid_urls(values: Values) -> Iterable[tuple[str, str]]:
    listed = urls(values)
    if values.get("url") and not listed:
        yield "url", "URL: enter at least one Alertmanager URL."
    for url in listed:
        if check_field(_URL_FIELD, url):
            yield "url", f"Not a valid http:// or https:// URL: {url[:80]}"
            return


def postable_alert(alert: Alert) -> dict:
    """One alert as Alertmanager's API v2 takes it (a past endsAt resolves it)."""
    return {
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "startsAt": format_time(alert.starts_at),
        "endsAt": format_time(alert.ends_at),
        "generatorURL": alert.generator_url,
    }


def send(ctx: SendContext) -> Sent:
    """Post the alerts to every Alertmanager; it is a success when one of them takes them."""
    body = [postable_alert(alert) for alert in ctx.group.alerts]
    auth = None
    if ctx.values.get("basicAuthUser") or ctx.values.get("basicAuthPassword"):
        auth = (ctx.values.get("basicAuthUser") or "", ctx.values.get("basicAuthPassword") or "")
    failures: list[SendError] = []
    status = None
    for url in urls(ctx.values):
        try:
            status = http.request("POST", alerts_url(url), json=body, auth=auth).status
        except SendError as error:
            failures.append(error)
    if status is None:
        last = failures[-1]
        raise SendError(f"failed to send alert to Alertmanager: {last.message}",
                        permanent=all(f.permanent for f in failures), status=last.status,
                        retry_after=last.retry_after)
    for failure in failures:
        ctx.warnings.append(f"One Alertmanager failed: {failure.message}")
    return Sent(status)


INTEGRATION = IntegrationType(
    type="prometheus-alertmanager",
    label="Alertmanager",
    category="Incident management",
    description="Sends notifications to Alertmanager",
    fields=(
        Field("url", "URL", required=True, placeholder="http://localhost:9093",
              help="One or more Alertmanager URLs, separated by commas."),
        Field("basicAuthUser", "Basic Auth User"),
        Field("basicAuthPassword", "Basic Auth Password", secret=True),
    ),
    rules=(_valid_urls,),
    summary=lambda values: ", ".join(url_host(url) for url in urls(values)),
    send=send,
    destination_keys=("url",),
)
