"""Mattermost incoming webhook: text, one coloured attachment, optional overrides."""
from __future__ import annotations

from tests.senders.conftest import body_of, request_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def test_firing_posts_title_and_red_attachment(httpserver, deliver, firing):
    httpserver.expect_request("/hooks/abc", method="POST").respond_with_data("ok")

    result = deliver("mattermost", {"url": httpserver.url_for("/hooks/abc"), **TEXTS}, firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert request_of(httpserver).headers["Content-Type"] == "application/json"
    assert body_of(httpserver) == {
        "text": "Disk full",
        "attachments": [{"fallback": "Disk full", "color": "#D63232", "title": "Disk full",
                         "title_link": "http://herald.test/", "text": "Check the disk"}]}


def test_resolved_is_green_and_carries_channel_username_and_icon(httpserver, deliver, resolved):
    httpserver.expect_request("/hooks/abc").respond_with_data("ok")
    values = {"url": httpserver.url_for("/hooks/abc"), "channel": "ops", "username": "alerts",
              "icon_url": "https://img.test/a.png", **TEXTS}

    deliver("mattermost", values, resolved)

    body = body_of(httpserver)
    assert body["attachments"][0]["color"] == "#36A64F"
    assert (body["channel"], body["username"], body["icon_url"]) == (
        "ops", "alerts", "https://img.test/a.png")


def test_default_templates_fill_title_and_message(httpserver, deliver, firing):
    httpserver.expect_request("/hooks/abc").respond_with_data("ok")

    deliver("mattermost", {"url": httpserver.url_for("/hooks/abc")}, firing)

    body = body_of(httpserver)
    assert "DiskFull" in body["text"] and "FIRING" in body["text"]
    assert "Disk is full" in body["attachments"][0]["text"]


def test_refused_webhook_shows_mattermosts_message(httpserver, deliver, firing):
    httpserver.expect_request("/hooks/abc").respond_with_json(
        {"id": "web.incoming_webhook.invalid.app_error", "message": "Invalid webhook.",
         "status_code": 400}, status=400)

    result = deliver("mattermost", {"url": httpserver.url_for("/hooks/abc"), **TEXTS}, firing)

    assert result.outcome == "failure"
    assert result.error == "HTTP 400: Invalid webhook."
