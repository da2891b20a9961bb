"""Webhook: Alertmanager's body plus title/state/message, auth, extra headers, HMAC."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time

from app.alerts import group_to_dict
from app.version import __version__
from tests.senders.conftest import body_of, make_group, request_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def test_firing_group_is_posted_as_alertmanager_json_with_title_state_message(
    httpserver, deliver, firing
):
    httpserver.expect_request("/alerts").respond_with_data("ok")

    result = deliver("webhook", {"url": httpserver.url_for("/alerts"), **TEXTS}, firing)

    assert (result.outcome, result.status_code, result.error) == ("success", 200, "")
    request = request_of(httpserver)
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == f"Herald/{__version__}"
    assert "Authorization" not in request.headers
    assert body_of(httpserver) == {
        **group_to_dict(firing), "version": "1", "orgId": 1, "title": "Disk full",
        "state": "alerting", "message": "Check the disk"}


def test_resolved_group_has_state_ok(httpserver, deliver, resolved):
    httpserver.expect_request("/alerts").respond_with_data("ok")

    deliver("webhook", {"url": httpserver.url_for("/alerts"), **TEXTS}, resolved)

    body = body_of(httpserver)
    assert (body["status"], body["state"]) == ("resolved", "ok")
    assert body["alerts"][0]["endsAt"] == "2026-01-02T04:00:00Z"


def test_put_with_basic_auth(httpserver, deliver, firing):
    httpserver.expect_request("/alerts", method="PUT").respond_with_data("ok")

    result = deliver("webhook", {"url": httpserver.url_for("/alerts"), "httpMethod": "PUT",
                                 "username": "herald", "password": "s3cret"}, firing)

    assert result.ok
    expected = base64.b64encode(b"herald:s3cret").decode()
    assert request_of(httpserver).headers["Authorization"] == f"Basic {expected}"


def test_authorization_header_uses_bearer_unless_a_scheme_is_given(httpserver, deliver, firing):
    httpserver.expect_request("/alerts").respond_with_data("ok")

    deliver("webhook", {"url": httpserver.url_for("/alerts"),
                        "authorization_credentials": "tok-1"}, firing)
    deliver("webhook", {"url": httpserver.url_for("/alerts"), "authorization_scheme": "Token",
                        "authorization_credentials": "tok-2"}, firing)

    sent = [request.headers["Authorization"] for request, _ in httpserver.log]
    assert sent == ["Bearer tok-1", "Token tok-2"]


def test_extra_headers_are_sent(httpserver, deliver, firing):
    httpserver.expect_request("/alerts", headers={"X-Team": "ops"}).respond_with_data("ok")

    result = deliver("webhook", {"url": httpserver.url_for("/alerts"),
                                 "headers": {"X-Team": "ops"}}, firing)

    assert result.ok, result.error


def test_hmac_signs_timestamp_and_body(httpserver, deliver, firing):
    httpserver.expect_request("/alerts").respond_with_data("ok")
    values = {"url": httpserver.url_for("/alerts"), "hmacConfig.secret": "k3y",
              "hmacConfig.timestampHeader": "X-Timestamp"}

    deliver("webhook", values, firing)

    request = request_of(httpserver)
    timestamp = request.headers["X-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(b"k3y", f"{timestamp}:".encode() + request.get_data(),
                        hashlib.sha256).hexdigest()
    assert request.headers["X-Grafana-Alerting-Signature"] == expected


def test_hmac_without_timestamp_signs_the_body_in_the_chosen_header(httpserver, deliver, firing):
    httpserver.expect_request("/alerts").respond_with_data("ok")

    deliver("webhook", {"url": httpserver.url_for("/alerts"), "hmacConfig.secret": "k3y",
                        "hmacConfig.header": "X-Sig"}, firing)

    request = request_of(httpserver)
    expected = hmac.new(b"k3y", request.get_data(), hashlib.sha256).hexdigest()
    assert request.headers["X-Sig"] == expected
    assert "X-Grafana-Alerting-Signature" not in request.headers


def test_max_alerts_truncates_and_counts_the_rest(httpserver, deliver):
    httpserver.expect_request("/alerts").respond_with_data("ok")

    deliver("webhook", {"url": httpserver.url_for("/alerts"), "maxAlerts": "2"},
            make_group("firing", count=3))

    body = body_of(httpserver)
    assert [a["labels"]["instance"] for a in body["alerts"]] == ["db-1", "db-2"]
    assert body["truncatedAlerts"] == 1
    # The title and message are rendered for the alerts that are sent, as in Grafana.
    assert body["title"] == "[FIRING:2] DiskFull (P2)"
    assert body["message"].count("Value:") == 2


def test_a_failing_title_template_falls_back_with_a_warning(httpserver, deliver, firing):
    httpserver.expect_request("/alerts").respond_with_data("ok")

    values = {"url": httpserver.url_for("/alerts"), "title": "{{ Alerts[5].Labels }}"}

    result = deliver("webhook", values, firing)

    assert result.outcome == "success"
    assert result.warning == ("Title: template failed, default used: line 1: there is no item "
                              "at index 5 (the list has 1)")
    assert body_of(httpserver)["title"].startswith("[FIRING:1] DiskFull")
