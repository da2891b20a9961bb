"""Apprise: a URL names the service; apprise sends, inside Herald's outbound policy."""
from __future__ import annotations

import json

import pytest

from app.delivery.notify import notify
from app.integrations import REGISTRY
from app.integrations.base import validate
from tests.senders.conftest import request_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def apprise_url(server, scheme: str = "json", path: str = "/hook", host="127.0.0.1") -> str:
    return f"{scheme}://{host}:{server.port}{path}"


def test_json_service_gets_title_message_and_failure_type(httpserver, deliver, firing):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")

    result = deliver("apprise", {"url": apprise_url(httpserver), **TEXTS}, firing)

    assert (result.outcome, result.error) == ("success", "")
    request = request_of(httpserver)
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.get_data())
    assert (body["title"], body["message"], body["type"]) == (
        "Disk full", "Check the disk", "failure")


def test_resolved_group_is_sent_as_success(httpserver, deliver, resolved):
    httpserver.expect_request("/hook").respond_with_data("ok")

    deliver("apprise", {"url": apprise_url(httpserver), **TEXTS}, resolved)

    assert json.loads(request_of(httpserver).get_data())["type"] == "success"


def test_ntfy_url_publishes_through_apprises_ntfy_plugin(httpserver, deliver, firing):
    httpserver.expect_request("/", method="POST").respond_with_json({"id": "x"})

    result = deliver("apprise", {"url": apprise_url(httpserver, "ntfy", "/herald-ops"),
                                 **TEXTS}, firing)

    assert result.outcome == "success"
    body = json.loads(request_of(httpserver).get_data())
    assert body == {"topic": "herald-ops", "title": "Disk full", "message": "Check the disk"}


def test_default_templates_are_rendered(httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_data("ok")

    deliver("apprise", {"url": apprise_url(httpserver)}, firing)

    body = json.loads(request_of(httpserver).get_data())
    assert "DiskFull" in body["title"] and "Disk is full" in body["message"]


def test_failing_send_shows_apprises_reason_without_secrets(httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_data("nope", status=404)
    url = f"json://herald:SECRET-password@127.0.0.1:{httpserver.port}/hook"

    result = deliver("apprise", {"url": url, **TEXTS}, firing)

    assert result.outcome == "failure"
    assert result.error.startswith("Apprise: Failed to send JSON POST notification")
    assert "error=404" in result.error and "SECRET" not in result.error
    assert result.status_code == 404


def test_unreachable_service_reason_is_shown(httpserver, deliver, firing):
    port = httpserver.port
    httpserver.stop()

    result = deliver("apprise", {"url": f"json://127.0.0.1:{port}/hook", **TEXTS}, firing)

    assert result.outcome == "failure"
    assert result.error == ("Apprise: A Connection error occurred sending JSON notification "
                            "to 127.0.0.1.")
    httpserver.start()


def test_denied_address_is_refused_on_the_address_dialled(app, httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_data("ok")
    app.config["HERALD_OUTBOUND_DENY"] = ("127.0.0.0/8",)

    # "localhost" is not denied by name: the check happens on the address it resolves to.
    result = deliver("apprise", {"url": apprise_url(httpserver, host="localhost"), **TEXTS},
                     firing)

    assert (result.outcome, result.error) == (
        "failure", "destination not allowed by policy: 127.0.0.1")
    assert httpserver.log == []


def test_denied_name_is_refused_before_it_is_looked_up(app, httpserver, deliver, firing):
    app.config["HERALD_OUTBOUND_DENY"] = ("*.internal.example",)

    result = deliver("apprise", {"url": "json://hooks.internal.example/x", **TEXTS}, firing)

    assert result.error == "destination not allowed by policy: hooks.internal.example"


MAIL_URL = "mailto://127.0.0.1:2525?from=herald@example.test&to=ops@example.test"


def test_scheme_that_is_not_http_is_refused_at_save_unless_allowed(app):
    errors = validate(REGISTRY["apprise"], {"url": MAIL_URL})
    assert errors["url"].startswith("mailto:// is not allowed: Herald cannot check where")
    assert "HERALD_APPRISE_SCHEMES" in errors["url"]

    app.config["HERALD_APPRISE_SCHEMES"] = ("mailto",)
    assert validate(REGISTRY["apprise"], {"url": MAIL_URL}) == {}


def test_scheme_allowed_when_saved_but_no_longer_is_refused_at_send(app, make_contact_point,
                                                                    firing):
    app.config["HERALD_APPRISE_SCHEMES"] = ("mailto",)
    contact_point = make_contact_point("mail", [("apprise", {"url": MAIL_URL, **TEXTS})])
    app.config["HERALD_APPRISE_SCHEMES"] = ()

    (result,) = notify(contact_point, firing)

    assert result.outcome == "failure"
    assert result.error.startswith("mailto:// is not allowed: Herald cannot check where")


def test_allowed_mail_scheme_sends_through_a_real_smtp_server(app, smtp_server, deliver,
                                                              firing):
    app.config["HERALD_APPRISE_SCHEMES"] = ("mailto",)
    url = (f"mailto://{smtp_server.host}:{smtp_server.port}?from=herald@example.test"
           "&to=ops@example.test&mode=insecure")

    result = deliver("apprise", {"url": url, **TEXTS}, firing)

    assert result.outcome == "success", result.error
    (mail,) = smtp_server.received
    assert mail.rcpt_tos == ["ops@example.test"]
    assert mail.message["Subject"] == "Disk full"


def test_allowed_mail_scheme_still_obeys_the_policy(app, smtp_server, deliver, firing):
    app.config["HERALD_APPRISE_SCHEMES"] = ("mailto",)
    app.config["HERALD_OUTBOUND_DENY"] = ("127.0.0.0/8",)
    url = (f"mailto://{smtp_server.host}:{smtp_server.port}?from=herald@example.test"
           "&to=ops@example.test&mode=insecure")

    result = deliver("apprise", {"url": url, **TEXTS}, firing)

    assert result.error == "destination not allowed by policy: 127.0.0.1"
    assert smtp_server.received == []


@pytest.mark.parametrize("url", ["not a url", "nosuchservice://x", "https://"])
def test_url_apprise_does_not_understand_is_refused_at_save(url):
    errors = validate(REGISTRY["apprise"], {"url": url})
    assert errors["url"].startswith("Apprise does not understand this URL")


def apprise_test(client, url: str):
    data = {"name": "ops", "block": ["a1"], "a1.type": "apprise", "a1.s.url": url,
            "action": "test:a1"}
    return client.post("/contact-points/new", data=data, headers={"HX-Request": "true"})


def test_test_button_sends_through_apprise_and_says_so(client, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")

    fragment = apprise_test(client, apprise_url(httpserver)).get_data(as_text=True)

    assert "Test notification sent" in fragment
    body = json.loads(request_of(httpserver).get_data())
    assert "TestAlert" in body["title"]


def test_test_button_shows_apprises_reason(client, httpserver):
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)

    fragment = apprise_test(client, apprise_url(httpserver)).get_data(as_text=True)

    assert "Test failed: Apprise: Failed to send JSON POST notification" in fragment
