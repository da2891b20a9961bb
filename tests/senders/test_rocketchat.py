"""Rocket.Chat incoming webhook: text, one coloured attachment, optional overrides."""
from __future__ import annotations

from tests.senders.conftest import body_of, request_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def test_firing_posts_title_and_red_attachment(httpserver, deliver, firing):
    httpserver.expect_request("/hooks/id/token", method="POST").respond_with_json(
        {"success": True})

    result = deliver("rocketchat", {"url": httpserver.url_for("/hooks/id/token"), **TEXTS},
                     firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert request_of(httpserver).headers["Content-Type"] == "application/json"
    assert body_of(httpserver) == {
        "text": "Disk full",
        "attachments": [{"title": "Disk full", "title_link": "http://herald.test/",
                         "text": "Check the disk", "color": "#D63232"}]}


def test_resolved_with_channel_alias_avatar_and_emoji(httpserver, deliver, resolved):
    httpserver.expect_request("/hooks/id/token").respond_with_json({"success": True})
    values = {"url": httpserver.url_for("/hooks/id/token"), "channel": "#ops",
              "alias": "Herald", "avatar": "https://img.test/a.png", "emoji": ":bell:", **TEXTS}

    deliver("rocketchat", values, resolved)

    body = body_of(httpserver)
    assert body["attachments"][0]["color"] == "#36A64F"
    assert {k: body[k] for k in ("channel", "alias", "avatar", "emoji")} == {
        "channel": "#ops", "alias": "Herald", "avatar": "https://img.test/a.png",
        "emoji": ":bell:"}


def test_refusal_shows_rocketchats_error(httpserver, deliver, firing):
    httpserver.expect_request("/hooks/id/token").respond_with_json(
        {"success": False, "error": "Invalid integration id or token provided."}, status=404)

    result = deliver("rocketchat", {"url": httpserver.url_for("/hooks/id/token"), **TEXTS},
                     firing)

    assert result.outcome == "failure"
    assert result.error == "HTTP 404: Invalid integration id or token provided."
