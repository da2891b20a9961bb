"""Microsoft Teams: an Adaptive Card; legacy connectors fail with a 200 and a text."""
from __future__ import annotations

from tests.senders.conftest import body_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def card(color: str, *extra_blocks: dict) -> dict:
    return {
        "type": "message",
        "summary": "Disk full",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msTeams": {"width": "Full"},
                "body": [
                    {"type": "TextBlock", "text": "Disk full", "wrap": True, "color": color,
                     "size": "large", "weight": "bolder"},
                    *extra_blocks,
                    {"type": "TextBlock", "text": "Check the disk", "wrap": True},
                    {"type": "ActionSet", "actions": [
                        {"type": "Action.OpenUrl", "title": "View URL",
                         "url": "http://herald.test/alerting/list"}]},
                ],
            },
        }],
    }


def test_firing_card_has_attention_title_message_and_link(httpserver, deliver, firing):
    httpserver.expect_request("/workflows/1", method="POST").respond_with_data("", status=202)

    result = deliver("teams", {"url": httpserver.url_for("/workflows/1"), **TEXTS}, firing)

    assert (result.outcome, result.status_code) == ("success", 202)
    assert body_of(httpserver) == card("attention")


def test_resolved_card_is_good_and_leaves_out_the_section_title_like_grafana(
        httpserver, deliver, resolved):
    httpserver.expect_request("/workflows/1").respond_with_data("", status=202)

    deliver("teams", {"url": httpserver.url_for("/workflows/1"), "sectiontitle": "Storage",
                      **TEXTS}, resolved)

    assert body_of(httpserver) == card("good")


def test_workflow_errors_are_failures(httpserver, deliver, firing):
    httpserver.expect_request("/workflows/1").respond_with_json(
        {"error": {"code": "TriggerInputSchemaMismatch", "message": "The input body for "
                   "trigger 'manual' of type 'Request' did not match its schema."}},
        status=400)

    result = deliver("teams", {"url": httpserver.url_for("/workflows/1")}, firing)

    assert result.outcome == "failure"
    assert result.error.startswith("HTTP 400: The input body for trigger 'manual'")
