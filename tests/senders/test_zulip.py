"""Zulip REST API: POST /api/v1/messages, form-encoded, HTTP basic auth as the bot."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

from app.integrations import REGISTRY
from app.integrations.base import validate
from tests.senders.conftest import request_of

BOT = {"email": "bot@zulip.test", "api_key": "key123"}
TEXTS = {"title": "Disk full", "message": "Check the disk"}


def form_of(server) -> dict[str, str]:
    request = request_of(server)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    return {key: value for key, (value,) in parse_qs(request.get_data(as_text=True)).items()}


def test_stream_message_with_templated_topic(httpserver, deliver, firing):
    httpserver.expect_request("/api/v1/messages", method="POST").respond_with_json(
        {"result": "success", "msg": "", "id": 42})
    values = {"site": httpserver.url_for("/"), **BOT, "stream": "ops",
              "topic": "{{ GroupLabels.alertname }}", **TEXTS}

    result = deliver("zulip", values, firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    expected = base64.b64encode(b"bot@zulip.test:key123").decode()
    assert request_of(httpserver).headers["Authorization"] == f"Basic {expected}"
    assert form_of(httpserver) == {"type": "stream", "to": "ops", "topic": "DiskFull",
                                   "content": "**Disk full**\n\nCheck the disk"}


def test_private_message_lists_recipients_as_json(httpserver, deliver, firing):
    httpserver.expect_request("/api/v1/messages").respond_with_json({"result": "success"})
    values = {"site": httpserver.url_for("/"), **BOT, "type": "private",
              "to": "a@zulip.test, b@zulip.test", **TEXTS}

    deliver("zulip", values, firing)

    form = form_of(httpserver)
    assert form["type"] == "private"
    assert json.loads(form["to"]) == ["a@zulip.test", "b@zulip.test"]
    assert "topic" not in form


def test_empty_topic_falls_back_and_long_topic_is_cut(httpserver, deliver, firing):
    httpserver.expect_request("/api/v1/messages").respond_with_json({"result": "success"})

    deliver("zulip", {"site": httpserver.url_for("/"), **BOT, "stream": "ops",
                      "topic": "t" * 80, **TEXTS}, firing)

    assert form_of(httpserver)["topic"] == "t" * 59 + "…"


def test_zulip_error_message_is_shown(httpserver, deliver, firing):
    httpserver.expect_request("/api/v1/messages").respond_with_json(
        {"result": "error", "msg": "Stream 'nope' does not exist",
         "code": "STREAM_DOES_NOT_EXIST"}, status=400)

    result = deliver("zulip", {"site": httpserver.url_for("/"), **BOT, "stream": "nope",
                               **TEXTS}, firing)

    assert result.outcome == "failure"
    assert result.error == "HTTP 400: Stream 'nope' does not exist"


def test_stream_or_recipients_are_required_by_message_type():
    zulip = REGISTRY["zulip"]
    base = {"site": "https://z.test", **BOT}
    assert validate(zulip, {**base, "type": "stream"})["stream"] == (
        "Stream is required for a stream message.")
    assert validate(zulip, {**base, "type": "private"})["to"] == (
        "Recipients are required for a private message.")
    assert validate(zulip, {**base, "type": "private", "to": "a@z.test"}) == {}
