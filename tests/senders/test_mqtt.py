"""MQTT against a real broker (mosquitto): JSON and text payloads, QoS, retain, auth, TLS."""
from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from app.alerts import group_to_dict
from tests.mqtt_broker import MOSQUITTO, running_broker, subscribed
from tests.senders.grafana_groups import TWO, default_message, grafana_group
from tests.tls_certs import make_tls_files

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")
WAIT = 30


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    with running_broker(tmp_path_factory.mktemp("mqtt")) as running:
        yield running


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("mqtt-tls")
    files = make_tls_files(folder)
    extra = f"cafile {files.ca_file}\ncertfile {files.cert_file}\nkeyfile {files.key_file}\n"
    with running_broker(folder, extra) as running:
        yield running, files


def test_json_message_with_the_default_template(broker, deliver):
    group = grafana_group()
    with subscribed(broker, "grafana/alerts") as messages:
        result = deliver("mqtt", {"brokerUrl": f"tcp://127.0.0.1:{broker.port}",
                                  "topic": "grafana/alerts"}, group)
        message = messages.get(timeout=WAIT)

    assert result.outcome == "success", result.error
    body = group_to_dict(group)
    del body["truncatedAlerts"]
    group_key = body.pop("groupKey")
    assert json.loads(message.payload) == {**body, "version": "1", "groupKey": group_key,
                                           "message": default_message(group)}
    assert list(json.loads(message.payload))[-3:] == ["version", "groupKey", "message"]
    assert (message.qos, message.retain) == (0, False)


def test_text_message_with_qos_and_retain(broker, deliver):
    with subscribed(broker, "alerts/text") as messages:
        result = deliver("mqtt", {
            "brokerUrl": f"mqtt://localhost:{broker.port}", "topic": "alerts/text",
            "messageFormat": "text", "qos": "2", "retain": True, "clientId": "herald-test",
            "message": "{{ Alerts.Firing | length }} alerts are firing"}, grafana_group(TWO))
        message = messages.get(timeout=WAIT)

    assert result.ok, result.error
    assert message.payload == b"2 alerts are firing"
    assert message.qos == 2
    # The broker kept it: a later subscriber receives it as a retained message.
    with subscribed(broker, "alerts/text") as later:
        assert later.get(timeout=WAIT).retain


def test_go_style_escapes_in_json(broker, deliver):
    with subscribed(broker, "alerts/escaped") as messages:
        deliver("mqtt", {"brokerUrl": f"tcp://127.0.0.1:{broker.port}",
                         "topic": "alerts/escaped", "message": "a & <b>"}, grafana_group())
        payload = messages.get(timeout=WAIT).payload.decode()

    assert '"message":"a \\u0026 \\u003cb\\u003e"' in payload


def test_username_and_password(tmp_path, deliver):
    with running_broker(tmp_path, username="herald", password="s3cret") as secured:
        with subscribed(secured, "alerts/auth") as messages:
            good = deliver("mqtt", {"brokerUrl": f"tcp://127.0.0.1:{secured.port}",
                                    "topic": "alerts/auth", "username": "herald",
                                    "password": "s3cret", "messageFormat": "text",
                                    "message": "hello"}, grafana_group())
            assert messages.get(timeout=WAIT).payload == b"hello"
        bad = deliver("mqtt", {"brokerUrl": f"tcp://127.0.0.1:{secured.port}",
                               "topic": "alerts/auth", "username": "herald",
                               "password": "wrong"}, grafana_group())

    assert good.ok, good.error
    assert bad.error == "the MQTT broker refused the connection: Not authorized"


def test_tls_with_the_given_ca(tls, deliver):
    broker, files = tls
    with subscribed(broker, "alerts/tls", tls_ca=str(files.ca_file)) as messages:
        result = deliver("mqtt", {"brokerUrl": f"ssl://localhost:{broker.port}",
                                  "topic": "alerts/tls", "messageFormat": "text",
                                  "message": "over TLS",
                                  "tlsConfig.caCertificate": files.ca_pem}, grafana_group())
        message = messages.get(timeout=WAIT)

    assert result.ok, result.error
    assert message.payload == b"over TLS"


def test_tls_without_the_ca_is_a_certificate_error(tls, deliver):
    broker, _ = tls

    result = deliver("mqtt", {"brokerUrl": f"ssl://localhost:{broker.port}",
                              "topic": "alerts/tls"}, grafana_group())

    assert result.error.startswith("TLS certificate error: ")


def test_tls_with_verification_disabled(tls, deliver):
    broker, _ = tls

    result = deliver("mqtt", {"brokerUrl": f"mqtts://localhost:{broker.port}",
                              "topic": "alerts/tls", "tlsConfig.insecureSkipVerify": True},
                     grafana_group())

    assert result.ok, result.error


def test_tls_with_a_client_certificate(tmp_path, tls, deliver):
    _, files = tls
    extra = (f"cafile {files.ca_file}\ncertfile {files.cert_file}\nkeyfile {files.key_file}\n"
             "require_certificate true\n")
    settings = {"topic": "alerts/mtls", "messageFormat": "text", "message": "mutual",
                "tlsConfig.caCertificate": files.ca_pem}
    with running_broker(tmp_path, extra) as broker:
        url = f"ssl://localhost:{broker.port}"
        refused = deliver("mqtt", {"brokerUrl": url, **settings}, grafana_group())
        accepted = deliver("mqtt", {"brokerUrl": url, **settings,
                                    "tlsConfig.clientCertificate": files.client_cert_pem,
                                    "tlsConfig.clientKey": files.client_key_pem},
                           grafana_group())

    assert refused.error == "the MQTT broker closed the connection before accepting it"
    assert accepted.ok, accepted.error


def test_outbound_policy_applies_to_the_resolved_address(app, broker, deliver):
    app.config["HERALD_OUTBOUND_DENY"] = ("127.0.0.0/8", "::1")

    result = deliver("mqtt", {"brokerUrl": f"tcp://localhost:{broker.port}",
                              "topic": "alerts/denied"}, grafana_group())

    assert result.error == "destination not allowed by policy: localhost"


def test_a_silent_broker_times_out(app, deliver):
    app.config["HERALD_HTTP_TIMEOUT"] = 0.5
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        result = deliver("mqtt", {"brokerUrl": f"tcp://127.0.0.1:{port}", "topic": "t"},
                         grafana_group())

    assert result.error == "timed out after 0.5 s waiting for the MQTT broker"


def test_closed_port_is_connection_refused(deliver):
    from tests.loopback import closed_port

    port = closed_port()
    result = deliver("mqtt", {"brokerUrl": f"tcp://127.0.0.1:{port}", "topic": "t"},
                     grafana_group())

    assert result.error == f"connection refused (127.0.0.1:{port})"


def test_broker_url_must_be_an_mqtt_url(client):
    response = client.post("/contact-points/new", data={
        "name": "m", "block": ["t1"], "t1.type": "mqtt",
        "t1.s.brokerUrl": "http://broker:1883", "t1.s.topic": "t"})

    assert response.status_code == 422
    assert "Broker URL must be tcp://host:port or ssl://host:port" in response.get_data(
        as_text=True)
