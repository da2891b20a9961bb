"""Alert groups shaped like the ones in Grafana's notifier tests (grafana/alerting)."""
from __future__ import annotations

from datetime import UTC, datetime

from app.alerts import Alert, AlertGroup, common_items, fingerprint, group_status
from app.templating import render_builtin

# Grafana's tests group on "alertname" and run with the external URL http://localhost.
GROUP_KEY = "alertname"
GROUP_HASH = "6e3538104c14b583da237e9693b76debbc17f0f8058ef20492e5853096cf8733"
EXTERNAL_URL = "http://localhost"
RULE_URL = "http://localhost/alerting/list"
ONE = [({"alertname": "alert1", "lbl1": "val1"}, {"ann1": "annv1"})]
TWO = [({"alertname": "alert1", "lbl1": "val1"}, {"ann1": "annv1"}),
       ({"alertname": "alert1", "lbl1": "val2"}, {"ann1": "annv2"})]


def grafana_group(specs=ONE, status: str = "firing") -> AlertGroup:
    """A group of the given (labels, annotations) alerts, all in one status."""
    alerts = [Alert(status=status, labels=dict(labels), annotations=dict(annotations),
                    starts_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                    ends_at=datetime(2026, 1, 2, 4, 0, tzinfo=UTC)
                    if status == "resolved" else None,
                    fingerprint=fingerprint(labels))
              for labels, annotations in specs]
    return AlertGroup(
        receiver="my_receiver", status=group_status(alerts), alerts=alerts,
        group_labels={"alertname": ""},
        common_labels=common_items([a.labels for a in alerts]),
        common_annotations=common_items([a.annotations for a in alerts]),
        external_url=EXTERNAL_URL, group_key=GROUP_KEY)


def default_title(group: AlertGroup) -> str:
    """What Herald's built-in default title renders for the group."""
    return render_builtin("default.title", group)


def default_message(group: AlertGroup) -> str:
    return render_builtin("default.message", group)
