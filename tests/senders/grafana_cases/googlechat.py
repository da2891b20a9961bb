"""receivers/googlechat/v1/googlechat_test.go (TestNotify), as data.

Grafana's "OPEN IN GRAFANA" and "Grafana v<ver> | <time>" are Herald's; VERSION marks the
version line (its time is checked by its RFC822 layout). Template-error cases are left out:
Herald refuses to save a template that does not compile, and a template that fails while
rendering gives way to the default text (with a warning in the history) where Grafana sends
the part rendered before the error.
"""
from __future__ import annotations

from tests.senders.grafana_cases import ALERT1, ANNOTATIONS1, FIRING_VAL1, alert, group

DASHBOARD, PANEL = "http://localhost/d/abcd", "http://localhost/d/abcd?viewPanel=efgh"
DEFAULT_TEXT = FIRING_VAL1 + f"Dashboard: {DASHBOARD}\nPanel: {PANEL}\n"
BUTTON = {"buttons": [{"textButton": {
    "text": "OPEN IN HERALD", "onClick": {"openLink": {"url": "http://localhost/alerting/list"}}}}]}
VERSION = {"textParagraph": {"text": "VERSION"}}
NO_LINKS_TEXT = ("**Firing**\n\nValue: [no value]\nLabels:\n - alertname = alert1\n"
                 " - lbl1 = val1\nAnnotations:\n - ann1 = annv1\n")


def card(title: str, *widgets: dict) -> dict:
    return {"previewText": title, "fallbackText": title,
            "cards": [{"header": {"title": title}, "sections": [{"widgets": list(widgets)}]}]}


def one_alert(external_url: str = "http://localhost"):
    made = group(alert(ALERT1, ANNOTATIONS1, dashboard=DASHBOARD, panel=PANEL))
    if external_url != "http://localhost":  # Grafana builds the links on its external URL
        made.external_url = external_url
        for each in made.alerts:
            for name in ("silence_url", "dashboard_url", "panel_url"):
                link = getattr(each, name)
                setattr(each, name, link.replace("http://localhost", external_url)
                        if external_url else "")
    return made


RELATIVE_TEXT = DEFAULT_TEXT.replace("http://localhost", "/grafana")


CASES = [
    ("one alert", {}, one_alert(),
     card("[FIRING:1]  (val1)", {"textParagraph": {"text": DEFAULT_TEXT}}, BUTTON, VERSION)),
    ("multiple alerts", {},
     group(alert(ALERT1, ANNOTATIONS1),
           alert({"alertname": "alert1", "lbl1": "val2"}, {"ann1": "annv2"})),
     card("[FIRING:2]  ", {"textParagraph": {"text": FIRING_VAL1 + FIRING_VAL1.split(
         "**Firing**\n")[1].replace("val1", "val2").replace("annv1", "annv2")}},
         BUTTON, VERSION)),
    ("customized message",
     {"message": "I'm a custom template and you have {{ Alerts.Firing|length }} firing alert."},
     one_alert(),
     card("[FIRING:1]  (val1)", {"textParagraph": {
         "text": "I'm a custom template and you have 1 firing alert."}}, BUTTON, VERSION)),
    ("customized title", {"title": "Alerts firing: {{ Alerts.Firing|length }}"}, one_alert(),
     card("Alerts firing: 1", {"textParagraph": {"text": DEFAULT_TEXT}}, BUTTON, VERSION)),
    ("empty external URL: no button", {}, one_alert(""),
     card("[FIRING:1]  (val1)", {"textParagraph": {"text": NO_LINKS_TEXT}}, VERSION)),
    ("relative external URL: relative links, no button", {}, one_alert("/grafana"),
     card("[FIRING:1]  (val1)", {"textParagraph": {"text": RELATIVE_TEXT}}, VERSION)),
    ("hide open button", {"hide_open_button": True}, one_alert(""),
     card("[FIRING:1]  (val1)", {"textParagraph": {"text": NO_LINKS_TEXT}}, VERSION)),
    ("hide version info", {"hide_open_button": True, "hide_version_info": True},
     one_alert(""), card("[FIRING:1]  (val1)", {"textParagraph": {"text": NO_LINKS_TEXT}})),
]
