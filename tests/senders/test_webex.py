"""Cisco Webex Teams: Grafana's test cases against a loopback Messages API."""
from __future__ import annotations

from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_groups import TWO, default_message, grafana_group


def values(server, **extra) -> dict:
    return {"api_url": server.url_for("/v1/messages"), "room_id": "someid",
            "bot_token": "abcdefgh0123456789", **extra}


def test_default_template_posts_markdown_with_the_bot_token(httpserver, deliver):
    httpserver.expect_request("/v1/messages", method="POST").respond_with_json({"id": "m1"})
    group = grafana_group()

    result = deliver("webex", values(httpserver), group)

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(httpserver)
    assert request.headers["Authorization"] == "Bearer abcdefgh0123456789"
    assert request.headers["Content-Type"] == "application/json"
    assert body_of(httpserver) == {"roomId": "someid", "markdown": default_message(group)}


def test_custom_template_for_several_alerts(httpserver, deliver):
    httpserver.expect_request("/v1/messages").respond_with_json({"id": "m1"})

    deliver("webex", values(httpserver, message="__Custom Firing__\n"
                            "{{ Alerts.Firing | length }} Firing"), grafana_group(TWO))

    assert body_of(httpserver)["markdown"] == "__Custom Firing__\n2 Firing"


def test_long_message_is_cut_to_4096_bytes(httpserver, deliver):
    # Grafana's "Truncate long message": 4,093 characters and an ellipsis.
    httpserver.expect_request("/v1/messages").respond_with_json({"id": "m1"})

    deliver("webex", values(httpserver, message="1" * 5000), grafana_group())

    assert body_of(httpserver)["markdown"] == "1" * 4093 + "…"


def test_unknown_room_is_reported(httpserver, deliver):
    httpserver.expect_request("/v1/messages").respond_with_json(
        {"message": "Could not find a room with provided ID.", "trackingId": "t"}, status=404)

    result = deliver("webex", values(httpserver), grafana_group())

    assert result.error == "HTTP 404: Could not find a room with provided ID."
