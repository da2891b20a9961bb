"""Slack sends what Grafana's own tests expect (tests/senders/grafana_cases/slack.py)."""
from __future__ import annotations

import time

import pytest

from app.version import __version__
from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_cases.slack import CASES

# The order of Grafana's slackMessage and attachment struct fields, as it writes them.
MESSAGE_ORDER = ["channel", "text", "username", "icon_emoji", "icon_url", "attachments"]
ATTACHMENT_ORDER = ["title", "title_link", "text", "image_url", "fallback", "fields", "footer",
                    "footer_icon", "color", "ts", "pretext", "mrkdwn_in"]


def in_grafanas_order(keys: list[str], order: list[str]) -> bool:
    return keys == [key for key in order if key in keys]


@pytest.mark.parametrize(("settings", "group", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_payload_is_grafanas(app, httpserver, deliver, settings, group, expected):
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    values = {key: httpserver.url_for("/hook") if value == "url" else value
              for key, value in settings.items()}

    result = deliver("slack", values, group)

    assert result.ok, result.error
    body = body_of(httpserver)
    (attachment,) = body["attachments"]
    assert in_grafanas_order(list(body), MESSAGE_ORDER)
    assert in_grafanas_order(list(attachment), ATTACHMENT_ORDER)
    assert abs(attachment.pop("ts") - time.time()) < 60
    icon = app.config["HERALD_EXTERNAL_URL"].rstrip("/") + "/static/herald-32.png"
    (wanted,) = expected["attachments"]
    wanted = {**wanted, "footer_icon": icon}
    if wanted["footer"] == "FOOTER":
        wanted["footer"] = f"Herald v{__version__}"
    assert {**body, "attachments": [attachment]} == {**expected, "attachments": [wanted]}
    request = request_of(httpserver)
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    if "token" in settings:
        assert request.headers["Authorization"] == "Bearer 1234"
    else:
        assert "Authorization" not in request.headers


def test_the_footer_icon_is_served_without_logging_in(client):
    answer = client.get("/static/herald-32.png")

    assert (answer.status_code, answer.mimetype) == (200, "image/png")
