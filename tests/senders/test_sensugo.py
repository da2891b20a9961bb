"""Sensu Go: Grafana's test cases, checked on the event the core API receives."""
from __future__ import annotations

import time

from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_groups import RULE_URL, TWO, default_message, grafana_group


def test_defaults_for_one_alert(httpserver, deliver):
    httpserver.expect_request("/api/core/v2/namespaces/default/events", method="POST",
                              ).respond_with_data("", status=201)
    group = grafana_group()
    before = int(time.time())

    result = deliver("sensugo", {"url": httpserver.url_for("/"), "apikey": "<apikey>"}, group)

    assert (result.outcome, result.status_code) == ("success", 201)
    assert request_of(httpserver).headers["Authorization"] == "Key <apikey>"
    body = body_of(httpserver)
    assert before <= body["check"].pop("issued") <= int(time.time())
    assert body == {
        "entity": {"metadata": {"name": "default", "namespace": "default"}},
        "check": {
            "metadata": {"name": "default", "labels": {"ruleURL": RULE_URL}},
            "output": default_message(group),
            "interval": 86400,
            "status": 2,
            "handlers": None,
        },
        "ruleUrl": RULE_URL,
    }


def test_custom_config_with_multiple_alerts(httpserver, deliver):
    httpserver.expect_request("/api/core/v2/namespaces/namespace/events").respond_with_data("")

    deliver("sensugo", {
        "url": httpserver.url_for("/"), "apikey": "<apikey>", "entity": "grafana_instance_01",
        "check": "grafana_rule_0", "namespace": "namespace", "handler": "myhandler",
        "message": "{{ Alerts.Firing | length }} alerts are firing, "
        "{{ Alerts.Resolved | length }} are resolved"}, grafana_group(TWO))

    body = body_of(httpserver)
    assert body["entity"]["metadata"] == {"name": "grafana_instance_01",
                                          "namespace": "namespace"}
    assert body["check"]["metadata"]["name"] == "grafana_rule_0"
    assert body["check"]["output"] == "2 alerts are firing, 0 are resolved"
    assert body["check"]["handlers"] == ["myhandler"]


def test_resolved_group_is_status_ok(httpserver, deliver):
    httpserver.expect_request("/api/core/v2/namespaces/default/events").respond_with_data("")

    deliver("sensugo", {"url": httpserver.url_for("/"), "apikey": "k"},
            grafana_group(status="resolved"))

    assert body_of(httpserver)["check"]["status"] == 0
