"""A contract every registered integration type keeps: form, validation, storage, secrets."""
from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.integrations import REGISTRY
from app.models import ContactPoint, Integration

# The smallest valid settings of each type; secrets get values that must never leak.
MINIMAL = {
    "email": {"addresses": "oncall@example.com"},
    "slack": {"url": "https://hooks.slack.example/services/SECRET-slack-url"},
    "teams": {"url": "https://teams.example/webhook/1"},
    "discord": {"url": "https://discord.example/api/webhooks/SECRET-discord-url"},
    "pagerduty": {"integrationKey": "SECRET-pagerduty-key"},
    "webhook": {"url": "https://hooks.example/alerts", "password": "SECRET-webhook-password",
                "username": "herald"},
    "telegram": {"bottoken": "SECRET-telegram-token", "chatid": "-100123"},
    "opsgenie": {"apiKey": "SECRET-opsgenie-key", "apiUrl": "https://api.opsgenie.example/v2"},
    "googlechat": {"url": "https://chat.example/v1/spaces/SECRET-googlechat-url"},
    "mattermost": {"url": "https://mattermost.example/hooks/SECRET-mattermost-url"},
    "rocketchat": {"url": "https://rocket.example/hooks/SECRET-rocketchat-url"},
    "zulip": {"site": "https://zulip.example", "email": "bot@zulip.example",
              "api_key": "SECRET-zulip-key", "stream": "alerts"},
    "matrix": {"homeserver": "https://matrix.example", "room_id": "!room:matrix.example",
               "access_token": "SECRET-matrix-token"},
    "ntfy": {"topic": "herald-alerts", "token": "SECRET-ntfy-token"},
    "gotify": {"url": "https://gotify.example", "token": "SECRET-gotify-token"},
    "twilio": {"account_sid": "AC" + "0" * 32, "auth_token": "SECRET-twilio-token",
               "from": "+14155550100", "to": "+14155550123"},
    "apprise": {"url": "json://apprise.example/SECRET-apprise-token"},
    "prometheus-alertmanager": {"url": "https://am.example:9093",
                                "basicAuthPassword": "SECRET-alertmanager-password"},
    "pushover": {"apiToken": "SECRET-pushover-token", "userKey": "SECRET-pushover-user"},
    "victorops": {"url": "https://alert.victorops.example/integrations/SECRET-victorops"},
    "webex": {"room_id": "room-1", "bot_token": "SECRET-webex-token"},
    "sensugo": {"url": "https://sensu.example:8080", "apikey": "SECRET-sensugo-key"},
    "kafka": {"kafkaRestProxy": "https://kafka.example:8082", "kafkaTopic": "alerts",
              "password": "SECRET-kafka-password", "username": "herald"},
    "threema": {"gateway_id": "*HERALD1", "recipient_id": "ECHOECHO",
                "api_secret": "SECRET-threema-secret"},
    "wecom": {"url": "https://qyapi.example/cgi-bin/webhook/send?key=SECRET-wecom-url"},
    "dingding": {"url": "https://oapi.example/robot/send?access_token=SECRET-dingding-url"},
    "oncall": {"url": "https://oncall.example/integrations/v1/grafana_alerting/abc/",
               "authorization_credentials": "SECRET-oncall-credentials"},
    "sns": {"topic_arn": "arn:aws:sns:us-east-1:123456789012:alerts", "sigv4.region": "us-east-1",
            "sigv4.access_key": "SECRET-sns-access", "sigv4.secret_key": "SECRET-sns-secret"},
    "jira": {"api_url": "https://jira.example/rest/api/3", "project": "OPS", "issue_type": "Task",
             "api_token": "SECRET-jira-token"},
    "mqtt": {"brokerUrl": "tcp://broker.example:1883", "topic": "alerts",
             "password": "SECRET-mqtt-password", "username": "herald"},
}
TYPES = sorted(REGISTRY)


def test_every_registered_type_has_a_minimal_config():
    assert sorted(MINIMAL) == TYPES


def post_block(client, name: str, type_id: str, settings: dict, url="/contact-points/new",
               headers=None, **extra):
    data = {"name": name, "block": ["t1"], "t1.type": type_id, **extra}
    data.update({f"t1.s.{key}": value for key, value in settings.items()})
    return client.post(url, data=data, headers=headers or {})


@pytest.mark.parametrize("type_id", TYPES)
def test_form_renders_every_field_of_the_type(client, type_id):
    integration_type = REGISTRY[type_id]
    response = post_block(client, "x", type_id, {}, action="retype:t1",
                          headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<fieldset class="integration-block"')
    assert f'<option value="{type_id}" selected>' in fragment
    assert f"Optional {integration_type.label} settings" in fragment or not (
        integration_type.optional_fields
    )
    for spec in integration_type.fields:
        assert str(escape(spec.label)) in fragment, spec.key


@pytest.mark.parametrize("type_id", TYPES)
def test_minimal_config_saves(client, type_id):
    response = post_block(client, f"cp-{type_id}", type_id, MINIMAL[type_id])
    assert response.status_code == 302, response.get_data(as_text=True)
    integration = db.session.scalar(select(Integration))
    assert integration.type == type_id
    secret_keys = set(REGISTRY[type_id].secret_keys)
    assert not secret_keys & set(integration.settings)
    for key, value in MINIMAL[type_id].items():
        if key in secret_keys:
            assert integration.secrets[key] == value
            assert value not in str(integration.secure_settings)


@pytest.mark.parametrize(
    ("type_id", "key"),
    [(t, f.key) for t in TYPES for f in REGISTRY[t].fields if f.required],
)
def test_each_missing_required_field_is_refused(client, type_id, key):
    settings = {**MINIMAL[type_id], key: ""}
    response = post_block(client, "cp", type_id, settings)
    assert response.status_code == 422
    label = REGISTRY[type_id].by_key[key].label
    assert f"{label} is required." in response.get_data(as_text=True)
    assert db.session.scalar(select(ContactPoint)) is None


@pytest.mark.parametrize("type_id", TYPES)
def test_secrets_never_appear_in_any_response(client, type_id):
    post_block(client, "cp", type_id, MINIMAL[type_id])
    contact_point = db.session.scalar(select(ContactPoint))
    secrets = [v for k, v in MINIMAL[type_id].items() if k in REGISTRY[type_id].secret_keys]
    pages = [
        client.get("/contact-points"),
        client.get(f"/contact-points?search={type_id}"),
        client.get(f"/contact-points/{contact_point.uid}/edit"),
        client.get(f"/contact-points/{contact_point.uid}/delete"),
    ]
    for response in pages:
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        for secret in secrets:
            assert secret not in body
    if secrets:
        assert 'value="configured" disabled' in pages[2].get_data(as_text=True)
