"""Pushover: Grafana's test cases, checked on the multipart form the Message API receives."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.senders.conftest import request_of
from tests.senders.grafana_groups import (
    RULE_URL,
    TWO,
    default_message,
    default_title,
    grafana_group,
)


@pytest.fixture
def pushover_api(app, httpserver):
    httpserver.expect_request("/1/messages.json", method="POST").respond_with_json(
        {"status": 1, "request": "647d2300-702c-4b38-8b2f-d56326ae460b"})
    app.config["HERALD_PUSHOVER_API_URL"] = httpserver.url_for("/1/messages.json")
    return httpserver


def form_of(server) -> list[tuple[str, str]]:
    request = request_of(server)
    assert request.mimetype == "multipart/form-data"
    return list(MultiDict(request.form).items(multi=True))


def test_defaults_send_title_message_and_the_rule_link(pushover_api, deliver):
    # Grafana's "Correct config with single alert" case (no image: Herald has none).
    group = grafana_group()

    result = deliver("pushover", {"userKey": "<userKey>", "apiToken": "<apiToken>"}, group)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert form_of(pushover_api) == [
        ("user", "<userKey>"), ("token", "<apiToken>"), ("priority", "0"),
        ("title", default_title(group)), ("url", RULE_URL), ("url_title", "Show alert rule"),
        ("message", default_message(group).strip()), ("html", "1")]  # "default" sound: none


def test_custom_title(pushover_api, deliver):
    deliver("pushover", {"userKey": "<userKey>", "apiToken": "<apiToken>",
                         "title": "Alerts firing: {{ Alerts.Firing | length }}"},
            grafana_group())

    assert dict(form_of(pushover_api))["title"] == "Alerts firing: 1"


def test_emergency_priority_sends_retry_expire_device_and_sound(pushover_api, deliver):
    # Grafana's "Custom config with multiple alerts" case.
    group = grafana_group(TWO)
    deliver("pushover", {
        "userKey": "<userKey>", "apiToken": "<apiToken>", "priority": "2", "okPriority": "0",
        "retry": "30", "expire": "86400", "device": "device", "sound": "echo",
        "okSound": "magic", "message": "{{ Alerts.Firing | length }} alerts are firing, "
        "{{ Alerts.Resolved | length }} are resolved"}, group)

    assert form_of(pushover_api) == [
        ("user", "<userKey>"), ("token", "<apiToken>"), ("priority", "2"), ("retry", "30"),
        ("expire", "86400"), ("device", "device"), ("title", default_title(group)),
        ("url", RULE_URL), ("url_title", "Show alert rule"),
        ("message", "2 alerts are firing, 0 are resolved"), ("sound", "echo"), ("html", "1")]


def test_resolved_uses_ok_priority_and_ok_sound(pushover_api, deliver):
    deliver("pushover", {"userKey": "u", "apiToken": "t", "priority": "1", "okPriority": "-1",
                         "sound": "echo", "okSound": "default", "message": "ok"},
            grafana_group(status="resolved"))

    form = dict(form_of(pushover_api))
    assert form["priority"] == "-1"
    assert "sound" not in form


def test_empty_message_and_long_title_are_made_acceptable(pushover_api, deliver):
    deliver("pushover", {"userKey": "u", "apiToken": "t", "message": "{{ '' }}",
                         "title": "t" * 300}, grafana_group())

    form = dict(form_of(pushover_api))
    assert form["message"] == "(no details)"
    assert form["title"] == "t" * 249 + "…"


def test_invalid_user_is_reported(app, httpserver, deliver):
    httpserver.expect_request("/1/messages.json").respond_with_json(
        {"user": "invalid", "errors": ["user identifier is invalid"], "status": 0}, status=400)
    app.config["HERALD_PUSHOVER_API_URL"] = httpserver.url_for("/1/messages.json")

    result = deliver("pushover", {"userKey": "u", "apiToken": "t"}, grafana_group())

    assert result.outcome == "failure"
    assert result.error == "HTTP 400: user identifier is invalid"
