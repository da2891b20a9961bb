"""receivers/webhook/v1/webhook_test.go (TestNotify), as data: settings, alerts, the body,
the method, the basic-auth user and the headers Grafana's test expects.

Grafana's test alerts belong to org 1, so its links carry ?orgId=1; here the alerts carry
those links. Template-error, TLS, no-op URL and custom-payload cases are left out.
"""
from __future__ import annotations

from tests.senders.grafana_cases import alert, group

ZERO = "0001-01-01T00:00:00Z"
SILENCE = "http://localhost/alerting/silence/new?alertmanager=grafana"
FINGERPRINTS = {"val1": "fac0861a85de433a", "val2": "fab6861a85d5eeb5"}


def sample_alert(value: str, dashboard: bool = False):
    """One of the test's alerts: alertname alert1, lbl1 = value, ann1 = annv<n>."""
    links = {}
    if dashboard:
        links = {"dashboard": "http://localhost/d/abcd?orgId=1",
                 "panel": "http://localhost/d/abcd?orgId=1&viewPanel=efgh"}
    made = alert({"alertname": "alert1", "lbl1": value}, {"ann1": "annv" + value[-1]},
                 generator_url="http://localhost/test?orgId=1", **links)
    made.silence_url = f"{SILENCE}&matcher=alertname%3Dalert1&matcher=lbl1%3D{value}&orgId=1"
    return made


def alert_json(value: str, dashboard: bool = False) -> dict:
    """Grafana's ExtendedAlert as JSON (its orgId left out: Herald's alerts carry none)."""
    return {
        "status": "firing", "labels": {"alertname": "alert1", "lbl1": value},
        "annotations": {"ann1": "annv" + value[-1]}, "startsAt": ZERO, "endsAt": ZERO,
        "generatorURL": "http://localhost/test?orgId=1", "fingerprint": FINGERPRINTS[value],
        "silenceURL": f"{SILENCE}&matcher=alertname%3Dalert1&matcher=lbl1%3D{value}&orgId=1",
        "dashboardURL": "http://localhost/d/abcd?orgId=1" if dashboard else "",
        "panelURL": "http://localhost/d/abcd?orgId=1&viewPanel=efgh" if dashboard else "",
        "values": None, "valueString": "",
    }


def message_text(*values: str) -> str:
    blocks = "".join(
        f"\nValue: [no value]\nLabels:\n - alertname = alert1\n - lbl1 = {value}\n"
        f"Annotations:\n - ann1 = annv{value[-1]}\nSource: http://localhost/test?orgId=1\n"
        f"Silence: {SILENCE}&matcher=alertname%3Dalert1&matcher=lbl1%3D{value}&orgId=1\n"
        for value in values)
    return "**Firing**\n" + blocks


def body(alerts: list[dict], title: str, message: str, truncated: int = 0) -> dict:
    """Grafana's webhookMessage, in the order Go writes it."""
    common = {"alertname": "alert1"}
    if len(alerts) == 1:
        common.update(alerts[0]["labels"])
    return {
        "receiver": "my_receiver", "status": "firing", "alerts": alerts,
        "groupLabels": {"alertname": ""}, "commonLabels": common,
        "commonAnnotations": alerts[0]["annotations"] if len(alerts) == 1 else {},
        "externalURL": "http://localhost", "version": "1", "groupKey": "alertname",
        "truncatedAlerts": truncated, "orgId": 1, "title": title, "state": "alerting",
        "message": message,
    }


def three_alerts():
    return group(*(sample_alert(f"val{n}") for n in (1, 2)),
                 alert({"alertname": "alert1", "lbl1": "val3"}, {"ann1": "annv3"}),
                 receiver="my_receiver")


# (name, settings, group, body, method, basic auth, headers)
CASES = [
    ("default config with one alert with custom message",
     {"message": "Custom message"},
     group(sample_alert("val1", dashboard=True), receiver="my_receiver"),
     body([alert_json("val1", dashboard=True)], "[FIRING:1]  (val1)", "Custom message"),
     "POST", None, {}),
    ("custom config with multiple alerts with custom title",
     {"httpMethod": "PUT", "maxAlerts": 2, "username": "user1", "password": "mysecret",
      "title": "Alerts firing: {{ Alerts.Firing|length }}"},
     three_alerts(),
     body([alert_json("val1"), alert_json("val2")], "Alerts firing: 2",
          message_text("val1", "val2"), truncated=1),
     "PUT", ("user1", "mysecret"), {}),
    ("with Authorization set",
     {"maxAlerts": 2, "authorization_scheme": "Bearer", "authorization_credentials": "mysecret"},
     group(sample_alert("val1", dashboard=True), receiver="my_receiver"),
     body([alert_json("val1", dashboard=True)], "[FIRING:1]  (val1)",
          message_text("val1").replace(
              "&orgId=1\n", "&orgId=1\nDashboard: http://localhost/d/abcd?orgId=1\n"
              "Panel: http://localhost/d/abcd?orgId=1&viewPanel=efgh\n")),
     "POST", None, {"Authorization": "Bearer mysecret"}),
    ("with extra headers",
     {"maxAlerts": 2, "authorization_scheme": "Bearer", "authorization_credentials": "mysecret",
      "headers": {"X-Test-Header": "TestValue", "X-Another-Header": "AnotherValue",
                  "Content-Type": "application/text"}},
     group(sample_alert("val1", dashboard=True), receiver="my_receiver"), None,
     "POST", None, {"Authorization": "Bearer mysecret", "X-Test-Header": "TestValue",
                    "X-Another-Header": "AnotherValue", "Content-Type": "application/text"}),
]
