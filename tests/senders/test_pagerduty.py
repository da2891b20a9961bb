"""PagerDuty Events API v2: trigger and resolve, deduplicated on the alert group."""
from __future__ import annotations

import socket

from tests.senders.conftest import body_of


def values(url: str, **extra) -> dict:
    return {"integrationKey": "R0UT1NGKEY", "url": url, "summary": "Disk full",
            "severity": "warning", "class": "disk", "component": "postgres", "group": "db",
            "source": "db-1", "client": "Herald prod", "client_url": "https://herald.test/",
            "details": {"runbook": "https://runbooks.test/disk"}, **extra}


def test_firing_group_triggers_an_event(httpserver, deliver, firing):
    httpserver.expect_request("/v2/enqueue", method="POST").respond_with_json(
        {"status": "success", "message": "Event processed", "dedup_key": "x"}, status=202)

    result = deliver("pagerduty", values(httpserver.url_for("/v2/enqueue")), firing)

    assert (result.outcome, result.status_code) == ("success", 202)
    body = body_of(httpserver)
    firing_list = body["payload"]["custom_details"].pop("firing")
    assert firing_list.startswith("\nValue: [no value]\nLabels:\n - alertname = DiskFull\n")
    assert body == {
        "routing_key": "R0UT1NGKEY",
        "dedup_key": firing.group_hash(),
        "event_action": "trigger",
        "payload": {
            "summary": "Disk full", "source": "db-1", "severity": "warning", "class": "disk",
            "component": "postgres", "group": "db",
            "custom_details": {"num_firing": "1", "num_resolved": "0", "resolved": "",
                               "runbook": "https://runbooks.test/disk"},
        },
        "client": "Herald prod",
        "client_url": "https://herald.test/",
        "links": [{"href": "http://herald.test/", "text": "External URL"}],
    }


def test_resolved_group_resolves_the_same_dedup_key(httpserver, deliver, firing, resolved):
    httpserver.expect_request("/v2/enqueue").respond_with_json({}, status=202)

    deliver("pagerduty", values(httpserver.url_for("/v2/enqueue")), resolved)

    body = body_of(httpserver)
    assert body["event_action"] == "resolve"
    assert body["dedup_key"] == firing.group_hash() == resolved.group_hash()


def test_defaults_source_hostname_client_herald_and_summary_cut(httpserver, deliver, firing):
    httpserver.expect_request("/v2/enqueue").respond_with_json({}, status=202)

    deliver("pagerduty", {"integrationKey": "K", "url": httpserver.url_for("/v2/enqueue"),
                          "summary": "s" * 2000}, firing)

    body = body_of(httpserver)
    assert body["payload"]["source"] == socket.gethostname()
    assert body["payload"]["severity"] == "critical"
    assert len(body["payload"]["summary"]) == 1024
    assert (body["client"], body["client_url"]) == ("Herald", "http://herald.test/")


def test_invalid_event_answer_is_a_permanent_failure(httpserver, deliver, firing):
    httpserver.expect_request("/v2/enqueue").respond_with_json(
        {"status": "invalid event", "message": "Event object is invalid",
         "errors": ["Length of 'routing_key' is incorrect (should be 32 characters)"]},
        status=400)

    result = deliver("pagerduty", values(httpserver.url_for("/v2/enqueue")), firing)

    assert result.error == ("HTTP 400: Event object is invalid: Length of 'routing_key' is "
                            "incorrect (should be 32 characters)")
    assert result.permanent  # the outbox will not retry it
