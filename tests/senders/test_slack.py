"""Slack: incoming webhook or Web API with a bot token; ok:false is a failure."""
from __future__ import annotations

import time

from app.version import __version__
from tests.senders.conftest import body_of, request_of

TEXTS = {"title": "Disk full", "text": "Check the disk"}


ICON = "http://herald.test/static/herald-32.png"


def attachment(**changes):
    base = {"title": "Disk full", "title_link": "http://grafana.test/alerting/disk/view",
            "text": "Check the disk", "fallback": "Disk full",
            "footer": f"Herald v{__version__}", "footer_icon": ICON, "color": "#D63232"}
    return {**base, **changes}


def test_incoming_webhook_gets_one_attachment(httpserver, deliver, firing):
    httpserver.expect_request("/services/T1/B2/x").respond_with_data("ok")

    result = deliver("slack", {"url": httpserver.url_for("/services/T1/B2/x"), **TEXTS}, firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(httpserver)
    assert "Authorization" not in request.headers
    body = body_of(httpserver)
    ts = body["attachments"][0].pop("ts")
    assert abs(ts - time.time()) < 60
    assert body == {"username": "Herald", "attachments": [attachment()]}


def test_resolved_is_green(httpserver, deliver, resolved):
    httpserver.expect_request("/hook").respond_with_data("ok")

    deliver("slack", {"url": httpserver.url_for("/hook"), **TEXTS}, resolved)

    assert body_of(httpserver)["attachments"][0]["color"] == "#36a64f"


def test_web_api_uses_bearer_token_channel_and_mentions(httpserver, deliver, firing):
    httpserver.expect_request("/api/chat.postMessage", method="POST").respond_with_json(
        {"ok": True, "channel": "C1", "ts": "1.2"})
    values = {"token": "xoxb-1", "recipient": "#ops", "username": "Herald bot",
              "icon_emoji": ":fire:", "mentionChannel": "here", "mentionUsers": "U1, U2",
              "mentionGroups": "G1", "endpointUrl": httpserver.url_for("/api/chat.postMessage"),
              **TEXTS}

    result = deliver("slack", values, firing)

    assert result.ok, result.error
    assert request_of(httpserver).headers["Authorization"] == "Bearer xoxb-1"
    body = body_of(httpserver)
    body["attachments"][0].pop("ts")
    assert body == {
        "channel": "#ops", "username": "Herald bot", "icon_emoji": ":fire:",
        "attachments": [attachment(pretext="<!here|here> <!subteam^G1> <@U1><@U2>",
                                   mrkdwn_in=["pretext"])]}


def test_title_is_cut_to_1024_characters(httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_data("ok")

    deliver("slack", {"url": httpserver.url_for("/hook"), "title": "x" * 2000}, firing)

    title = body_of(httpserver)["attachments"][0]["title"]
    assert len(title) == 1024
    assert title.endswith("x…")


def test_ok_false_in_a_200_is_a_failure_with_the_error(httpserver, deliver, firing):
    httpserver.expect_request("/api").respond_with_json(
        {"ok": False, "error": "channel_not_found"})

    result = deliver("slack", {"token": "xoxb-1", "recipient": "#nope",
                               "endpointUrl": httpserver.url_for("/api")}, firing)

    assert (result.outcome, result.status_code) == ("failure", 200)
    assert result.error == "Slack API error: channel_not_found"


def test_webhook_refusal_shows_slacks_answer(httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_data("no_service", status=404)

    result = deliver("slack", {"url": httpserver.url_for("/hook")}, firing)

    assert (result.outcome, result.status_code, result.error) == (
        "failure", 404, "HTTP 404: no_service")
