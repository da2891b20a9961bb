"""Every type sends with only its required settings, its texts from the built-in templates."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

import pytest

from app.integrations import REGISTRY
from app.templating import render_field
from tests.senders.conftest import make_group

MINIMAL = {
    "slack": {"url": "/hook"},
    "teams": {"url": "/hook"},
    "discord": {"url": "/hook"},
    "pagerduty": {"integrationKey": "K", "url": "/hook"},
    "webhook": {"url": "/hook"},
    "telegram": {"bottoken": "1:A", "chatid": "1"},
    "opsgenie": {"apiKey": "K", "apiUrl": "/hook"},
    "googlechat": {"url": "/hook"},
    "mattermost": {"url": "/hook"},
    "rocketchat": {"url": "/hook"},
    "zulip": {"site": "/hook", "email": "bot@z.test", "api_key": "K", "stream": "ops"},
    "matrix": {"homeserver": "/hook", "room_id": "!r:m.test", "access_token": "T"},
    "ntfy": {"server": "/hook", "topic": "t"},
    "gotify": {"url": "/hook", "token": "T"},
    "twilio": {"account_sid": "AC" + "0" * 32, "auth_token": "T", "from": "+14155550100",
               "to": "+14155550123"},
    "apprise": {"url": "json://{server}/hook"},
    "victorops": {"url": "/hook"},
    "webex": {"api_url": "/hook", "room_id": "r", "bot_token": "T"},
    "dingding": {"url": "/hook"},
    "wecom": {"url": "/hook"},
    "oncall": {"url": "/hook"},
}
# Types whose requests go elsewhere than one URL, or are not JSON, or carry no text: their
# own tests (tests/senders/test_<type>.py) check their built-in texts.
ELSEWHERE = {"email", "prometheus-alertmanager", "pushover", "sensugo", "kafka", "threema",
             "sns", "jira", "mqtt"}
# Where each type puts its title, or its message when it has no title.
FIRST_TEXT = {
    "slack": (lambda body: body["attachments"][0]["title"], "title"),
    "teams": (lambda body: body["summary"], "title"),
    "discord": (lambda body: body["embeds"][0]["title"], "title"),
    "pagerduty": (lambda body: body["payload"]["summary"], "summary"),
    "webhook": (lambda body: body["title"], "title"),
    "telegram": (lambda body: body["text"], "message"),
    "opsgenie": (lambda body: body["message"], "message"),
    "googlechat": (lambda body: body["cards"][0]["header"]["title"], "title"),
    "mattermost": (lambda body: body["text"], "title"),
    "rocketchat": (lambda body: body["text"], "title"),
    "zulip": (lambda body: body["content"].removeprefix("**"), "title"),
    "matrix": (lambda body: body["body"], "title"),
    "ntfy": (lambda body: body["title"], "title"),
    "gotify": (lambda body: body["title"], "title"),
    "twilio": (lambda body: body["Body"], "message"),
    "apprise": (lambda body: body["title"], "title"),
    "victorops": (lambda body: body["entity_display_name"], "title"),
    "webex": (lambda body: body["markdown"], "message"),
    "dingding": (lambda body: body["link"]["title"], "title"),
    "wecom": (lambda body: body["markdown"]["content"].removeprefix("# "), "title"),
    "oncall": (lambda body: body["title"], "title"),
}


def parsed(request) -> dict:
    """A request's JSON body, or its form fields (urlencoded or multipart)."""
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(request.get_data(as_text=True)))
    if content_type.startswith("multipart/form-data"):
        return dict(request.form.items())
    return json.loads(request.get_data())


def test_every_http_type_is_covered_here():
    assert set(MINIMAL) == set(REGISTRY) - ELSEWHERE


@pytest.mark.parametrize("type_id", sorted(MINIMAL))
@pytest.mark.parametrize("status", ["firing", "resolved"])
def test_minimal_settings_send_the_built_in_texts(app, httpserver, deliver, type_id, status):
    app.config["HERALD_TELEGRAM_API_URL"] = httpserver.url_for("/tg")
    httpserver.expect_request("/hook").respond_with_json({"ok": True}, status=202)
    httpserver.expect_request("/tg/bot1:A/sendMessage").respond_with_json({"ok": True})
    httpserver.expect_request(f"/hook/{make_group().group_hash()}/close").respond_with_json(
        {}, status=202)
    # Types that build their own paths under the configured server URL.
    httpserver.expect_request(re.compile(r"^/hook/.*")).respond_with_json({"ok": True})
    app.config["HERALD_TWILIO_API_URL"] = httpserver.url_for("/hook")
    values = {key: httpserver.url_for(value) if value.startswith("/")
              else value.replace("{server}", f"127.0.0.1:{httpserver.port}")
              for key, value in MINIMAL[type_id].items()}
    if type_id == "opsgenie":
        values["autoClose"] = True
    group = make_group(status, count=2)

    result = deliver(type_id, values, group)

    assert (result.outcome, result.error, result.warning) == ("success", "", "")
    (request, _), = httpserver.log
    if type_id == "opsgenie" and status == "resolved":
        return  # the close request carries no text
    read, key = FIRST_TEXT[type_id]
    spec = REGISTRY[type_id].by_key[key]
    expected = render_field(None, spec.template, group).text
    assert expected and "DiskFull" in expected
    assert read(parsed(request)).startswith(expected[:100].rstrip())
