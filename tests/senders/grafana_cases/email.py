"""receivers/email/v1/email_test.go (TestNotify), as data, with the text part Grafana's
ng_alert_notification.txt renders for that data. "Sent by Grafana v<ver> (c) <year> Grafana
Labs" is Herald's (SENT_BY). The HTML part, Grafana's layout in Herald's words, is tested in
tests/senders/test_email_html.py.
"""
from __future__ import annotations

from tests.senders.grafana_cases import alert, group

EXTERNAL_URL = "http://localhost/base"
ALWAYS_FIRING = {"alertname": "AlwaysFiring", "severity": "warning"}


def always_firing():
    made = group(alert(ALWAYS_FIRING, {"runbook_url": "http://fix.me"}), group_labels={})
    made.external_url = EXTERNAL_URL
    return made


def two_hosts():
    made = group(alert({"alertname": "AlwaysFiring", "host": "one"}),
                 alert({"alertname": "AlwaysFiring", "host": "two"}), group_labels={})
    made.external_url = EXTERNAL_URL
    return made


# (name, settings, group, subject, text part before SENT_BY)
CASES = [
    ("with the correct settings", {"message": '{% include "default.title" %}'},
     always_firing(), "[FIRING:1]  (AlwaysFiring warning)",
     "[FIRING:1]  (AlwaysFiring warning)"),
    ("two alerts", {"message": '{% include "default.title" %}'}, two_hosts(),
     "[FIRING:2]  (AlwaysFiring)", "[FIRING:2]  (AlwaysFiring)"),
    ("no message: Grafana's summary of the alerts", {}, always_firing(),
     "[FIRING:1]  (AlwaysFiring warning)",
     "You have 1 firing alert(s), and 0 resolved alert(s) for map[]\n\n(1) FIRING\n"
     "-----------\n\nAlertname: AlwaysFiring\nLabels: \n - severity = warning\n"
     "Runbook: http://fix.me\n\nGo to the Alerts page: "
     "http://localhost/base/alerting/list?alertState=firing&view=state"),
]
