"""Threema Gateway: Grafana's test cases, checked on the form send_simple receives."""
from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from tests.senders.conftest import request_of
from tests.senders.grafana_groups import (
    RULE_URL,
    default_message,
    default_title,
    grafana_group,
)

IDS = {"gateway_id": "*1234567", "recipient_id": "87654321", "api_secret": "supersecret"}


@pytest.fixture
def threema_api(app, httpserver):
    httpserver.expect_request("/send_simple", method="POST").respond_with_data("0a1b2c3d4e5f")
    app.config["HERALD_THREEMA_API_URL"] = httpserver.url_for("/send_simple")
    return httpserver


def form_of(server) -> list[tuple[str, str]]:
    request = request_of(server)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    return parse_qsl(request.get_data(as_text=True))


def test_default_title_and_description(threema_api, deliver):
    group = grafana_group()

    result = deliver("threema", IDS, group)

    assert (result.outcome, result.status_code) == ("success", 200)
    text = (f"\u26a0\ufe0f {default_title(group)}\n\n*Message:*\n{default_message(group)}\n"
            f"*URL:* {RULE_URL}\n")
    assert form_of(threema_api) == [("from", "*1234567"), ("secret", "supersecret"),
                                    ("text", text), ("to", "87654321")]


def test_custom_title_and_description(threema_api, deliver):
    # Grafana's "One alert with custom title and description" case.
    deliver("threema", {**IDS, "title": "customTitle {{ Alerts.Firing | length }}",
                        "description": "customDescription"}, grafana_group())

    assert dict(form_of(threema_api))["text"] == (
        f"\u26a0\ufe0f customTitle 1\n\n*Message:*\ncustomDescription\n*URL:* {RULE_URL}\n")


def test_resolved_group_has_a_check_mark(threema_api, deliver):
    deliver("threema", {**IDS, "title": "ok", "description": "d"},
            grafana_group(status="resolved"))

    assert dict(form_of(threema_api))["text"].startswith("\u2705 ok\n")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("gateway_id", "A5K94S9", "invalid Threema Gateway ID: Must start with a *"),
    ("gateway_id", "*123456789", "invalid Threema Gateway ID: Must be 8 characters long"),
    ("recipient_id", "abc", "invalid Threema Recipient ID: Must be 8 characters long"),
])
def test_malformed_ids_are_refused(client, key, value, message):
    data = {"name": "t", "block": ["t1"], "t1.type": "threema",
            **{f"t1.s.{k}": v for k, v in {**IDS, key: value}.items()}}

    response = client.post("/contact-points/new", data=data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
