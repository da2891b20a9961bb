"""Grafana IRM / OnCall: Grafana's test cases, the webhook body plus orgId."""
from __future__ import annotations

import base64
import json

from app.alerts import group_to_dict
from app.transport.http import go_json
from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_groups import TWO, grafana_group

URL_PATH = "/integrations/v1/grafana_alerting/abc/"


def test_body_is_the_webhook_body_with_org_id(httpserver, deliver):
    httpserver.expect_request(URL_PATH, method="POST").respond_with_data("ok")
    group = grafana_group()

    result = deliver("oncall", {"url": httpserver.url_for(URL_PATH), "title": "t",
                                "message": "m"}, group)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert request_of(httpserver).headers["Content-Type"] == "application/json"
    assert body_of(httpserver) == {**group_to_dict(group), "version": "1", "orgId": 1,
                                   "title": "t", "state": "alerting", "message": "m"}


def test_body_is_written_as_go_writes_it(httpserver, deliver):
    httpserver.expect_request(URL_PATH).respond_with_data("ok")

    deliver("oncall", {"url": httpserver.url_for(URL_PATH), "title": "<b> & co",
                       "message": "m"}, grafana_group())

    raw = request_of(httpserver).get_data()
    assert raw == go_json(json.loads(raw))  # compact, with <, > and & escaped
    assert b'"title":"\\u003cb\\u003e \\u0026 co"' in raw


def test_max_alerts_truncates_and_counts(httpserver, deliver):
    httpserver.expect_request(URL_PATH).respond_with_data("ok")

    deliver("oncall", {"url": httpserver.url_for(URL_PATH), "maxAlerts": "1"},
            grafana_group(TWO))

    body = body_of(httpserver)
    assert (len(body["alerts"]), body["truncatedAlerts"]) == (1, 1)


def test_put_with_basic_auth(httpserver, deliver):
    httpserver.expect_request(URL_PATH, method="PUT").respond_with_data("ok")

    deliver("oncall", {"url": httpserver.url_for(URL_PATH), "httpMethod": "PUT",
                       "username": "user1", "password": "mysecret"},
            grafana_group(status="resolved"))

    request = request_of(httpserver)
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(
        b"user1:mysecret").decode()
    assert body_of(httpserver)["state"] == "ok"


def test_authorization_header_defaults_to_bearer(httpserver, deliver):
    httpserver.expect_request(URL_PATH).respond_with_data("ok")

    deliver("oncall", {"url": httpserver.url_for(URL_PATH),
                       "authorization_credentials": "mysecret"}, grafana_group())

    assert request_of(httpserver).headers["Authorization"] == "Bearer mysecret"
