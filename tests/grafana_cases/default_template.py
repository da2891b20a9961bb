"""templates/default_template_test.go (TestDefaultTemplateString): six alerts, as data.

Grafana builds the silence, dashboard and panel links from annotations; Herald receives
them built, so each alert here carries the links Grafana's expected text shows.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.alerts import Alert, AlertGroup

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
EXTERNAL_URL = "http://localhost/grafana"
SILENCE = f"{EXTERNAL_URL}/alerting/silence/new?alertmanager=grafana"


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


ALERT1_DASHBOARD = (f"{EXTERNAL_URL}/d/dbuid123?from={_millis(NOW - timedelta(hours=1))}"
                    f"&orgId=1&to={_millis(NOW)}")
ALERT4_DASHBOARD = (f"{EXTERNAL_URL}/d/dbuid456?from={_millis(NOW - timedelta(hours=2))}"
                    f"&orgId=1&to={_millis(NOW - timedelta(minutes=30))}")

# (status, labels, annotations, values, generator URL, silence query, dashboard, panel)
ROWS = [
    ("firing", {"grafana_folder": "folder1", "lbl1": "val1"}, "annv1", {"A": 1234},
     "http://localhost/alert1?orgId=1",
     "&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval1&orgId=1",
     ALERT1_DASHBOARD, ALERT1_DASHBOARD + "&viewPanel=puid123"),
    ("firing", {"lbl1": "val2"}, "annv2", {"A": 1234, "B": 5678, "C": 9},
     "http://localhost/alert2",
     "&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval2", "", ""),
    ("firing", {"grafana_folder": "folder1", "lbl1": "val3"}, "annv3", {"A": 1234},
     "http://localhost/alert3?orgId=1",
     "&matcher=alertname%3Dalert1&matcher=grafana_folder%3Dfolder1&matcher=lbl1%3Dval3&orgId=1",
     "", ""),
    ("resolved", {"lbl1": "val4"}, "annv4", {"A": 1234}, "http://localhost/alert4?orgId=1",
     "&matcher=alertname%3Dalert1&matcher=lbl1%3Dval4&orgId=1",
     ALERT4_DASHBOARD, ALERT4_DASHBOARD + "&viewPanel=puid456"),
    ("resolved", {"lbl1": "val5"}, "annv5", {"A": 1234, "B": 5678, "C": 9},
     "http://localhost/alert5", "&matcher=alertname%3Dalert1&matcher=lbl1%3Dval5", "", ""),
    ("resolved", {"lbl1": "val6"}, "annv6", {"A": 1234}, "http://localhost/alert6?orgId=1",
     "&matcher=alertname%3Dalert1&matcher=lbl1%3Dval6&orgId=1", "", ""),
]


def group() -> AlertGroup:
    """The six alerts of the test, grouped by nothing (Grafana's empty GroupLabels)."""
    alerts = [
        Alert(status=status, labels={"alertname": "alert1", **labels},
              annotations={"ann1": annotation}, starts_at=NOW, values=values,
              ends_at=None if status == "firing" else NOW, generator_url=source,
              silence_url=SILENCE + silence, dashboard_url=dashboard, panel_url=panel)
        for status, labels, annotation, values, source, silence, dashboard, panel in ROWS
    ]
    return AlertGroup(receiver="test", status="firing", alerts=alerts,
                      common_labels={"alertname": "alert1"}, external_url=EXTERNAL_URL)


TITLE = "[FIRING:3, RESOLVED:3]  (alert1)"


# The expected texts, as in the Go test (its raw strings, with the links spliced in).
MESSAGE = f"""\
**Firing**

Value: A=1234
Labels:
 - alertname = alert1
 - grafana_folder = folder1
 - lbl1 = val1
Annotations:
 - ann1 = annv1
Source: http://localhost/alert1?orgId=1
Silence: http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval1&orgId=1
Dashboard: {ALERT1_DASHBOARD}
Panel: {ALERT1_DASHBOARD}&viewPanel=puid123

Value: A=1234, B=5678, C=9
Labels:
 - alertname = alert1
 - lbl1 = val2
Annotations:
 - ann1 = annv2
Source: http://localhost/alert2
Silence: http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval2

Value: A=1234
Labels:
 - alertname = alert1
 - grafana_folder = folder1
 - lbl1 = val3
Annotations:
 - ann1 = annv3
Source: http://localhost/alert3?orgId=1
Silence: http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=grafana_folder%3Dfolder1&matcher=lbl1%3Dval3&orgId=1


**Resolved**

Value: A=1234
Labels:
 - alertname = alert1
 - lbl1 = val4
Annotations:
 - ann1 = annv4
Source: http://localhost/alert4?orgId=1
Silence: http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval4&orgId=1
Dashboard: {ALERT4_DASHBOARD}
Panel: {ALERT4_DASHBOARD}&viewPanel=puid456

Value: A=1234, B=5678, C=9
Labels:
 - alertname = alert1
 - lbl1 = val5
Annotations:
 - ann1 = annv5
Source: http://localhost/alert5
Silence: http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval5

Value: A=1234
Labels:
 - alertname = alert1
 - lbl1 = val6
Annotations:
 - ann1 = annv6
Source: http://localhost/alert6?orgId=1
Silence: http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval6&orgId=1
"""

TEAMS_MESSAGE = f"""\
**Firing**

Value: A=1234
Labels:
 - alertname = alert1
 - grafana_folder = folder1
 - lbl1 = val1

Annotations:
 - ann1 = annv1

Source: [http://localhost/alert1?orgId=1](http://localhost/alert1?orgId=1)

Silence: [http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval1&orgId=1](http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval1&orgId=1)

Dashboard: [{ALERT1_DASHBOARD}]({ALERT1_DASHBOARD})

Panel: [{ALERT1_DASHBOARD}&viewPanel=puid123]({ALERT1_DASHBOARD}&viewPanel=puid123)



Value: A=1234, B=5678, C=9
Labels:
 - alertname = alert1
 - lbl1 = val2

Annotations:
 - ann1 = annv2

Source: [http://localhost/alert2](http://localhost/alert2)

Silence: [http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval2](http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Druleuid1&matcher=lbl1%3Dval2)



Value: A=1234
Labels:
 - alertname = alert1
 - grafana_folder = folder1
 - lbl1 = val3

Annotations:
 - ann1 = annv3

Source: [http://localhost/alert3?orgId=1](http://localhost/alert3?orgId=1)

Silence: [http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=grafana_folder%3Dfolder1&matcher=lbl1%3Dval3&orgId=1](http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=grafana_folder%3Dfolder1&matcher=lbl1%3Dval3&orgId=1)




**Resolved**

Value: A=1234
Labels:
 - alertname = alert1
 - lbl1 = val4

Annotations:
 - ann1 = annv4

Source: [http://localhost/alert4?orgId=1](http://localhost/alert4?orgId=1)

Silence: [http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval4&orgId=1](http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval4&orgId=1)

Dashboard: [{ALERT4_DASHBOARD}]({ALERT4_DASHBOARD})

Panel: [{ALERT4_DASHBOARD}&viewPanel=puid456]({ALERT4_DASHBOARD}&viewPanel=puid456)



Value: A=1234, B=5678, C=9
Labels:
 - alertname = alert1
 - lbl1 = val5

Annotations:
 - ann1 = annv5

Source: [http://localhost/alert5](http://localhost/alert5)

Silence: [http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval5](http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval5)



Value: A=1234
Labels:
 - alertname = alert1
 - lbl1 = val6

Annotations:
 - ann1 = annv6

Source: [http://localhost/alert6?orgId=1](http://localhost/alert6?orgId=1)

Silence: [http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval6&orgId=1](http://localhost/grafana/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval6&orgId=1)


"""
