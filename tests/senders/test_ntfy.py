"""ntfy: JSON published to the server's root URL, with an optional bearer token."""
from __future__ import annotations

from app.integrations import REGISTRY
from app.integrations.base import validate
from tests.senders.conftest import body_of, request_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def test_publishes_title_message_priority_tags_and_token(httpserver, deliver, firing):
    httpserver.expect_request("/", method="POST").respond_with_json({"id": "abc"})
    values = {"server": httpserver.url_for("/"), "topic": "herald-ops", "priority": "5",
              "tags": "warning, rotating_light", "token": "tk_secret", **TEXTS}

    result = deliver("ntfy", values, firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(httpserver)
    assert request.headers["Authorization"] == "Bearer tk_secret"
    assert request.headers["Content-Type"] == "application/json"
    assert body_of(httpserver) == {
        "topic": "herald-ops", "title": "Disk full", "message": "Check the disk",
        "priority": 5, "click": "http://herald.test/", "tags": ["warning", "rotating_light"]}


def test_public_topic_sends_no_authorization_and_default_priority(httpserver, deliver, firing):
    httpserver.expect_request("/", method="POST").respond_with_json({"id": "abc"})

    deliver("ntfy", {"server": httpserver.url_for("/"), "topic": "t", **TEXTS}, firing)

    assert "Authorization" not in request_of(httpserver).headers
    assert body_of(httpserver)["priority"] == 3
    assert "tags" not in body_of(httpserver)


def test_forbidden_topic_shows_ntfys_error(httpserver, deliver, firing):
    httpserver.expect_request("/").respond_with_json(
        {"code": 40301, "http": 403, "error": "forbidden"}, status=403)

    result = deliver("ntfy", {"server": httpserver.url_for("/"), "topic": "t", **TEXTS}, firing)

    assert (result.outcome, result.error) == ("failure", "HTTP 403: forbidden")


def test_topic_with_a_slash_is_refused():
    errors = validate(REGISTRY["ntfy"], {"topic": "a/b"})
    assert errors == {"topic": "Topic may hold only letters, digits, - and _ (at most 64)."}


def test_server_defaults_to_ntfy_sh():
    assert REGISTRY["ntfy"].by_key["server"].initial == "https://ntfy.sh"
