"""Telegram sends what Grafana's own tests expect (tests/senders/grafana_cases/telegram.py)."""
from __future__ import annotations

import pytest

from tests.senders.conftest import request_of
from tests.senders.grafana_cases import alert, group
from tests.senders.grafana_cases.telegram import CASES


@pytest.fixture
def telegram_api(app, httpserver):
    app.config["HERALD_TELEGRAM_API_URL"] = httpserver.url_for("/")
    httpserver.expect_request("/botabcdefgh0123456789/sendMessage",
                              method="POST").respond_with_json({"ok": True})
    return httpserver


def sent_form(server) -> dict[str, str]:
    request = request_of(server)
    assert request.mimetype == "multipart/form-data"
    return dict(request.form.items(multi=False))


@pytest.mark.parametrize(("settings", "group", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_form_is_grafanas(telegram_api, deliver, settings, group, expected):
    values = {"bottoken": "abcdefgh0123456789", "chatid": "someid", **settings}

    result = deliver("telegram", values, group)

    assert result.ok, result.error
    form = sent_form(telegram_api)
    assert form == expected
    assert list(form) == list(expected)  # Grafana's order of the form fields


@pytest.mark.parametrize(("parse_mode", "text"), [
    ("HTML", "a &lt;b&gt; & c_d &amp;lt;"), ("Markdown", "a <b> & c_d &lt;"),
    ("MarkdownV2", r"a <b\> & c\_d &lt;"), ("None", "a <b> & c_d &lt;"),
])
def test_default_message_is_escaped_for_the_parse_mode(telegram_api, deliver, parse_mode, text):
    values = {"bottoken": "abcdefgh0123456789", "chatid": "1", "parse_mode": parse_mode}

    deliver("telegram", values, group(alert({"alertname": "a <b> & c_d &lt;"})))

    equals = "\\=" if parse_mode == "MarkdownV2" else "="
    assert f" alertname {equals} {text}\n" in sent_form(telegram_api)["text"]
