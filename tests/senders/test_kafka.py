"""Kafka REST Proxy: Grafana's v2 and v3 test cases against a loopback REST Proxy."""
from __future__ import annotations

import base64

from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_groups import (
    GROUP_HASH,
    RULE_URL,
    TWO,
    default_message,
    default_title,
    grafana_group,
)

CUSTOM = {"description": "customDescription", "details": "customDetails"}
RECORD = {"alert_state": "alerting", "client": "Herald", "client_url": RULE_URL,
          "description": "customDescription", "details": "customDetails",
          "incident_key": GROUP_HASH}


def test_v2_produces_one_record_to_the_topic(httpserver, deliver):
    httpserver.expect_request("/topics/sometopic", method="POST").respond_with_json(
        {"offsets": [{"partition": 0, "offset": 1}]})

    result = deliver("kafka", {"kafkaRestProxy": httpserver.url_for("/"),
                               "kafkaTopic": "sometopic", **CUSTOM}, grafana_group())

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(httpserver)
    assert request.headers["Content-Type"] == "application/vnd.kafka.json.v2+json"
    assert request.headers["Accept"] == "application/vnd.kafka.v2+json"
    assert "Authorization" not in request.headers
    assert body_of(httpserver) == {"records": [{"value": RECORD}]}


def test_v2_with_basic_auth(httpserver, deliver):
    httpserver.expect_request("/topics/sometopic").respond_with_json({"offsets": []})

    deliver("kafka", {"kafkaRestProxy": httpserver.url_for("/"), "kafkaTopic": "sometopic",
                      "username": "batman", "password": "BruceWayne", **CUSTOM},
            grafana_group())

    assert request_of(httpserver).headers["Authorization"] == "Basic " + base64.b64encode(
        b"batman:BruceWayne").decode()


def test_v2_default_description_and_details(httpserver, deliver):
    httpserver.expect_request("/topics/sometopic").respond_with_json({"offsets": []})
    group = grafana_group(TWO)

    deliver("kafka", {"kafkaRestProxy": httpserver.url_for("/"), "kafkaTopic": "sometopic"},
            group)

    (record,) = body_of(httpserver)["records"]
    assert record["value"]["description"] == default_title(group)
    assert record["value"]["details"] == default_message(group)


def test_v3_produces_to_the_cluster_records_path(httpserver, deliver):
    # Grafana's "API v3 ... with Confluent cloud kafka" case: the URL ends in /kafka.
    path = "/kafka/v3/clusters/lkc-abcd/topics/myTopic/records"
    httpserver.expect_request(path, method="POST").respond_with_json(
        {"error_code": 200, "cluster_id": "lkc-abcd", "topic_name": "myTopic"})

    result = deliver("kafka", {"kafkaRestProxy": httpserver.url_for("/kafka"),
                               "kafkaTopic": "myTopic", "apiVersion": "v3",
                               "kafkaClusterId": "lkc-abcd", **CUSTOM}, grafana_group())

    assert result.ok, result.error
    request = request_of(httpserver)
    assert (request.headers["Content-Type"], request.headers["Accept"]) == (
        "application/json", "application/json")
    assert body_of(httpserver) == {"value": {"type": "JSON", "data": RECORD}}


def test_v3_error_code_in_a_200_answer_is_a_failure(httpserver, deliver):
    httpserver.expect_request("/v3/clusters/c1/topics/t/records").respond_with_json(
        {"error_code": 40403, "message": "This server does not host this topic-partition."})

    result = deliver("kafka", {"kafkaRestProxy": httpserver.url_for("/"), "kafkaTopic": "t",
                               "apiVersion": "v3", "kafkaClusterId": "c1"}, grafana_group())

    assert result.error == ("Kafka did not take the record (error_code 40403): This server "
                            "does not host this topic-partition.")


def test_resolved_state_is_ok(httpserver, deliver):
    httpserver.expect_request("/topics/t").respond_with_json({"offsets": []})

    deliver("kafka", {"kafkaRestProxy": httpserver.url_for("/"), "kafkaTopic": "t"},
            grafana_group(status="resolved"))

    assert body_of(httpserver)["records"][0]["value"]["alert_state"] == "ok"


def test_v3_needs_a_cluster_id(client):
    response = client.post("/contact-points/new", data={
        "name": "k", "block": ["t1"], "t1.type": "kafka", "t1.s.kafkaRestProxy":
        "http://kafka:8082", "t1.s.kafkaTopic": "t", "t1.s.apiVersion": "v3"})

    assert response.status_code == 422
    assert "Cluster ID is required for the v3 API." in response.get_data(as_text=True)
