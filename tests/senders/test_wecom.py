"""WeCom: Grafana's test cases, a group robot's webhook and an app's token + message API."""
from __future__ import annotations

import json

from werkzeug import Response

from tests.senders.conftest import body_of
from tests.senders.grafana_groups import TWO, default_message, default_title, grafana_group

OK = {"errcode": 0, "errmsg": "ok"}
COUNT = "{{ Alerts.Firing | length }} alerts are firing, {{ Alerts.Resolved | length }} " \
        "are resolved"


def test_group_robot_gets_markdown_by_default(httpserver, deliver):
    httpserver.expect_request("/cgi-bin/webhook/send", method="POST",
                              query_string="key=k1").respond_with_json(OK)
    group = grafana_group()

    result = deliver("wecom", {"url": httpserver.url_for("/cgi-bin/webhook/send?key=k1")},
                     group)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert body_of(httpserver) == {"msgtype": "markdown", "markdown": {
        "content": f"# {default_title(group)}\n{default_message(group)}\n"}}


def test_custom_title_and_message_as_text(httpserver, deliver):
    # Grafana's "Custom config with multiple alerts" and "Use text are message type".
    httpserver.expect_request("/hook").respond_with_json(OK)

    deliver("wecom", {"url": httpserver.url_for("/hook"), "msgtype": "text",
                      "title": "This notification is firing!", "message": COUNT},
            grafana_group(TWO))

    assert body_of(httpserver) == {"msgtype": "text", "text": {
        "content": "This notification is firing!\n2 alerts are firing, 0 are resolved"}}


def test_app_mode_fetches_a_token_once_and_sends_to_the_message_api(httpserver, deliver):
    httpserver.expect_request("/cgi-bin/gettoken", method="POST", query_string={
        "corpid": "corp-1", "corpsecret": "app-secret"}).respond_with_json(
        {"errcode": 0, "errmsg": "ok", "access_token": "tok-1", "expires_in": 7200})
    httpserver.expect_request("/cgi-bin/message/send", method="POST",
                              query_string="access_token=tok-1").respond_with_json(OK)
    values = {"secret": "app-secret", "corp_id": "corp-1", "agent_id": "1000002",
              "endpointUrl": httpserver.url_for("/"), "title": "t", "message": "m"}

    first = deliver("wecom", values, grafana_group())
    second = deliver("wecom", {**values, "touser": "zhangsan"}, grafana_group())

    assert first.ok and second.ok, (first.error, second.error)
    paths = [request.path for request, _ in httpserver.log]
    assert paths == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/message/send"]
    bodies = [json.loads(request.get_data()) for request, _ in httpserver.log[1:]]
    assert bodies[0] == {"msgtype": "markdown", "markdown": {"content": "# t\nm\n"},
                         "agentid": "1000002", "touser": "@all"}
    assert bodies[1]["touser"] == "zhangsan"


def test_refused_token_is_reported(httpserver, deliver):
    httpserver.expect_request("/cgi-bin/gettoken").respond_with_json(
        {"errcode": 40001, "errmsg": "invalid credential"})

    result = deliver("wecom", {"secret": "wrong", "corp_id": "corp-2", "agent_id": "1",
                               "endpointUrl": httpserver.url_for("/")}, grafana_group())

    assert result.error == "WeCom error 40001: invalid credential"


def test_errcode_in_a_200_answer_is_a_failure(httpserver, deliver):
    httpserver.expect_request("/hook").respond_with_response(Response(
        json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}),
        content_type="application/json"))

    result = deliver("wecom", {"url": httpserver.url_for("/hook")}, grafana_group())

    assert result.error == "WeCom error 93000: invalid webhook url"


def test_app_mode_needs_corp_and_agent(client):
    response = client.post("/contact-points/new", data={
        "name": "w", "block": ["t1"], "t1.type": "wecom", "t1.s.secret": "s"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Corp ID is required when using an app&#39;s Secret." in page
    assert "Agent ID is required when using an app&#39;s Secret." in page


def test_neither_url_nor_secret_is_refused(client):
    response = client.post("/contact-points/new", data={
        "name": "w", "block": ["t1"], "t1.type": "wecom"})

    assert response.status_code == 422
    assert "Enter a Webhook URL (group robot) or a Secret (app)." in response.get_data(
        as_text=True)


def test_a_stale_token_is_dropped_and_the_retry_fetches_a_new_one(app, httpserver, deliver):
    tokens = iter(["old", "new"])
    httpserver.expect_request("/cgi-bin/gettoken").respond_with_handler(
        lambda _request: Response(json.dumps({"errcode": 0, "access_token": next(tokens),
                                              "expires_in": 7200}),
                                  content_type="application/json"))
    httpserver.expect_request("/cgi-bin/message/send", query_string="access_token=old"
                              ).respond_with_json({"errcode": 42001,
                                                   "errmsg": "access_token expired"})
    httpserver.expect_request("/cgi-bin/message/send", query_string="access_token=new"
                              ).respond_with_json(OK)
    values = {"secret": "s-stale", "corp_id": "corp-3", "agent_id": "1",
              "endpointUrl": httpserver.url_for("/")}

    stale = deliver("wecom", values, grafana_group())
    result = deliver("wecom", values, grafana_group())  # the outbox's retry

    assert not stale.ok and not stale.permanent, stale.error
    assert result.ok, result.error
    assert [request.query_string.decode() for request, _ in httpserver.log] == [
        "corpid=corp-3&corpsecret=s-stale", "access_token=old",
        "corpid=corp-3&corpsecret=s-stale", "access_token=new"]
