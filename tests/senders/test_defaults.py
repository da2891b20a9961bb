"""Every type sends with only its required settings, its texts from the built-in templates."""
from __future__ import annotations

import json

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
}
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
}


def test_every_http_type_is_covered_here():
    assert set(MINIMAL) == set(REGISTRY) - {"email"}


@pytest.mark.parametrize("type_id", sorted(MINIMAL))
@pytest.mark.parametrize("status", ["firing", "resolved"])
def test_minimal_settings_send_the_built_in_texts(app, httpserver, deliver, type_id, status):
    app.config["HERALD_TELEGRAM_API_URL"] = httpserver.url_for("/tg")
    httpserver.expect_request("/hook").respond_with_json({"ok": True}, status=202)
    httpserver.expect_request("/tg/bot1:A/sendMessage").respond_with_json({"ok": True})
    httpserver.expect_request(f"/hook/{make_group().group_hash()}/close").respond_with_json(
        {}, status=202)
    values = {key: httpserver.url_for(value) if value.startswith("/") else value
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
    sent = dict(request.form.items()) if type_id == "telegram" else json.loads(request.get_data())
    assert read(sent).startswith(expected[:100].rstrip())
