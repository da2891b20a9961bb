"""receivers/slack/v1/slack_test.go: TestNotify_IncomingWebhook and TestNotify_PostMessage.

"url" marks where the loopback receiver's address goes. Grafana's footer "Grafana v<ver>"
and username "Grafana" are Herald's; the footer icon is on Herald's external URL.
"""
from __future__ import annotations

from tests.senders.grafana_cases import ALERT1, ANNOTATIONS1, FIRING_VAL1, alert, group

GENERATOR = "http://localhost/alerting/f23a674b-bb6b-46df-8723-12345678test"
GENERATOR2 = "http://localhost/alerting/f23a674b-bb6b-46df-8723-1234567test2"
SILENCE_VAL2 = ("http://localhost/alerting/silence/new?alertmanager=grafana"
                "&matcher=alertname%3Dalert1&matcher=lbl1%3Dval2")
TWO_FIRING = "{{ Alerts.Firing|length }} firing, {{ Alerts.Resolved|length }} resolved"
WEBHOOK = {"url": "url", "recipient": "#test", "username": "Herald", "icon_emoji": ":emoji:"}
API = {"token": "1234", "endpointUrl": "url", "recipient": "#test", "username": "Herald",
       "icon_emoji": ":emoji:"}
ALERT_VAL2 = {"alertname": "alert1", "lbl1": "val2"}


def message(**attachment: object) -> dict:
    """Grafana's expected slackMessage; FOOTER marks Herald's default footer."""
    base = {"title": "[FIRING:1]  (val1)", "title_link": "http://localhost/alerting/list",
            "text": FIRING_VAL1, "fallback": "[FIRING:1]  (val1)", "footer": "FOOTER",
            "color": "#D63232"}
    base.update(attachment)
    base["fallback"] = base["title"]
    return {"channel": "#test", "username": "Herald", "icon_emoji": ":emoji:",
            "attachments": [base]}


TWO_ALERTS_TEXT = (
    "**Firing**\n\nValue: [no value]\nLabels:\n - alertname = alert1\n - lbl1 = val1\n"
    "Annotations:\n - ann1 = annv1\nSource: {source1}\nSilence: http://localhost/alerting/"
    "silence/new?alertmanager=grafana&matcher=alertname%3Dalert1&matcher=lbl1%3Dval1\n"
    "\nValue: [no value]\nLabels:\n - alertname = alert1\n - lbl1 = val2\nAnnotations:\n"
    " - ann1 = annv2\nSource: {source2}\nSilence: " + SILENCE_VAL2 + "\n"
)

CASES = [
    ("incoming webhook: message is sent", WEBHOOK, group(alert(ALERT1, ANNOTATIONS1)),
     message()),
    ("incoming webhook: custom footer",
     {**WEBHOOK, "footer": "Custom footer: {{ Alerts|length }} alert(s)"},
     group(alert(ALERT1, ANNOTATIONS1)), message(footer="Custom footer: 1 alert(s)")),
    ("incoming webhook: footer under the limit is kept", {**WEBHOOK, "footer": "a" * 299},
     group(alert(ALERT1, ANNOTATIONS1)), message(footer="a" * 299)),
    ("incoming webhook: footer over the limit is cut", {**WEBHOOK, "footer": "a" * 301},
     group(alert(ALERT1, ANNOTATIONS1)), message(footer="a" * 299 + "…")),
    ("API: message is sent", API,
     group(alert(ALERT1, ANNOTATIONS1, dashboard="http://localhost/d/abcd",
                 panel="http://localhost/d/abcd?viewPanel=efgh")),
     message(text=FIRING_VAL1 + "Dashboard: http://localhost/d/abcd\n"
             "Panel: http://localhost/d/abcd?viewPanel=efgh\n")),
    ("API: a single alert with a generator URL", API,
     group(alert(ALERT1, ANNOTATIONS1, generator_url=GENERATOR,
                 dashboard="http://localhost/d/abcd",
                 panel="http://localhost/d/abcd?viewPanel=efgh")),
     message(title_link=GENERATOR, text=FIRING_VAL1.replace(
         "Silence:", f"Source: {GENERATOR}\nSilence:")
         + "Dashboard: http://localhost/d/abcd\nPanel: http://localhost/d/abcd?viewPanel=efgh\n")),
    ("API: two firing alerts with different generator URLs", {**API, "title": TWO_FIRING},
     group(alert(ALERT1, ANNOTATIONS1, generator_url=GENERATOR),
           alert(ALERT_VAL2, {"ann1": "annv2"}, generator_url=GENERATOR2)),
     message(title="2 firing, 0 resolved",
             text=TWO_ALERTS_TEXT.format(source1=GENERATOR, source2=GENERATOR2))),
    ("API: two firing alerts with the same generator URL", {**API, "title": TWO_FIRING},
     group(alert(ALERT1, ANNOTATIONS1, generator_url=GENERATOR),
           alert(ALERT_VAL2, {"ann1": "annv2"}, generator_url=GENERATOR)),
     message(title="2 firing, 0 resolved", title_link=GENERATOR,
             text=TWO_ALERTS_TEXT.format(source1=GENERATOR, source2=GENERATOR))),
    ("API: two firing alerts", {**API, "title": TWO_FIRING},
     group(alert(ALERT1, ANNOTATIONS1), alert(ALERT_VAL2, {"ann1": "annv2"})),
     message(title="2 firing, 0 resolved",
             text=TWO_ALERTS_TEXT.replace("Source: {source1}\n", "")
             .replace("Source: {source2}\n", ""))),
    ("API: custom color", {
        **API, "color": '{% if Status == "firing" %}#33a2ff{% else %}#36a64f{% endif %}'},
     group(alert(ALERT1, ANNOTATIONS1)), message(color="#33a2ff")),
]
