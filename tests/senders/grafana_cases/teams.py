"""receivers/teams/v1/teams_test.go (TestNotify), as data.

Grafana's tests render teams.default.message with a test template equal to default.message;
the first case expects what Grafana's real teams.default.message renders (its Markdown
paragraphs and links). Template-error cases are left out: Herald falls back to the default.
"""
from __future__ import annotations

from tests.senders.grafana_cases import ALERT1, ANNOTATIONS1, alert, group, silence_url

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
DASHBOARD, PANEL = "http://localhost/d/abcd", "http://localhost/d/abcd?viewPanel=efgh"
SILENCE = silence_url(ALERT1)


def message(title: str, text: str) -> dict:
    """Grafana's expected AdaptiveCardsMessage."""
    card = {
        "body": [
            {"type": "TextBlock", "text": title, "color": "attention", "size": "large",
             "weight": "bolder", "wrap": True},
            {"type": "TextBlock", "text": text, "wrap": True},
            {"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": "View URL",
                                               "url": "http://localhost/alerting/list"}]},
        ],
        "$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.4",
        "msTeams": {"width": "Full"},
    }
    return {"attachments": [{"content": card,
                             "contentType": "application/vnd.microsoft.card.adaptive"}],
            "summary": title, "type": "message"}


CASES = [
    ("default config with one alert", {},
     group(alert(ALERT1, {**ANNOTATIONS1}, dashboard=DASHBOARD, panel=PANEL)),
     message("[FIRING:1]  (val1)",
             "**Firing**\n\nValue: [no value]\nLabels:\n - alertname = alert1\n - lbl1 = val1"
             "\n\nAnnotations:\n - ann1 = annv1\n\n"
             f"Silence: [{SILENCE}]({SILENCE})\n\nDashboard: [{DASHBOARD}]({DASHBOARD})\n\n"
             f"Panel: [{PANEL}]({PANEL})\n\n\n")),
    ("custom config with multiple alerts",
     {"message": "{{ Alerts.Firing|length }} alerts are firing, "
                 "{{ Alerts.Resolved|length }} are resolved",
      "title": "{{ CommonLabels.alertname }}", "sectiontitle": "Details"},
     group(alert(ALERT1, ANNOTATIONS1),
           alert({"alertname": "alert1", "lbl1": "val2"}, {"ann1": "annv2"})),
     message("alert1", "2 alerts are firing, 0 are resolved")),
]
