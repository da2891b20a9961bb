"""Opsgenie settings Grafana renders as templates: the responder type and the API URL."""
from __future__ import annotations

from app.contact_points import IntegrationInput, save_contact_point
from tests.senders.conftest import body_of, request_of
from tests.test_registry_contract import post_block

TEMPLATED_TYPE = {"type": "{{ CommonLabels.kind }}", "name": "sre"}


def test_a_templated_responder_type_is_saved_and_rendered(httpserver, deliver, firing):
    httpserver.expect_request("/v2/alerts").respond_with_json({}, status=202)
    firing.common_labels["kind"] = "team"

    result = deliver("opsgenie", {"apiKey": "k", "apiUrl": httpserver.url_for("/v2/alerts"),
                                  "responders": [TEMPLATED_TYPE]}, firing)

    assert result.ok, result.error
    assert body_of(httpserver)["responders"] == [{"name": "sre", "type": "team"}]


def test_a_fixed_responder_type_must_still_be_a_listed_one(app):
    inputs = [IntegrationInput("opsgenie", {"apiKey": "k", "responders": [
        {"type": "squad", "name": "sre"}]})]

    result = save_contact_point(None, "pager", inputs)

    assert "Type: choose one of the listed options." in str(result.errors)


def test_the_form_keeps_a_templated_responder_type_selected(client):
    response = post_block(client, "pager", "opsgenie", {
        "apiKey": "k", "responders.type": TEMPLATED_TYPE["type"], "responders.name": "sre",
        "responders.id": "", "responders.username": ""},
        action="addrow:t1:responders", headers={"HX-Request": "true"})

    page = response.get_data(as_text=True)
    assert '<option value="{{ CommonLabels.kind }}" selected>' in page


def test_the_api_url_is_rendered_for_create_and_close(httpserver, deliver, firing, resolved):
    httpserver.expect_request("/eu/v2/alerts").respond_with_json({}, status=202)
    httpserver.expect_request(f"/eu/v2/alerts/{resolved.group_hash()}/close") \
        .respond_with_json({}, status=202)
    values = {"apiKey": "k", "autoClose": True,
              "apiUrl": httpserver.url_for("/{{ 'eu' }}/v2/alerts")}

    assert deliver("opsgenie", values, firing).ok
    assert request_of(httpserver).path == "/eu/v2/alerts"
    httpserver.clear_log()
    assert deliver("opsgenie", values, resolved).ok
    assert request_of(httpserver).path.endswith("/close")
