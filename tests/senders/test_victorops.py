"""VictorOps: Grafana's test cases, checked on the JSON the REST endpoint receives."""
from __future__ import annotations

import time

from app.version import __version__
from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_groups import (
    GROUP_HASH,
    RULE_URL,
    TWO,
    default_message,
    default_title,
    grafana_group,
)


def test_defaults_for_one_alert(httpserver, deliver):
    httpserver.expect_request("/integrations/key", method="POST").respond_with_json(
        {"result": "success", "entity_id": GROUP_HASH})
    group = grafana_group()
    before = int(time.time())

    result = deliver("victorops", {"url": httpserver.url_for("/integrations/key")}, group)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert request_of(httpserver).headers["Content-Type"] == "application/json"
    body = body_of(httpserver)
    assert before <= body.pop("timestamp") <= int(time.time())
    assert body == {
        "alert_url": RULE_URL,
        "entity_display_name": default_title(group),
        "entity_id": GROUP_HASH,
        "message_type": "CRITICAL",
        "monitoring_tool": f"Herald v{__version__}",
        "state_message": default_message(group),
    }


def test_templated_message_type_is_upper_cased(httpserver, deliver):
    # Grafana's "Custom message type" case: ALERTS FIRING: 2.
    httpserver.expect_request("/k").respond_with_data("")

    deliver("victorops", {"url": httpserver.url_for("/k"), "title": "Alerts firing: "
                          "{{ Alerts.Firing | length }}",
                          "messageType": "WARNING"}, grafana_group(TWO))

    body = body_of(httpserver)
    assert (body["message_type"], body["entity_display_name"]) == ("WARNING",
                                                                   "Alerts firing: 2")


def test_resolved_group_sends_recovery(httpserver, deliver):
    httpserver.expect_request("/k").respond_with_data("")

    deliver("victorops", {"url": httpserver.url_for("/k"), "messageType": "WARNING"},
            grafana_group(status="resolved"))

    assert body_of(httpserver)["message_type"] == "RECOVERY"


def test_state_message_is_cut_to_20480_characters(httpserver, deliver):
    httpserver.expect_request("/k").respond_with_data("")

    deliver("victorops", {"url": httpserver.url_for("/k"),
                          "description": "{{ 'x' * 30000 }}"}, grafana_group())

    assert body_of(httpserver)["state_message"] == "x" * 20_479 + "…"
