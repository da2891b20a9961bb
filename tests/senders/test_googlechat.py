"""Google Chat: a card with the title as header, the message and an open button."""
from __future__ import annotations

from app.version import __version__
from tests.senders.conftest import body_of, request_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}
OPEN_BUTTON = {"buttons": [{"textButton": {
    "text": "OPEN IN HERALD",
    "onClick": {"openLink": {"url": "http://herald.test/alerting/list"}}}}]}


def card(*widgets: dict) -> dict:
    return {"previewText": "Disk full", "fallbackText": "Disk full",
            "cards": [{"header": {"title": "Disk full"}, "sections": [{"widgets": list(widgets)}]}]}


def test_card_has_message_open_button_and_version_line(httpserver, deliver, firing):
    httpserver.expect_request("/v1/spaces/AAA/messages", method="POST").respond_with_json({})

    result = deliver("googlechat", {"url": httpserver.url_for("/v1/spaces/AAA/messages"),
                                    **TEXTS}, firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert request_of(httpserver).headers["Content-Type"] == "application/json; charset=UTF-8"
    body = body_of(httpserver)
    version = body["cards"][0]["sections"][0]["widgets"].pop()
    assert version["textParagraph"]["text"].startswith(f"Herald v{__version__} | ")
    assert body == card({"textParagraph": {"text": "Check the disk"}}, OPEN_BUTTON)


def test_resolved_without_button_and_version(httpserver, deliver, resolved):
    httpserver.expect_request("/hook").respond_with_json({})

    deliver("googlechat", {"url": httpserver.url_for("/hook"), "hide_open_button": True,
                           "hide_version_info": True, **TEXTS}, resolved)

    assert body_of(httpserver) == card({"textParagraph": {"text": "Check the disk"}})


def test_google_error_message_is_shown(httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_json(
        {"error": {"code": 400, "message": "Invalid JSON payload received.",
                   "status": "INVALID_ARGUMENT"}}, status=400)

    result = deliver("googlechat", {"url": httpserver.url_for("/hook")}, firing)

    assert result.error == "HTTP 400: Invalid JSON payload received."
