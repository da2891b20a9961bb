"""Alerts in: the webhook intake answers, refuses and stores exactly what it should."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.delivery.models import PENDING, SKIPPED, Notification
from app.extensions import db
from app.models import Integration
from tests.pipeline import alert, drain, make_token, webhook_body

URL = "/api/v1/webhook/alertmanager"


def post(client, body, token: str | None, name: str = "On-call team", **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(f"{URL}?contact_point={name}" if name is not None else URL, data=data,
                       headers=headers, content_type="application/json", **kwargs)


def stored() -> int:
    return db.session.scalar(select(func.count(Notification.id)))


@pytest.fixture
def on_call(make_contact_point, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    return make_contact_point("On-call team", [
        ("webhook", {"url": httpserver.url_for("/hook")}),
        ("webhook", {"url": httpserver.url_for("/hook")}),
    ])


def test_a_group_is_accepted_once_stored_and_delivered_by_a_worker(anonymous, on_call, app,
                                                                   httpserver):
    token = make_token("sender")

    response = post(anonymous, webhook_body(), token)

    assert response.status_code == 202
    assert response.get_json() == {"message": "accepted", "deliveries": 2}
    assert [n.status for n in db.session.scalars(select(Notification))] == [PENDING, PENDING]
    assert httpserver.log == []  # accepted before sending
    assert drain(app) == 2
    bodies = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert [b["receiver"] for b in bodies] == ["On-call team"] * 2
    assert bodies[0]["alerts"][0]["labels"] == {"alertname": "DiskFull", "instance": "db-1"}


def test_grafana_webhook_bodies_are_accepted(anonymous, on_call):
    body = {**webhook_body(), "title": "[FIRING:1] DiskFull", "message": "...", "orgId": 1,
            "state": "alerting"}
    body["alerts"][0]["values"] = {"B": 91.5}

    response = post(anonymous, body, make_token("sender"))

    assert response.status_code == 202


def test_contact_point_names_match_ignoring_case(anonymous, on_call):
    response = post(anonymous, webhook_body(), make_token("sender"), name="on-call TEAM")

    assert response.status_code == 202


@pytest.mark.parametrize("role", ["sender", "editor", "admin"])
def test_sender_editor_and_admin_tokens_may_post(anonymous, on_call, role):
    assert post(anonymous, webhook_body(), make_token(role)).status_code == 202


def test_viewers_and_anonymous_callers_may_not_post(anonymous, on_call):
    assert post(anonymous, webhook_body(), make_token("viewer")).status_code == 403
    assert post(anonymous, webhook_body(), None).status_code == 401
    assert post(anonymous, webhook_body(), "not-a-token").status_code == 401
    assert stored() == 0


def test_a_sender_token_may_do_nothing_else(anonymous):
    token = make_token("sender")
    headers = {"Authorization": f"Bearer {token}"}

    assert anonymous.get("/api/v1/provisioning/contact-points",
                         headers=headers).status_code == 403
    assert anonymous.get("/metrics", headers=headers).status_code == 403


def test_unknown_contact_point_is_404_naming_it(anonymous, on_call):
    response = post(anonymous, webhook_body(), make_token("sender"), name="Nobody")

    assert response.status_code == 404
    assert response.get_json() == {"message": "contact point not found: Nobody"}


@pytest.mark.parametrize(("body", "message"), [
    ("not json", "The body must be a JSON object"),
    ([], "alert data must be a JSON object"),
    ({"alerts": []}, "alerts must be a non-empty list"),
    ({"alerts": [{"labels": {"a": 1}}]}, "alerts[0].labels must be an object of text values"),
    ({"alerts": [{"labels": {}, "startsAt": "yesterday"}]}, "alerts[0].startsAt is not an RFC"),
    ({"alerts": [{"labels": {}, "status": "burning"}]}, "alerts[0].status must be"),
    ({"alerts": [{"labels": {"a": "\\udfff"}}]}, "not valid Unicode"),
    ({"alerts": [{}], "truncatedAlerts": -1}, "truncatedAlerts must be"),
])
def test_malformed_bodies_are_400_naming_the_field_and_store_nothing(anonymous, on_call, body,
                                                                      message):
    data = body if isinstance(body, str) else json.dumps(body).replace("\\\\udfff", "\\udfff")

    response = post(anonymous, data, make_token("sender"))

    assert response.status_code == 400
    assert message in response.get_json()["message"]
    assert stored() == 0


def test_without_a_contact_point_the_alerts_go_through_the_policies(anonymous, on_call):
    response = post(anonymous, webhook_body(alert("A"), alert("B")), make_token("sender"),
                    name=None)

    assert response.status_code == 202
    assert response.get_json() == {"message": "accepted", "alerts": 2}
    stored_alerts = anonymous.get("/api/v2/alerts", headers={
        "Authorization": f"Bearer {make_token('viewer', 'reader')}"}).get_json()
    assert sorted(a["labels"]["alertname"] for a in stored_alerts) == ["A", "B"]


def test_an_empty_contact_point_is_refused(anonymous, on_call):
    response = post(anonymous, webhook_body(), make_token("sender"), name="")

    assert response.status_code == 400
    assert "contact_point is empty" in response.get_json()["message"]


def test_bodies_over_the_limit_are_413(anonymous, on_call):
    big = webhook_body(alert(description="x" * (1024 * 1024)))

    response = post(anonymous, big, make_token("sender"))

    assert response.status_code == 413
    assert stored() == 0


def test_resolved_groups_skip_integrations_without_resolved_messages(anonymous,
                                                                     make_contact_point):
    make_contact_point("On-call team", [("webhook", {"url": "http://127.0.0.1:9/a"}),
                                        ("webhook", {"url": "http://127.0.0.1:9/b"})])
    first = db.session.scalars(select(Integration).order_by(Integration.id)).first()
    first.disable_resolve_message = True
    db.session.commit()

    response = post(anonymous, webhook_body(alert(status="resolved"), status="resolved"),
                    make_token("sender"))

    assert response.get_json()["deliveries"] == 1
    statuses = [n.status for n in db.session.scalars(select(Notification).order_by(
        Notification.id))]
    assert statuses == [SKIPPED, PENDING]


def test_a_contact_point_without_integrations_accepts_and_sends_nothing(anonymous,
                                                                        make_contact_point):
    make_contact_point("On-call team", [])

    response = post(anonymous, webhook_body(), make_token("sender"))

    assert response.get_json() == {"message": "accepted", "deliveries": 0}
