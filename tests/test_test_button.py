"""The Test button of a form block and the Test action of a list row, end to end."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug import Response

from app.extensions import db
from app.models import DeliveryAttempt, Integration
from app.views import time_ago
from tests.loopback import closed_port

HX = {"HX-Request": "true"}


def webhook_test(client, url: str, extra: dict | None = None, path="/contact-points/new"):
    data = {"name": "ops", "block": ["a1"], "a1.type": "webhook", "a1.s.url": url,
            "action": "test:a1", **(extra or {})}
    return client.post(path, data=data, headers=HX)


def test_open_panel_offers_predefined_and_custom(client):
    data = {"name": "ops", "block": ["a1"], "a1.type": "webhook", "action": "testpanel:a1"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div class="test-panel"')
    for text in ("Predefined", "Custom", "Summary", "Description", "Runbook URL",
                 "Label name", "Send test notification"):
        assert text in fragment


def test_block_test_delivers_the_unsaved_values(client, httpserver):
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    fragment = webhook_test(
        client,
        httpserver.url_for("/hook"),
        {"a1.test.mode": "custom", "a1.test.summary": "Disk full",
         "a1.test.label.k": ["team", ""], "a1.test.label.v": ["storage", ""]},
    ).get_data(as_text=True)
    assert "Test notification sent · HTTP 200 · took" in fragment
    request, _ = httpserver.log[0]
    body = json.loads(request.data)
    alert = body["alerts"][0]
    assert alert["labels"] == {"alertname": "TestAlert", "instance": "Herald", "team": "storage"}
    assert alert["annotations"]["summary"] == "Disk full"
    assert body["receiver"] == "ops"


def test_predefined_mode_ignores_custom_fields(client, httpserver):
    httpserver.expect_oneshot_request("/hook").respond_with_data("ok")
    webhook_test(client, httpserver.url_for("/hook"),
                 {"a1.test.mode": "predefined", "a1.test.summary": "ignored"})
    alert = json.loads(httpserver.log[0][0].data)["alerts"][0]
    assert alert["annotations"] == {"summary": "Notification test"}


def test_closed_port_fails_with_a_clear_message_and_keeps_the_panel(client):
    response = webhook_test(client, f"http://127.0.0.1:{closed_port()}/hook",
                            {"a1.test.mode": "custom", "a1.test.summary": "kept text"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Test failed: connection refused" in fragment
    assert 'value="kept text"' in fragment


def test_provider_error_shows_status_and_first_line(client, httpserver):
    httpserver.expect_request("/hook").respond_with_data("no such hook\nmore", status=404)
    fragment = webhook_test(client, httpserver.url_for("/hook")).get_data(as_text=True)
    assert "Test failed: HTTP 404" in fragment and "no such hook" in fragment


def test_invalid_settings_fail_without_sending(client):
    fragment = webhook_test(client, "").get_data(as_text=True)
    assert "Test failed: The settings are not valid: URL is required." in fragment


def test_untouched_stored_secret_is_used_but_never_shown(client, httpserver, make_contact_point):
    url = httpserver.url_for("/hook")
    contact_point = make_contact_point(
        "ops", [("webhook", {"url": url, "username": "herald", "password": "s3cret-pw"})]
    )
    integration = contact_point.integrations[0]
    httpserver.expect_request("/hook").respond_with_data("ok")
    data = {"name": "ops", "block": ["a1"], "a1.type": "webhook", "a1.uid": integration.uid,
            "a1.source": integration.uid, "a1.s.url": url, "a1.s.username": "herald",
            "action": "test:a1"}
    response = client.post(f"/contact-points/{contact_point.uid}/edit", data=data, headers=HX)
    assert "Test notification sent" in response.get_data(as_text=True)
    assert "s3cret-pw" not in response.get_data(as_text=True)
    expected = "Basic " + base64.b64encode(b"herald:s3cret-pw").decode()
    assert httpserver.log[0][0].headers["Authorization"] == expected
    attempt = db.session.scalar(select(DeliveryAttempt))
    assert attempt.integration_id == integration.id and attempt.is_test


def test_email_without_smtp_says_how_to_configure_it(client):
    data = {"name": "ops", "block": ["a1"], "a1.type": "email",
            "a1.s.addresses": "a@example.com", "action": "test:a1"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert "Test failed: SMTP is not configured" in fragment
    assert "HERALD_SMTP_HOST" in fragment


def test_block_test_without_javascript_rerenders_the_form(client, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    data = {"name": "ops", "block": ["a1"], "a1.type": "webhook",
            "a1.s.url": httpserver.url_for("/hook"), "action": "test:a1"}
    page = client.post("/contact-points/new", data=data).get_data(as_text=True)
    assert "<html" in page and "Test notification sent" in page
    assert 'value="ops"' in page


def test_row_test_reports_each_integration_and_records_status(
    client, httpserver, make_contact_point
):
    httpserver.expect_request("/good").respond_with_data("ok")
    httpserver.expect_request("/bad").respond_with_response(Response("gone", status=410))
    contact_point = make_contact_point("ops", [
        ("webhook", {"url": httpserver.url_for("/good")}),
        ("webhook", {"url": httpserver.url_for("/bad")}),
    ])
    fragment = client.post(f"/contact-points/{contact_point.uid}/test",
                           headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<article class="contact-point"')
    assert fragment.count("Test notification sent · HTTP 200") == 1
    assert "Test failed: HTTP 410" in fragment
    listing = client.get("/contact-points").get_data(as_text=True)
    assert "Last delivery attempt just now · took" in listing
    assert "Last delivery attempt failed just now" in listing


def test_row_test_of_an_empty_contact_point(client, make_contact_point):
    contact_point = make_contact_point("empty")
    page = client.post(f"/contact-points/{contact_point.uid}/test").get_data(as_text=True)
    assert "No integrations — nothing was sent." in page


def test_list_without_attempts_says_so(client, make_contact_point):
    make_contact_point("ops", [("webhook", {"url": "https://h.example"})])
    assert "No delivery attempts" in client.get("/contact-points").get_data(as_text=True)


def test_time_ago_wording():
    now = datetime(2026, 1, 1, 12, 0, 0)
    assert time_ago(now - timedelta(seconds=3), now) == "just now"
    assert time_ago(now - timedelta(seconds=42), now) == "42 seconds ago"
    assert time_ago(now - timedelta(minutes=3), now) == "3 minutes ago"
    assert time_ago(now - timedelta(hours=1), now) == "1 hour ago"
    assert time_ago(now - timedelta(days=2), now) == "2 days ago"


def test_a_kept_secret_never_follows_an_edited_destination(client, httpserver,
                                                           make_contact_point):
    contact_point = make_contact_point("ops", [("slack", {"token": "xoxb-SECRET-TOKEN",
                                                          "recipient": "#ops"})])
    integration = contact_point.integrations[0]
    data = {"name": "ops", "block": ["a1"], "a1.type": "slack", "a1.uid": integration.uid,
            "a1.source": integration.uid, "a1.s.recipient": "#ops",
            "a1.s.endpointUrl": httpserver.url_for("/echo")}
    tested = client.post(f"/contact-points/{contact_point.uid}/edit",
                         data={**data, "action": "test:a1"}, headers=HX)
    message = "Token: enter it again — Endpoint URL changed"
    assert "Test failed: " + message in tested.get_data(as_text=True)
    assert httpserver.log == []
    saved = client.post(f"/contact-points/{contact_point.uid}/edit", data=data)
    assert saved.status_code == 422
    page = saved.get_data(as_text=True)
    assert message in page
    # still configured, next to its Reset: putting the URL back keeps it after all
    assert 'id="a1-token" value="configured" disabled' in page
    back = {**data, "a1.s.endpointUrl": ""}
    assert client.post(f"/contact-points/{contact_point.uid}/edit", data=back).status_code == 302
    db.session.expire_all()
    assert db.session.get(Integration, integration.id).secrets["token"] == "xoxb-SECRET-TOKEN"


def test_a_secret_echoed_by_the_provider_is_redacted(client, httpserver, make_contact_point):
    httpserver.expect_request("/hook").respond_with_data("bad credentials: s3cret-pw",
                                                         status=401)
    url = httpserver.url_for("/hook")
    contact_point = make_contact_point(
        "ops", [("webhook", {"url": url, "username": "herald", "password": "s3cret-pw"})])
    fragment = client.post(f"/contact-points/{contact_point.uid}/test",
                           headers=HX).get_data(as_text=True)
    assert "HTTP 401" in fragment and "[REDACTED]" in fragment
    assert "s3cret-pw" not in fragment
    assert "s3cret-pw" not in db.session.scalar(select(DeliveryAttempt)).error


def test_testing_unsaved_settings_records_no_attempt(client, httpserver, make_contact_point):
    httpserver.expect_request("/other").respond_with_data("ok")
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/"})])
    integration = contact_point.integrations[0]
    data = {"name": "ops", "block": ["a1"], "a1.type": "webhook", "a1.uid": integration.uid,
            "a1.source": integration.uid, "a1.s.url": httpserver.url_for("/other"),
            "action": "test:a1"}
    response = client.post(f"/contact-points/{contact_point.uid}/edit", data=data, headers=HX)
    assert "Test notification sent" in response.get_data(as_text=True)
    assert db.session.scalar(select(DeliveryAttempt)) is None


def test_redaction_replaces_the_longest_secret_first(client, httpserver, make_contact_point):
    httpserver.expect_request("/hook").respond_with_data("echo: abcdTOPSECRET", status=400)
    contact_point = make_contact_point("ops", [("webhook", {
        "url": httpserver.url_for("/hook"), "authorization_credentials": "abcdTOPSECRET",
        "hmacConfig.secret": "abcd"})])
    fragment = client.post(f"/contact-points/{contact_point.uid}/test",
                           headers=HX).get_data(as_text=True)
    assert "echo: [REDACTED]" in fragment and "TOPSECRET" not in fragment
