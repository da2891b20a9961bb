"""Grafana's notifier test cases (github.com/grafana/alerting receivers/<type>/v1/*_test.go),
ported as data: the settings, the alerts and the payload Grafana's test expects.

Grafana's tests render with http://localhost as the external URL, group labels
{"alertname": ""} and the group key "alertname"; Grafana computes each alert's silence,
dashboard and panel links from annotations, Herald receives them built, so the alerts
here carry the links Grafana's expected payloads show. Where a payload names the product
(footers, usernames, client fields) or links to it, the expectation says Herald.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from app.alerts import Alert, AlertGroup, common_items, fingerprint, group_status

EXTERNAL_URL = "http://localhost"
GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


def silence_url(labels: dict[str, str]) -> str:
    """The silence link Grafana's tests show: one matcher per label, in name order."""
    matchers = "".join(f"&matcher={quote(name, safe='')}%3D{quote(value, safe='')}"
                       for name, value in sorted(labels.items()))
    return f"{EXTERNAL_URL}/alerting/silence/new?alertmanager=grafana{matchers}"


def alert(labels: dict[str, str], annotations: dict[str, str] | None = None, *,
          status: str = "firing", generator_url: str = "", dashboard: str = "",
          panel: str = "", values: dict[str, float] | None = None, **fields: Any) -> Alert:
    """One alert of a Grafana test: its labels and annotations, links already built."""
    return Alert(status=status, labels=labels, annotations=annotations or {},
                 starts_at=fields.pop("starts_at", GO_ZERO_TIME), generator_url=generator_url,
                 silence_url=silence_url(labels), dashboard_url=dashboard, panel_url=panel,
                 values=values, fingerprint=fingerprint(labels), **fields)


def group(*alerts: Alert, group_labels: dict[str, str] | None = None,
          group_key: str = "alertname", receiver: str = "") -> AlertGroup:
    """The alerts as Grafana's tests notify them (group labels {"alertname": ""})."""
    return AlertGroup(
        receiver=receiver, status=group_status(list(alerts)), alerts=list(alerts),
        group_labels={"alertname": ""} if group_labels is None else group_labels,
        common_labels=common_items([a.labels for a in alerts]),
        common_annotations=common_items([a.annotations for a in alerts]),
        external_url=EXTERNAL_URL, group_key=group_key,
    )


ALERT1 = {"alertname": "alert1", "lbl1": "val1"}
ANNOTATIONS1 = {"ann1": "annv1"}
# "**Firing**" text of default.message for alert1/val1 with no links but the silence.
FIRING_VAL1 = ("**Firing**\n\nValue: [no value]\nLabels:\n - alertname = alert1\n"
               " - lbl1 = val1\nAnnotations:\n - ann1 = annv1\nSilence: "
               "http://localhost/alerting/silence/new?alertmanager=grafana"
               "&matcher=alertname%3Dalert1&matcher=lbl1%3Dval1\n")
