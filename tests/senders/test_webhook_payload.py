"""Webhook custom payload (payload.template, payload.vars): the body a template renders."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.integrations import REGISTRY
from app.models import Integration
from tests.senders.conftest import request_of
from tests.senders.grafana_cases.webhook import CASES as DEFAULT_BODY_CASES
from tests.senders.grafana_cases.webhook_payload import CASES, DEFAULT_PAYLOAD
from tests.test_export_import import import_document
from tests.test_registry_contract import post_block


@pytest.mark.parametrize(("settings", "group", "expected"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_custom_payload_is_what_grafanas_tests_expect(httpserver, deliver, settings, group,
                                                     expected):
    httpserver.expect_request("/test").respond_with_data("ok")

    result = deliver("webhook", {"url": httpserver.url_for("/test"), **settings}, group)

    assert result.ok, result.error
    sent = request_of(httpserver).get_data().decode()
    assert (json.loads(sent) if expected != "" else sent) == expected


# Grafana runs each default-body case again with the default payload template: same body.
TEMPLATED = [case for case in DEFAULT_BODY_CASES if case[3] is not None
             and not {"title", "message"} & set(case[1])]


@pytest.mark.parametrize(("settings", "group", "expected"), [case[1:4] for case in TEMPLATED],
                         ids=[case[0] for case in TEMPLATED])
def test_the_default_payload_template_renders_the_default_body(httpserver, deliver, settings,
                                                              group, expected):
    httpserver.expect_request("/test").respond_with_data("ok")
    settings = {**settings, "url": httpserver.url_for("/test"), "payload.template": DEFAULT_PAYLOAD}

    assert deliver("webhook", settings, group).ok

    assert json.loads(request_of(httpserver).get_data()) == expected


def test_custom_payload_replaces_title_and_message_and_is_signed(httpserver, deliver, firing):
    httpserver.expect_request("/hook", method="PUT").respond_with_data("ok")
    settings = {"url": httpserver.url_for("/hook"), "httpMethod": "PUT", "title": "unused",
                "payload.template": "{{ Vars.prefix }} {{ Status }}: {{ Alerts|length }}",
                "payload.vars": {"prefix": "disk"}, "hmacConfig.secret": "s",
                "headers": {"Content-Type": "text/plain"}}

    deliver("webhook", settings, firing)

    request = request_of(httpserver)
    assert request.get_data() == b"disk firing: 1"
    assert request.headers["Content-Type"] == "text/plain"
    expected = hmac.new(b"s", b"disk firing: 1", hashlib.sha256).hexdigest()
    assert request.headers["X-Grafana-Alerting-Signature"] == expected


def test_a_failing_payload_template_fails_the_send_without_a_request(httpserver, deliver,
                                                                    firing):
    settings = {"url": httpserver.url_for("/hook"),
                "payload.template": "{{ Vars.missing.deeper }}"}

    result = deliver("webhook", settings, firing)

    assert (result.outcome, result.permanent) == ("failure", True)
    assert result.error.startswith("Payload Template: template failed:"), result.error
    assert httpserver.log == []


def test_payload_fields_are_in_the_webhooks_optional_settings():
    webhook = REGISTRY["webhook"]
    labels = {spec.key: spec.label for spec in webhook.optional_fields}
    assert labels["payload.template"] == "Custom Payload - Payload Template"
    assert labels["payload.vars"] == "Custom Payload - Payload Variables"


def test_the_form_shows_the_payload_fields_among_the_optional_settings(client):
    response = post_block(client, "x", "webhook", {}, action="retype:t1",
                          headers={"HX-Request": "true"})

    optional = response.get_data(as_text=True).split("Optional Webhook settings", 1)[1]
    assert "Custom Payload - Payload Template" in optional
    assert "Custom Payload - Payload Variables" in optional


DOCUMENT = """\
apiVersion: 1
contactPoints:
  - orgId: 1
    name: custom
    receivers:
      - uid: custom_hook
        type: webhook
        settings:
          url: https://hooks.example.com/{{ .CommonLabels.team }}
          payload:
            template: '{{ .Vars.env }}: {{ len .Alerts.Firing }} firing'
            vars:
              env: prod
"""


def test_payload_settings_import_and_export_under_grafanas_keys(client, client_as):
    assert import_document(client, DOCUMENT).status_code == 302
    stored = db.session.scalars(select(Integration)).one().settings
    assert stored["payload"]["template"] == "{{ Vars.env }}: {{ Alerts.Firing|length }} firing"
    assert stored["url"] == "https://hooks.example.com/{{ CommonLabels.team }}"

    response = client_as("viewer").get("/api/v1/provisioning/contact-points/export?format=json")

    receiver = response.get_json()["contactPoints"][0]["receivers"][0]
    assert receiver["settings"] == {
        "httpMethod": "POST",
        "url": "https://hooks.example.com/{{ .CommonLabels.team }}",
        "payload": {"template": "{{ .Vars.env }}: {{ len .Alerts.Firing }} firing",
                    "vars": {"env": "prod"}},
    }


def test_grafanas_default_payload_template_is_translated_on_import(client):
    document = DOCUMENT.replace("'{{ .Vars.env }}: {{ len .Alerts.Firing }} firing'",
                                """'{{ template "webhook.default.payload" . }}'""")

    assert import_document(client, document).status_code == 302

    stored = db.session.scalars(select(Integration)).one()
    assert stored.settings["payload"]["template"] == DEFAULT_PAYLOAD
    assert stored.review_note in (None, "")
