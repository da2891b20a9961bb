"""Telegram Bot API sendMessage; the API base comes from HERALD_TELEGRAM_API_URL."""
from __future__ import annotations

import pytest

from tests.senders.conftest import request_of


def form_of(server) -> dict[str, str]:
    """The multipart form fields of the only request (Grafana sends a form)."""
    return dict(request_of(server).form.items(multi=False))


@pytest.fixture
def telegram_api(app, httpserver):
    app.config["HERALD_TELEGRAM_API_URL"] = httpserver.url_for("/")
    return httpserver


def test_firing_message_is_sent_with_html_parse_mode(telegram_api, deliver, firing):
    telegram_api.expect_request("/bot123:ABC/sendMessage", method="POST").respond_with_json(
        {"ok": True, "result": {"message_id": 7}})

    result = deliver("telegram", {"bottoken": "123:ABC", "chatid": "-100200",
                                  "message": "<b>Disk full</b>"}, firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert form_of(telegram_api) == {"chat_id": "-100200", "text": "<b>Disk full</b>",
                                     "parse_mode": "HTML"}


def test_resolved_with_every_option_and_no_parse_mode(telegram_api, deliver, resolved):
    telegram_api.expect_request("/bot123:ABC/sendMessage").respond_with_json({"ok": True})
    values = {"bottoken": "123:ABC", "chatid": "42", "message": "Resolved",
              "parse_mode": "None", "message_thread_id": "9", "disable_web_page_preview": True,
              "protect_content": True, "disable_notifications": True}

    deliver("telegram", values, resolved)

    assert form_of(telegram_api) == {
        "chat_id": "42", "text": "Resolved", "message_thread_id": "9",
        "disable_web_page_preview": "true", "protect_content": "true",
        "disable_notification": "true"}


def test_long_html_is_cut_to_4096_with_its_tags_closed(telegram_api, deliver, firing):
    telegram_api.expect_request("/bot123:ABC/sendMessage").respond_with_json({"ok": True})

    deliver("telegram", {"bottoken": "123:ABC", "chatid": "42",
                         "message": "<b>" + "x" * 5000 + "</b>"}, firing)

    text = form_of(telegram_api)["text"]
    assert len(text) == 4096
    assert text.startswith("<b>xxx")
    assert text.endswith("x…</b>")


def test_ok_false_is_a_failure_with_its_description_and_no_token(telegram_api, deliver, firing):
    telegram_api.expect_request("/bot123:ABC/sendMessage").respond_with_json(
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
        status=400)

    result = deliver("telegram", {"bottoken": "123:ABC", "chatid": "1"}, firing)

    assert (result.outcome, result.status_code) == ("failure", 400)
    assert result.error == "HTTP 400: Bad Request: chat not found"
    assert "123:ABC" not in result.error
