"""Alertmanager's API v2: what Prometheus and amtool send and read."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.alerting.models import AlertState
from app.extensions import db

START = "2026-11-30T12:00:00Z"


@pytest.fixture
def am(anonymous, token, make_contact_point):
    """am("POST", "/alerts", body, role="sender"): a call to /api/v2 with a token of that role."""
    make_contact_point("Ops", [("webhook", {"url": "http://127.0.0.1:9/hook"})])
    headers = {role: token(role) for role in ("sender", "viewer", "editor")}

    def call(method: str, path: str, body=None, role: str = "editor"):
        extra = {} if method == "GET" else {"csrf": False}
        return anonymous.open(f"/api/v2{path}", method=method, json=body,
                              headers=headers[role], **extra)

    return call


def stored_alerts() -> int:
    return db.session.scalar(select(func.count()).select_from(AlertState))


def test_posted_alerts_are_listed_with_receivers_and_status(am):
    posted = am("POST", "/alerts", [{"labels": {"alertname": "Disk", "team": "a"},
                                      "annotations": {"summary": "full"}, "startsAt": START,
                                      "generatorURL": "http://prom/graph"}], role="sender")
    assert posted.status_code == 200
    listed = am("GET", "/alerts", role="viewer").get_json()
    assert len(listed) == 1
    alert = listed[0]
    assert alert["labels"] == {"alertname": "Disk", "team": "a"}
    assert alert["annotations"] == {"summary": "full"}
    assert alert["startsAt"] == START and alert["generatorURL"] == "http://prom/graph"
    assert alert["receivers"] == [{"name": "Ops"}]
    assert alert["status"] == {"state": "active", "silencedBy": [], "inhibitedBy": [],
                               "mutedBy": []}
    assert len(alert["fingerprint"]) == 16
    groups = am("GET", "/alerts/groups", role="viewer").get_json()
    assert groups[0]["receiver"] == {"name": "Ops"}
    assert groups[0]["labels"] == {"alertname": "Disk"}


@pytest.mark.parametrize(("alert", "message"), [
    ({"labels": {}}, "at least one label pair required"),
    ({"labels": {"a": "b"}, "startsAt": START, "endsAt": "2026-11-30T11:00:00Z"},
     "start time must be before end time"),
    ({"labels": {"1abc": "b"}}, "invalid label set: invalid name '1abc'"),
    ({"labels": {"a": "b"}, "startsAt": "yesterday"}, "startsAt is not an RFC 3339 time"),
])
def test_a_bad_alert_refuses_the_whole_batch(am, alert, message):
    good = {"labels": {"alertname": "Fine"}}
    response = am("POST", "/alerts", [good, alert], role="sender")
    assert response.status_code == 400
    assert message in response.get_json()
    assert stored_alerts() == 0


def test_a_batch_of_a_hundred_is_stored_deduplicated(am):
    batch = [{"labels": {"alertname": "Load", "instance": f"host-{i % 50}"}} for i in range(100)]
    assert am("POST", "/alerts", batch, role="sender").status_code == 200
    assert stored_alerts() == 50


def test_roles_senders_post_viewers_read_editors_silence(am):
    alert = [{"labels": {"alertname": "A"}}]
    assert am("POST", "/alerts", alert, role="viewer").status_code == 403
    assert am("GET", "/alerts", role="sender").status_code == 403
    silence = {"matchers": [{"name": "alertname", "value": "A", "isRegex": False}],
               "startsAt": START, "endsAt": "2099-01-01T00:00:00Z", "createdBy": "me",
               "comment": "x"}
    assert am("POST", "/silences", silence, role="viewer").status_code == 403
    assert am("POST", "/silences", silence, role="editor").status_code == 200


def test_silences_mute_alerts_and_expire(am):
    am("POST", "/alerts", [{"labels": {"alertname": "A"}}, {"labels": {"alertname": "B"}}],
       role="sender")
    created = am("POST", "/silences", {
        "matchers": [{"name": "alertname", "value": "A", "isRegex": False, "isEqual": True}],
        "startsAt": START, "endsAt": "2099-01-01T00:00:00Z", "createdBy": "ann",
        "comment": "maintenance"})
    silence_id = created.get_json()["silenceID"]
    alerts = {a["labels"]["alertname"]: a for a in am("GET", "/alerts").get_json()}
    assert alerts["A"]["status"]["state"] == "suppressed"
    assert alerts["A"]["status"]["silencedBy"] == [silence_id]
    unsilenced = am("GET", "/alerts?silenced=false").get_json()
    assert [a["labels"]["alertname"] for a in unsilenced] == ["B"]
    assert am("GET", f"/silence/{silence_id}").get_json()["status"] == {"state": "active"}
    assert am("DELETE", f"/silence/{silence_id}").status_code == 200
    assert am("GET", "/silences").get_json()[0]["status"] == {"state": "expired"}
    assert am("DELETE", f"/silence/{silence_id}").status_code == 400
    assert am("GET", "/silence/nope").status_code == 404


def test_a_silence_with_a_bad_regex_is_refused_in_words(am):
    response = am("POST", "/silences", {
        "matchers": [{"name": "a", "value": "(", "isRegex": True}],
        "startsAt": START, "endsAt": "2099-01-01T00:00:00Z", "createdBy": "x", "comment": ""})
    assert response.status_code == 400
    assert "does not compile" in response.get_json()


def test_filters_select_alerts(am):
    am("POST", "/alerts", [{"labels": {"alertname": "A", "env": "prod"}},
                           {"labels": {"alertname": "B", "env": "dev"}}], role="sender")
    found = am("GET", '/alerts?filter=env%3D~"pro.*"').get_json()
    assert [a["labels"]["alertname"] for a in found] == ["A"]
    assert am("GET", "/alerts?receiver=Nobody").get_json() == []
    assert am("GET", "/alerts?filter=%7Bbad").status_code == 400


def test_status_is_enough_for_amtool(am):
    status = am("GET", "/status", role="viewer").get_json()
    assert status["cluster"]["status"] == "ready" and status["cluster"]["peers"] == []
    assert status["config"] == {"original": ""}
    assert "version" in status["versionInfo"] and status["uptime"]


def test_a_very_long_label_value_makes_a_group_like_any_other(am):
    name = "x" * 200_000
    assert am("POST", "/alerts", [{"labels": {"alertname": name}}], role="sender").status_code \
        == 200
    groups = am("GET", "/alerts/groups", role="viewer").get_json()
    assert [group["labels"] for group in groups] == [{"alertname": name}]
