"""receivers/discord/v1/discord_test.go (TestNotify), as data.

Grafana's username "Grafana" and footer "Grafana v<ver>" are Herald's, its footer icon is
Herald's (ICON). Template-error cases are left out: Herald falls back to the default.
"""
from __future__ import annotations

from tests.senders.grafana_cases import ALERT1, ANNOTATIONS1, FIRING_VAL1, alert, group

DASHBOARD, PANEL = "http://localhost/d/abcd", "http://localhost/d/abcd?viewPanel=efgh"
DEFAULT_TEXT = FIRING_VAL1 + f"Dashboard: {DASHBOARD}\nPanel: {PANEL}\n"
AVATAR = "https://grafana.com/static/assets/img/fav32.png"
FOOTER = {"text": "FOOTER", "icon_url": "ICON"}


def one_alert():
    return group(alert(ALERT1, ANNOTATIONS1, dashboard=DASHBOARD, panel=PANEL))


def two_alerts():
    return group(alert(ALERT1, ANNOTATIONS1),
                 alert({"alertname": "alert1", "lbl1": "val2"}, {"ann1": "annv2"}))


def embed(title: str = "[FIRING:1]  (val1)", **extra: str) -> dict:
    return {"title": title, "type": "rich", **extra, "url": "http://localhost/alerting/list",
            "color": 14037554, "footer": FOOTER}


CASES = [
    ("default config with one alert", {}, one_alert(),
     {"username": "Herald", "content": DEFAULT_TEXT, "embeds": [embed()]}),
    ("default config with one alert and custom title",
     {"title": "Alerts firing: {{ Alerts.Firing|length }}"}, one_alert(),
     {"username": "Herald", "content": DEFAULT_TEXT, "embeds": [embed("Alerts firing: 1")]}),
    ("a title that is too long is cut", {"title": "A" * 257}, one_alert(),
     {"username": "Herald", "content": DEFAULT_TEXT, "embeds": [embed("A" * 255 + "…")]}),
    ("custom config with multiple alerts",
     {"message": "{{ Alerts.Firing|length }} alerts are firing, "
                 "{{ Alerts.Resolved|length }} are resolved", "avatar_url": AVATAR},
     two_alerts(),
     {"username": "Herald", "content": "2 alerts are firing, 0 are resolved",
      "avatar_url": AVATAR, "embeds": [embed("[FIRING:2]  ")]}),
    ("use the Discord webhook's username", {"use_discord_username": True}, one_alert(),
     {"content": DEFAULT_TEXT, "embeds": [embed()]}),
    ("too long messages are cut", {"message": "Y" * 2042, "use_discord_username": True},
     one_alert(), {"content": "Y" * 1999 + "…", "embeds": [embed()]}),
    ("use_embed_description moves the message into the embed",
     {"use_embed_description": True}, one_alert(),
     {"username": "Herald", "content": "", "embeds": [embed(description=DEFAULT_TEXT)]}),
    ("use_embed_description still cuts too long messages",
     {"message": "Y" * 2042, "use_discord_username": True, "use_embed_description": True},
     one_alert(), {"content": "", "embeds": [embed(description="Y" * 1999 + "…")]}),
]
