"""Alertmanager: Grafana's test cases, posted to /api/v2/alerts of every configured URL."""
from __future__ import annotations

import base64
import json

from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_groups import grafana_group


def test_alerts_are_posted_with_basic_auth_as_grafana_does(httpserver, deliver):
    # Grafana's "Default config with one alert" case.
    httpserver.expect_request("/api/v2/alerts", method="POST").respond_with_data("")
    group = grafana_group([({"__alert_rule_uid__": "rule uid", "alertname": "alert1",
                             "lbl1": "val1"}, {"ann1": "annv1"})])

    result = deliver("prometheus-alertmanager", {
        "url": httpserver.url_for("/"), "basicAuthUser": "admin",
        "basicAuthPassword": "password"}, group)

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(httpserver)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(
        b"admin:password").decode()
    assert body_of(httpserver) == [{
        "labels": {"__alert_rule_uid__": "rule uid", "alertname": "alert1", "lbl1": "val1"},
        "annotations": {"ann1": "annv1"},
        "startsAt": "2026-01-02T03:04:05Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "",
    }]


def test_resolved_alerts_carry_their_end_time(httpserver, deliver):
    httpserver.expect_request("/am/api/v2/alerts").respond_with_data("")

    deliver("prometheus-alertmanager", {"url": httpserver.url_for("/am/")},
            grafana_group(status="resolved"))

    (alert,) = body_of(httpserver)
    assert alert["endsAt"] == "2026-01-02T04:00:00Z"
    assert "Authorization" not in request_of(httpserver).headers


def test_every_url_gets_the_alerts_and_one_failure_is_a_warning(httpserver, deliver):
    httpserver.expect_request("/one/api/v2/alerts").respond_with_data("", status=500)
    httpserver.expect_request("/two/api/v2/alerts").respond_with_data("")
    urls = f"{httpserver.url_for('/one')}, {httpserver.url_for('/two')}"

    result = deliver("prometheus-alertmanager", {"url": urls}, grafana_group())

    assert result.outcome == "success"
    assert "One Alertmanager failed: HTTP 500" in result.warning
    bodies = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert len(bodies) == 2 and bodies[0] == bodies[1]


def test_all_urls_failing_is_a_failure(httpserver, deliver):
    httpserver.expect_request("/api/v2/alerts").respond_with_data("nope", status=400)

    result = deliver("prometheus-alertmanager", {"url": httpserver.url_for("/")},
                     grafana_group())

    assert result.error == "failed to send alert to Alertmanager: HTTP 400: nope"


def test_a_bad_url_in_the_list_is_refused(client):
    response = client.post("/contact-points/new", data={
        "name": "am", "block": ["t1"], "t1.type": "prometheus-alertmanager",
        "t1.s.url": "http://am-1:9093, ftp://nope"})

    assert response.status_code == 422
    assert "Not a valid http:// or https:// URL: ftp://nope" in response.get_data(as_text=True)
