"""Delivery history pages, Resend, the list's 24-hour chart and /metrics."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.alerts import group_from_dict
from app.delivery import outbox
from app.extensions import db
from app.models import DeliveryAttempt
from tests.pipeline import alert, drain, make_token, webhook_body

SECRET = "s3cr3t-credential-value"
SLACK_SECRET = "T000/B000/slack-secret-path"


@pytest.fixture
def delivered(app, httpserver, make_contact_point):
    """Two contact points with a delivered and a failed notification each way."""
    httpserver.expect_request("/ok").respond_with_data("fine")
    httpserver.expect_request("/bad").respond_with_data(f"rejected {SECRET}", status=400)
    httpserver.expect_request(f"/services/{SLACK_SECRET}").respond_with_data("ok")
    ops = make_contact_point("ops", [
        ("webhook", {"url": httpserver.url_for("/ok"), "authorization_credentials": SECRET}),
        ("slack", {"url": httpserver.url_for(f"/services/{SLACK_SECRET}")})])
    db_team = make_contact_point("db-team", [("webhook", {"url": httpserver.url_for("/bad"),
                                                          "password": SECRET,
                                                          "username": "herald"})])
    outbox.enqueue(ops, group_from_dict(webhook_body(alert("HighCPU"))))
    outbox.enqueue(db_team, group_from_dict(webhook_body(alert("DiskFull"))))
    db.session.commit()
    drain(app)
    return ops, db_team


def test_history_lists_every_attempt_newest_first(client, delivered):
    page = client.get("/alerting/history").get_data(as_text=True)

    assert page.count('<tr id="attempt-') == 3
    assert page.index("db-team") < page.index("HighCPU")
    assert "Failed · HTTP 400" in page and "Delivered · HTTP 200" in page


@pytest.mark.parametrize(("query", "expected"), [
    ("contact_point=ops", 2), ("contact_point=DB-TEAM", 1), ("type=slack", 1),
    ("outcome=failure", 1), ("outcome=success", 2), ("period=1h", 3), ("contact_point=nobody", 0),
])
def test_history_filters(client, delivered, query, expected):
    page = client.get(f"/alerting/history?{query}").get_data(as_text=True)

    assert page.count('<tr id="attempt-') == expected


def test_unknown_contact_point_filter_says_so(client, delivered):
    page = client.get("/alerting/history?contact_point=nobody").get_data(as_text=True)

    assert "There is no contact point named “nobody”." in page


def test_htmx_filter_returns_the_fragment(client, delivered):
    response = client.get("/alerting/history?outcome=failure",
                          headers={"HX-Request": "true", "HX-Target": "history"})

    page = response.get_data(as_text=True)
    assert page.startswith('<section id="history"')
    assert page.count('<tr id="attempt-') == 1


def test_an_entry_shows_the_request_and_response(client, delivered):
    failed = db.session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.outcome == "failure"))

    page = client.get(f"/alerting/history/{failed.id}").get_data(as_text=True)

    assert "POST http://localhost:" in page and "/bad" in page
    assert "Authorization: Basic [REDACTED]" in page
    assert "HTTP 400" in page and "rejected [REDACTED]" in page
    assert "Resend" in page


def test_no_history_response_carries_a_secret(client_as, delivered):
    viewer = client_as("viewer")
    pages = [viewer.get("/alerting/history"), viewer.get("/contact-points")]
    for attempt in db.session.scalars(select(DeliveryAttempt)):
        pages.append(viewer.get(f"/alerting/history/{attempt.id}"))
        pages.append(viewer.get(f"/alerting/history/{attempt.id}", headers={"HX-Request": "1"}))
    for response in pages:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert SECRET not in text and SLACK_SECRET not in text and "slack-secret" not in text


def test_viewers_see_no_resend_button(client_as, delivered):
    failed = db.session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.outcome == "failure"))

    page = client_as("viewer").get(f"/alerting/history/{failed.id}").get_data(as_text=True)

    assert "Resend" not in page


def test_resend_sends_the_same_notification_again_as_a_new_attempt(client, httpserver,
                                                                   delivered):
    failed = db.session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.outcome == "failure"))
    before = len(httpserver.log)

    response = client.post(f"/alerting/history/{failed.id}/resend", follow_redirects=True)

    assert "Sent again: it failed; see the newest attempt." in response.get_data(as_text=True)
    assert len(httpserver.log) == before + 1
    resent = [request for request, _ in httpserver.log if request.path == "/bad"][-1]
    assert resent.get_json()["alerts"][0]["labels"]["alertname"] == "DiskFull"
    newest = db.session.scalar(select(DeliveryAttempt).order_by(DeliveryAttempt.id.desc()))
    assert newest.id != failed.id and newest.contact_point_name == "db-team"


def test_resend_refuses_a_successful_or_test_attempt(client, delivered):
    done = db.session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.outcome == "success"))

    response = client.post(f"/alerting/history/{done.id}/resend", follow_redirects=True)

    assert "Only failed notifications can be sent again." in response.get_data(as_text=True)


def test_the_list_row_links_its_history_and_draws_the_last_24_hours(client, delivered):
    page = client.get("/contact-points").get_data(as_text=True)

    assert 'href="/alerting/history?contact_point=ops"' in page
    assert 'aria-label="Deliveries in the last 24 hours: 2 delivered, 0 failed"' in page
    assert 'aria-label="Deliveries in the last 24 hours: 0 delivered, 1 failed"' in page
    assert page.count('class="bar-ok"') == 1 and page.count('class="bar-failed"') == 1


def test_metrics_count_deliveries_and_show_the_outbox(anonymous, delivered):
    token = make_token("viewer", "prometheus")

    text = anonymous.get("/metrics", headers={"Authorization": f"Bearer {token}"}).get_data(
        as_text=True)

    assert 'herald_notifications_total{contact_point="ops",integration="webhook"}' in text
    failed = 'herald_notifications_failed_total{contact_point="db-team",integration="webhook"}'
    assert failed in text
    assert "herald_outbox_notifications 0.0" in text
    assert "herald_notification_latency_seconds_bucket" in text


def test_metrics_need_a_token_unless_public(app, anonymous):
    assert anonymous.get("/metrics").status_code == 401
    app.config["HERALD_METRICS_PUBLIC"] = True
    assert anonymous.get("/metrics").status_code == 200
