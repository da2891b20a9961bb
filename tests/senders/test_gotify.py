"""Gotify: POST /message with the application token in X-Gotify-Key."""
from __future__ import annotations

from app.integrations import REGISTRY
from app.integrations.base import validate
from tests.senders.conftest import body_of, request_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def test_message_with_priority_and_markdown_extras(httpserver, deliver, firing):
    httpserver.expect_request("/gotify/message", method="POST").respond_with_json({"id": 1})
    values = {"url": httpserver.url_for("/gotify/"), "token": "AppToken", "priority": "8",
              **TEXTS}

    result = deliver("gotify", values, firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(httpserver)
    assert request.headers["X-Gotify-Key"] == "AppToken"
    assert "token" not in request.args  # the token never travels in the URL
    assert body_of(httpserver) == {
        "title": "Disk full", "message": "Check the disk", "priority": 8,
        "extras": {"client::display": {"contentType": "text/markdown"},
                   "client::notification": {"click": {"url": "http://herald.test/"}}}}


def test_unauthorized_token_shows_gotifys_description(httpserver, deliver, firing):
    httpserver.expect_request("/message").respond_with_json(
        {"error": "Unauthorized", "errorCode": 401,
         "errorDescription": "you need to provide a valid access token"}, status=401)

    result = deliver("gotify", {"url": httpserver.url_for("/"), "token": "bad", **TEXTS},
                     firing)

    assert result.outcome == "failure"
    assert result.error == "HTTP 401: Unauthorized"


def test_priority_above_ten_is_refused():
    errors = validate(REGISTRY["gotify"], {"url": "https://g.test", "token": "t",
                                           "priority": "11"})
    assert errors == {"priority": "Priority must be from 0 to 10."}
