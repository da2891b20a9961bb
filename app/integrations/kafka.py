"""Kafka REST Proxy: one JSON record produced to a topic, through API v2 or v3."""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    url_host,
)
from app.integrations.common import alert_list_url
from app.transport import http

V2, V3 = "v2", "v3"
# https://docs.confluent.io/platform/current/kafka-rest/api.html#records-v2
V2_HEADERS = {"Content-Type": "application/vnd.kafka.json.v2+json",
              "Accept": "application/vnd.kafka.v2+json"}
V3_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _cluster_for_v3(values: Values) -> Iterable[tuple[str, str]]:
    if values.get("apiVersion") == V3 and not values.get("kafkaClusterId"):
        yield "kafkaClusterId", "Cluster ID is required for the v3 API."


def record(ctx: SendContext) -> dict:
    """The record's value: Grafana's description, details, state and incident key."""
    value = {
        "description": ctx.text("description"),
        "client": "Herald",
        "details": ctx.text("details"),
        "alert_state": "alerting" if ctx.group.status == "firing" else "ok",
        "client_url": alert_list_url(ctx.group.external_url),
        "incident_key": ctx.group.group_hash(),
    }
    return {key: text for key, text in value.items() if text or key == "description"}


def _path(ctx: SendContext, key: str, label: str) -> str:
    return quote(ctx.render(ctx.values[key], label=label), safe="")


def send(ctx: SendContext) -> Sent:
    """Produce the record: POST /topics/<topic> (v2) or /v3/clusters/<id>/topics/<t>/records."""
    values = ctx.values
    endpoint = values["kafkaRestProxy"].rstrip("/")
    topic = _path(ctx, "kafkaTopic", "Topic")
    auth = (values.get("username") or "", values.get("password") or "") \
        if values.get("username") or values.get("password") else None
    if values.get("apiVersion") == V3:
        cluster = _path(ctx, "kafkaClusterId", "Cluster ID")
        url = f"{endpoint}/v3/clusters/{cluster}/topics/{topic}/records"
        body = {"value": {"type": "JSON", "data": record(ctx)}}
        answer = http.request("POST", url, json=body, headers=V3_HEADERS, auth=auth)
        _check_v3(answer.json)
    else:
        body = {"records": [{"value": record(ctx)}]}
        answer = http.request("POST", f"{endpoint}/topics/{topic}", json=body,
                              headers=V2_HEADERS, auth=auth)
    return Sent(answer.status)


def _check_v3(answer: object) -> None:
    """v3 answers 200 even when producing failed: its error_code says so."""
    code = answer.get("error_code") if isinstance(answer, dict) else None
    if not isinstance(code, int) or code // 100 != 2:
        message = answer.get("message") if isinstance(answer, dict) else None
        raise SendError(f"Kafka did not take the record (error_code {code}): "
                        f"{message or 'no message'}")


INTEGRATION = IntegrationType(
    type="kafka",
    label="Kafka REST Proxy",
    category="Generic",
    description="Sends notifications to Kafka Rest Proxy",
    fields=(
        Field("kafkaRestProxy", "Kafka REST Proxy", kind="url", required=True,
              placeholder="http://localhost:8082",
              help="Hint: If you are directly using v3 APIs hosted on a Confluent Kafka "
              "Server, you must append /kafka to the URL here. Example: "
              "https://localhost:8082/kafka"),
        Field("kafkaTopic", "Topic", required=True, placeholder="topic1"),
        Field("username", "Username"),
        Field("password", "Password", secret=True,
              help="The password to use when making a call to the Kafka REST Proxy"),
        Field("apiVersion", "API version", element="select", options=((V2, "v2"), (V3, "v3")),
              default=V2, help="The API version to use when contacting the Kafka REST Server. "
              "By default v2 will be used."),
        Field("kafkaClusterId", "Cluster ID", placeholder="lkc-abcde",
              help="v3 APIs require a clusterID to be specified."),
        Field("description", "Description", element="textarea", template="default.title",
              help="Templated description of the Kafka message"),
        Field("details", "Details", element="textarea", template="default.message",
              help="Custom details to include with the message. You can use template "
              "variables."),
    ),
    rules=(_cluster_for_v3,),
    summary=lambda values: f"{values.get('kafkaTopic', '')} on "
    f"{url_host(values.get('kafkaRestProxy', ''))}",
    send=send,
    destination_keys=("kafkaRestProxy",),
)
