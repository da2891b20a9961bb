"""DingDing: Grafana's test cases against a loopback robot webhook."""
from __future__ import annotations

from tests.senders.conftest import body_of
from tests.senders.grafana_groups import TWO, default_message, default_title, grafana_group

LINK = ("dingtalk://dingtalkclient/page/link?pc_slide=false&url="
        "http%3A%2F%2Flocalhost%2Falerting%2Flist")
OK = {"errcode": 0, "errmsg": "ok"}


def test_link_message_by_default(httpserver, deliver):
    httpserver.expect_request("/robot/send", method="POST").respond_with_json(OK)
    group = grafana_group()

    result = deliver("dingding", {"url": httpserver.url_for("/robot/send")}, group)

    assert (result.outcome, result.status_code) == ("success", 200)
    assert body_of(httpserver) == {"msgtype": "link", "link": {
        "messageUrl": LINK, "text": default_message(group), "title": default_title(group)}}


def test_action_card_with_custom_message(httpserver, deliver):
    # Grafana's "Custom config with multiple alerts" case.
    httpserver.expect_request("/robot/send").respond_with_json(OK)
    group = grafana_group(TWO)

    deliver("dingding", {"url": httpserver.url_for("/robot/send"), "msgType": "actionCard",
                         "message": "{{ Alerts.Firing | length }} alerts are firing, "
                         "{{ Alerts.Resolved | length }} are resolved"}, group)

    assert body_of(httpserver) == {"msgtype": "actionCard", "actionCard": {
        "singleTitle": "More", "singleURL": LINK,
        "text": "2 alerts are firing, 0 are resolved", "title": default_title(group)}}


def test_custom_title_and_message(httpserver, deliver):
    httpserver.expect_request("/robot/send").respond_with_json(OK)

    deliver("dingding", {"url": httpserver.url_for("/robot/send"),
                         "title": "Alerts firing: {{ Alerts.Firing | length }}",
                         "message": "customMessage"}, grafana_group())

    assert body_of(httpserver)["link"] == {"messageUrl": LINK, "text": "customMessage",
                                           "title": "Alerts firing: 1"}


def test_refusal_in_a_200_answer_is_a_failure(httpserver, deliver):
    httpserver.expect_request("/robot/send").respond_with_json(
        {"errcode": 310000, "errmsg": "keywords not in content"})

    result = deliver("dingding", {"url": httpserver.url_for("/robot/send")}, grafana_group())

    assert result.error == "DingTalk error 310000: keywords not in content"
