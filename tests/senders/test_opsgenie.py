"""Opsgenie Alert API: create with a GenieKey, close by alias when resolved."""
from __future__ import annotations

from tests.senders.conftest import body_of, request_of


def values(url: str, **extra) -> dict:
    return {"apiKey": "g-key", "apiUrl": url, "message": "Disk full", "description": "Details",
            "autoClose": True, "overridePriority": True, "sendTagsAs": "tags", **extra}


def test_firing_group_creates_an_alert(httpserver, deliver, firing):
    httpserver.expect_request("/v2/alerts", method="POST").respond_with_json(
        {"result": "Request will be processed", "requestId": "r1"}, status=202)
    responders = [{"type": "team", "name": "ops"}, {"type": "user", "username": "a@b.test"},
                  {"type": "teams", "name": "db,storage"}]

    result = deliver("opsgenie", values(httpserver.url_for("/v2/alerts"),
                                        responders=responders), firing)

    assert (result.outcome, result.status_code) == ("success", 202)
    assert request_of(httpserver).headers["Authorization"] == "GenieKey g-key"
    assert body_of(httpserver) == {
        "alias": firing.group_hash(),
        "message": "Disk full",
        "description": "Details",
        "tags": ["alertname:DiskFull", "instance:db-1", "og_priority:P2"],
        "source": "Herald",
        "details": {"url": "http://herald.test/alerting/list"},
        "responders": [{"name": "ops", "type": "team"},
                       {"username": "a@b.test", "type": "user"},
                       {"name": "db", "type": "team"}, {"name": "storage", "type": "team"}],
        "priority": "P2",
    }


def test_labels_as_details_without_priority_override(httpserver, deliver, firing):
    httpserver.expect_request("/v2/alerts").respond_with_json({}, status=202)

    deliver("opsgenie", values(httpserver.url_for("/v2/alerts"), sendTagsAs="details",
                               overridePriority=False), firing)

    body = body_of(httpserver)
    assert body["tags"] == []
    assert body["details"] == {"url": "http://herald.test/alerting/list", "alertname": "DiskFull",
                               "instance": "db-1", "og_priority": "P2"}
    assert "priority" not in body


def test_message_is_cut_to_130_characters(httpserver, deliver, firing):
    httpserver.expect_request("/v2/alerts").respond_with_json({}, status=202)

    deliver("opsgenie", values(httpserver.url_for("/v2/alerts"), message="m" * 500), firing)

    assert body_of(httpserver)["message"] == "m" * 129 + "…"


def test_resolved_group_closes_the_alert_by_alias(httpserver, deliver, resolved):
    path = f"/v2/alerts/{resolved.group_hash()}/close"
    httpserver.expect_request(path, method="POST", query_string="identifierType=alias",
                              headers={"Authorization": "GenieKey g-key"}
                              ).respond_with_json({}, status=202)

    result = deliver("opsgenie", values(httpserver.url_for("/v2/alerts")), resolved)

    assert result.ok, result.error
    assert body_of(httpserver) == {"source": "Herald"}


def test_resolved_group_without_auto_close_sends_nothing(httpserver, deliver, resolved):
    result = deliver("opsgenie", values(httpserver.url_for("/v2/alerts"), autoClose=False),
                     resolved)

    assert result.outcome == "skipped"
    assert httpserver.log == []


def test_unauthorized_key_is_reported(httpserver, deliver, firing):
    httpserver.expect_request("/v2/alerts").respond_with_json(
        {"message": "Key format is not valid!", "took": 0.001}, status=422)

    result = deliver("opsgenie", values(httpserver.url_for("/v2/alerts")), firing)

    assert result.error == "HTTP 422: Key format is not valid!"
