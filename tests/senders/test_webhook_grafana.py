"""Webhook sends what Grafana's own tests expect (tests/senders/grafana_cases/webhook.py)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from tests.senders.conftest import request_of
from tests.senders.grafana_cases import group
from tests.senders.grafana_cases.webhook import CASES, alert_json, body, message_text, sample_alert


@pytest.mark.parametrize(("settings", "group", "expected", "method", "auth", "headers"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_payload_is_grafanas(httpserver, deliver, settings, group, expected, method, auth,
                             headers):
    httpserver.expect_request("/test", method=method).respond_with_data("ok")

    result = deliver("webhook", {"url": httpserver.url_for("/test"), **settings}, group)

    assert result.ok, result.error
    request = request_of(httpserver)
    if expected is not None:
        raw = request.get_data()
        # Compact, with & escaped, exactly as Go's encoding/json writes Grafana's body.
        assert b'"silenceURL":"http://localhost/alerting/silence/new?alertmanager=grafana' \
               b'\\u0026matcher=alertname%3Dalert1' in raw
        sent = json.loads(raw)
        assert sent == expected
        assert list(sent) == list(expected)  # Grafana's key order
        assert list(sent["alerts"][0]) == list(expected["alerts"][0])
    for name, value in headers.items():
        assert request.headers[name] == value
    if auth:
        token = base64.b64encode(":".join(auth).encode()).decode()
        assert request.headers["Authorization"] == f"Basic {token}"


def test_hmac_signs_timestamp_and_body_like_grafana(httpserver, deliver):
    httpserver.expect_request("/test").respond_with_data("ok")
    settings = {"url": httpserver.url_for("/test"), "maxAlerts": 2,
                "hmacConfig.secret": "test-secret", "hmacConfig.header": "X-Test-Hash",
                "hmacConfig.timestampHeader": "X-Test-Timestamp"}

    deliver("webhook", settings, group(sample_alert("val1"), receiver="my_receiver"))

    request = request_of(httpserver)
    sent = request.get_data()
    assert json.loads(sent) == body([alert_json("val1")], "[FIRING:1]  (val1)",
                                    message_text("val1"))
    timestamp = request.headers["X-Test-Timestamp"]
    signed = hmac.new(b"test-secret", timestamp.encode() + b":" + sent, hashlib.sha256)
    assert request.headers["X-Test-Hash"] == signed.hexdigest()


def test_default_signature_header_is_grafanas(httpserver, deliver):
    httpserver.expect_request("/test").respond_with_data("ok")

    deliver("webhook", {"url": httpserver.url_for("/test"), "hmacConfig.secret": "s"},
            group(sample_alert("val1")))

    request = request_of(httpserver)
    expected = hmac.new(b"s", request.get_data(), hashlib.sha256).hexdigest()
    assert request.headers["X-Grafana-Alerting-Signature"] == expected


def test_each_alert_carries_its_values_or_null(httpserver, deliver):
    httpserver.expect_request("/test").respond_with_data("ok")
    with_values = sample_alert("val1")
    with_values.values = {"B": 2.5, "A": 1234.0}

    deliver("webhook", {"url": httpserver.url_for("/test")},
            group(with_values, sample_alert("val2")))

    sent = request_of(httpserver).get_data().decode()
    alerts = json.loads(sent)["alerts"]
    assert [alert["values"] for alert in alerts] == [{"A": 1234, "B": 2.5}, None]
    assert '"values":{"A":1234,"B":2.5}' in sent  # Go's map order and number form
