"""receivers/opsgenie/v1/opsgenie_test.go (TestNotify), as data: settings, alerts, the
request path and body Grafana's test expects. Its source "Grafana" is Herald's.
"""
from __future__ import annotations

from tests.senders.grafana_cases import ALERT1, ANNOTATIONS1, alert, group, silence_url

ALIAS = "6e3538104c14b583da237e9693b76debbc17f0f8058ef20492e5853096cf8733"
DASHBOARD, PANEL = "http://localhost/d/abcd", "http://localhost/d/abcd?viewPanel=efgh"
ALERTS_URL = "http://localhost/alerting/list"
BASE = {"autoClose": True, "overridePriority": True, "sendTagsAs": "tags"}
ALERT2 = {"alertname": "alert1", "lbl1": "val2"}


def block(labels: dict[str, str], annotations: dict[str, str]) -> str:
    label_lines = "".join(f" - {k} = {v}\n" for k, v in sorted(labels.items()))
    annotation_lines = "".join(f" - {k} = {v}\n" for k, v in sorted(annotations.items()))
    return (f"\nValue: [no value]\nLabels:\n{label_lines}Annotations:\n{annotation_lines}"
            f"Silence: {silence_url(labels)}\n")


ONE_WITH_LINKS = (f"[FIRING:1]  (val1)\n{ALERTS_URL}\n\n**Firing**\n" + block(ALERT1, ANNOTATIONS1)
                  + f"Dashboard: {DASHBOARD}\nPanel: {PANEL}\n")


def one_alert(dashboard: bool = True):
    links = {"dashboard": DASHBOARD, "panel": PANEL} if dashboard else {}
    return group(alert(ALERT1, ANNOTATIONS1, **links))


def two_alerts(annotations: dict[str, str]):
    return group(alert(ALERT1, annotations), alert(ALERT2, annotations))


def two_description(annotations: dict[str, str]) -> str:
    return (f"[FIRING:2]  \n{ALERTS_URL}\n\n**Firing**\n" + block(ALERT1, annotations)
            + block(ALERT2, annotations))


def create(message: str, description: str, details: dict | None = None,
           tags: list[str] | None = None, responders: list | None = None) -> dict:
    body = {"alias": ALIAS, "message": message, "description": description,
            "details": details or {"url": ALERTS_URL}, "source": "Herald"}
    if responders:
        body["responders"] = responders
    body["tags"] = ["alertname:alert1", "lbl1:val1"] if tags is None else tags
    return body


USERS = {"user": "test", "type": "team"}
MIXED = "[FIRING:1, RESOLVED:1]  "
LONG = ("IyJnsW78xQoiBJ7L7NqASv31JCFf0At3r9KUykqBVxSiC6qkDhvDLDW9VImiFcq0Iw2XwFy5fX4FcbTmlkaZzUz"
        "jVwx9VUuokhzqQlJVhWDYFqhj3a5wX0LjyvNQjsqT9WaWJAWOJanwOAWon")

# (name, settings, group, path, body)
CASES = [
    ("default config with one alert", BASE, one_alert(), "/v2/alerts",
     create("[FIRING:1]  (val1)", ONE_WITH_LINKS)),
    ("custom message and description",
     {**BASE, "message": "test message", "description": "test description"}, one_alert(),
     "/v2/alerts", create("test message", "test description")),
    ("a message longer than 130 is cut", {**BASE, "message": LONG}, one_alert(),
     "/v2/alerts", create(LONG[:129] + "…", ONE_WITH_LINKS)),
    ("templated message and description",
     {**BASE, "message": "Firing: {{ Alerts.Firing|length }}",
      "description": "{{ Alerts.Firing|length }} firing, {{ Alerts.Resolved|length }} "
                     "resolved."},
     one_alert(), "/v2/alerts", create("Firing: 1", "1 firing, 0 resolved.")),
    ("a blank description uses the default", {**BASE, "description": " "}, one_alert(),
     "/v2/alerts", create("[FIRING:1]  (val1)", ONE_WITH_LINKS)),
    ("tags sent as details", {**BASE, "sendTagsAs": "details"}, one_alert(dashboard=False),
     "/v2/alerts",
     create("[FIRING:1]  (val1)", f"[FIRING:1]  (val1)\n{ALERTS_URL}\n\n**Firing**\n"
            + block(ALERT1, ANNOTATIONS1),
            details={"alertname": "alert1", "lbl1": "val1", "url": ALERTS_URL}, tags=[])),
    ("multiple alerts, tags sent as both", {**BASE, "sendTagsAs": "both"},
     two_alerts(ANNOTATIONS1), "/v2/alerts",
     create("[FIRING:2]  ", two_description(ANNOTATIONS1),
            details={"alertname": "alert1", "url": ALERTS_URL}, tags=["alertname:alert1"])),
    ("responders",
     {**BASE, "sendTagsAs": "both", "responders": [
         {"name": "Test User", "type": "user"},
         {"name": "{{ CommonAnnotations.user }}", "type": "{{ CommonAnnotations.type }}"},
         {"id": "{{ CommonAnnotations.user }}", "type": "user"},
         {"username": "{{ CommonAnnotations.user }}", "type": "team"}]},
     two_alerts(USERS), "/v2/alerts",
     create("[FIRING:2]  ", two_description(USERS),
            details={"alertname": "alert1", "url": ALERTS_URL}, tags=["alertname:alert1"],
            responders=[{"name": "Test User", "type": "user"}, {"name": "test", "type": "team"},
                        {"id": "test", "type": "user"}, {"username": "test", "type": "team"}])),
    ("teams responders are exploded",
     {**BASE, "sendTagsAs": "both", "responders": [
         {"name": "team1,team2,{{ CommonAnnotations.user }}", "type": "teams"}]},
     two_alerts(USERS), "/v2/alerts",
     create("[FIRING:2]  ", two_description(USERS),
            details={"alertname": "alert1", "url": ALERTS_URL}, tags=["alertname:alert1"],
            responders=[{"name": "team1", "type": "team"}, {"name": "team2", "type": "team"},
                        {"name": "test", "type": "team"}])),
    # Grafana's tests render with their own test templates, whose __subject has no
    # ", RESOLVED:n"; Herald's default title is Grafana's shipped one.
    ("no auto close while one alert still fires", {**BASE, "sendTagsAs": "both"},
     group(alert(ALERT1, ANNOTATIONS1, status="resolved"), alert(ALERT2, {"ann1": "annv2"})),
     "/v2/alerts",
     create(MIXED, f"{MIXED}\n{ALERTS_URL}\n\n**Firing**\n"
            + block(ALERT2, {"ann1": "annv2"}) + "\n\n**Resolved**\n"
            + block(ALERT1, ANNOTATIONS1),
            details={"alertname": "alert1", "url": ALERTS_URL}, tags=["alertname:alert1"])),
    ("resolved is sent when auto close is on", {**BASE, "sendTagsAs": "both"},
     group(alert(ALERT1, ANNOTATIONS1, status="resolved")),
     f"/v2/alerts/{ALIAS}/close", {"source": "Herald"}),
]
