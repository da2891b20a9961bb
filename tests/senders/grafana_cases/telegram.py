"""receivers/telegram/v1/telegram_test.go (TestNotify), as data: the sendMessage form
fields Grafana's test expects (image uploads left out: Herald sends no images).

Grafana sends its default message raw in every parse mode; so does Herald in Markdown and
HTML mode unless the text holds < or > (HTML) — none of these cases does.
"""
from __future__ import annotations

from tests.senders.grafana_cases import ALERT1, ANNOTATIONS1, alert, group, silence_url

DASHBOARD, PANEL = "http://localhost/d/abcd", "http://localhost/d/abcd?viewPanel=efgh"
ALERT2_LABELS = {"alertname": "alert1", "lbl1": "val2"}
DEFAULT_ONE = ("**Firing**\n\nValue: [no value]\nLabels:\n - alertname = alert1\n"
               " - lbl1 = val1\nAnnotations:\n - ann1 = annv1\nSource: a URL\n"
               f"Silence: {silence_url(ALERT1)}\nDashboard: {DASHBOARD}\nPanel: {PANEL}\n")
LIST_TWO = ("\nValue: [no value]\nLabels:\n - alertname = alert1\n - lbl1 = val1\n"
            f"Annotations:\n - ann1 = annv1\nSource: a URL\nSilence: {silence_url(ALERT1)}\n"
            "\nValue: [no value]\nLabels:\n - alertname = alert1\n - lbl1 = val2\n"
            f"Annotations:\n - ann1 = annv2\nSilence: {silence_url(ALERT2_LABELS)}\n")
ALERT2B_LABELS = {"alertname": "alert2", "lbl1": "val2"}


CASES = [
    ("a single alert with the default template",
     {"message_thread_id": "7", "parse_mode": "Markdown", "disable_web_page_preview": True,
      "protect_content": True, "disable_notifications": True},
     group(alert(ALERT1, ANNOTATIONS1, generator_url="a URL", dashboard=DASHBOARD,
                 panel=PANEL)),
     {"chat_id": "someid", "message_thread_id": "7", "disable_notification": "true",
      "text": DEFAULT_ONE, "parse_mode": "Markdown",
      "disable_web_page_preview": "true", "protect_content": "true"}),
    ("multiple alerts with the same name and a custom template",
     {"message": "__Custom Firing__\n{{ Alerts.Firing|length }} Firing\n"
                 '{% with dot = Alerts.Firing %}{% include "__text_alert_list" %}{% endwith %}'},
     group(alert(ALERT1, ANNOTATIONS1, generator_url="a URL"),
           alert(ALERT2_LABELS, {"ann1": "annv2"})),
     {"chat_id": "someid", "text": "__Custom Firing__\n2 Firing\n" + LIST_TWO,
      "parse_mode": "HTML"}),
    ("multiple alerts with different names", {},
     group(alert(ALERT1, ANNOTATIONS1, generator_url="a URL"),
           alert(ALERT2B_LABELS, {"ann1": "annv2"})),
     {"chat_id": "someid",
      "text": "**Firing**\n" + LIST_TWO.replace("alertname = alert1\n - lbl1 = val2",
                                                "alertname = alert2\n - lbl1 = val2")
      .replace(silence_url(ALERT2_LABELS), silence_url(ALERT2B_LABELS)),
      "parse_mode": "HTML"}),
    ("a long message is cut", {"message": "{{ CommonLabels.alertname }}"},
     group(alert({"alertname": "1" * 4097})),
     {"chat_id": "someid", "text": "1" * 4095 + "…", "parse_mode": "HTML"}),
]
