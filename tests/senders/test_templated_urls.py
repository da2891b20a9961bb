"""URL settings Grafana renders as templates (tmpl(settings.URL)): rendered, then checked."""
from __future__ import annotations

import pytest

from app.contact_points import IntegrationInput, save_contact_point
from tests.senders.conftest import request_of
from tests.senders.grafana_groups import TWO, grafana_group

# Grafana's "Default config, template variables in URL" (webhook_test.go), in Herald's syntax.
COUNTED = "/test?numAlerts={{ Alerts|length }}&status={{ Status }}"


def test_webhook_url_is_rendered_for_the_group_as_grafanas_test_expects(httpserver, deliver):
    httpserver.expect_request("/test").respond_with_data("ok")

    result = deliver("webhook", {"url": httpserver.url_for(COUNTED)}, grafana_group(TWO))

    assert result.ok, result.error
    assert request_of(httpserver).query_string == b"numAlerts=2&status=firing"


def test_max_alerts_cuts_the_alerts_before_the_url_is_rendered(httpserver, deliver):
    httpserver.expect_request("/test").respond_with_data("ok")

    deliver("webhook", {"url": httpserver.url_for(COUNTED), "maxAlerts": "1"},
            grafana_group(TWO))

    assert request_of(httpserver).query_string == b"numAlerts=1&status=firing"


@pytest.mark.parametrize(("type_id", "key", "extra"), [
    ("oncall", "url", {}),
    ("googlechat", "url", {}),
    ("teams", "url", {}),
    ("dingding", "url", {}),
    ("webex", "api_url", {"room_id": "room-1", "bot_token": "bot-token-1"}),
])
def test_every_url_grafana_templates_is_rendered(httpserver, deliver, type_id, key, extra):
    httpserver.expect_request("/team-db").respond_with_data("1")
    url = httpserver.url_for("/team-{{ CommonLabels.team }}")
    group = grafana_group([({"alertname": "a", "team": "db"}, {})])

    result = deliver(type_id, {key: url, **extra}, group)

    assert result.ok, result.error
    assert request_of(httpserver).path == "/team-db"


@pytest.mark.parametrize(("url", "error"), [
    ('{{ "" }}', "URL is empty once its template is rendered."),
    ('{{ "ftp://files.example/" + Status }}', "URL is not a valid http:// or https:// URL "
     "once its template is rendered: ftp://files.example/firing"),
    ("http://127.0.0.1/{{ CommonLabels.nothing }}", "URL: template failed: "),
])
def test_a_url_that_renders_badly_is_a_clear_failure(httpserver, deliver, url, error):
    result = deliver("webhook", {"url": url}, grafana_group(TWO))

    assert (result.outcome, result.permanent) == ("failure", True)
    assert result.error.startswith(error), result.error
    assert httpserver.log == []


def test_a_rendered_url_is_refused_by_the_outbound_policy(app, httpserver, deliver):
    app.config["HERALD_OUTBOUND_DENY"] = ("127.0.0.0/8",)

    result = deliver("webhook", {"url": "http://127.0.0.1:{{ 80 + 1 }}/hook"},
                     grafana_group(TWO))

    assert result.outcome == "failure"
    assert result.error == "destination not allowed by policy: 127.0.0.1"


def test_a_secret_url_rendered_value_stays_out_of_history(httpserver, deliver):
    httpserver.expect_request("/v1/spaces/AAAA/messages").respond_with_data("no", 500)
    token = "Xq7renderedTOKEN9Zk2Lm4Np6Rs8"
    url = httpserver.url_for("/v1/spaces/AAAA/messages?token={{ CommonLabels.token }}")
    group = grafana_group([({"alertname": "a", "token": token}, {})])

    result = deliver("googlechat", {"url": url}, group)

    assert result.outcome == "failure"
    assert request_of(httpserver).args["token"] == token
    assert token not in str(result.request) + result.error


@pytest.mark.parametrize("url", [
    "https://hooks.example.com/{{ CommonLabels.team }}",
    "{{ CommonLabels.webhook_url }}",
    "http{{ 's' if Status == 'firing' }}://hooks.example.com/a",
    "https://hooks.example.com:8443/a?x={{ Status }}",
])
def test_saving_accepts_a_url_holding_a_template(app, url):
    result = save_contact_point(None, "ops", [IntegrationInput("webhook", {"url": url})])

    assert result.contact_point is not None, result.errors


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://files.example/{{ Status }}", "must be a valid http:// or https:// URL"),
    ("see {{ CommonLabels.url }}", "must be a valid http:// or https:// URL"),
    ("http:///{{ Status }}", "must be a valid http:// or https:// URL"),
    ("https://hooks.example.com:99999/{{ Status }}", "must be a valid http:// or https:// URL"),
    ("https://hooks.example.com/{{ Status| }}", "URL: line 1:"),
    ("not a url", "must be a valid http:// or https:// URL"),
])
def test_saving_still_refuses_bad_urls(app, url, message):
    result = save_contact_point(None, "ops", [IntegrationInput("webhook", {"url": url})])

    assert message in str(result.errors), result.errors
    assert result.contact_point is None
