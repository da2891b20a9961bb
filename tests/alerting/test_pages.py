"""Notification policies, silences and alert groups pages, and contact points in use."""
from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.alerting.grouping import flush_due_groups
from app.alerting.models import Policy, Silence
from app.alerting.policies import load_spec
from app.alerting.state import ingest_alerts
from app.alerts import Alert
from app.extensions import db
from app.models import utcnow


@pytest.fixture
def points(make_contact_point):
    ops = make_contact_point("Ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    db_team = make_contact_point("DB team", [("webhook", {"url": "http://127.0.0.1:9/b"})])
    return ops, db_team


def text_of(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def child_form(**fields) -> dict:
    form = {"matcher_label": ["team"], "matcher_operator": ["="], "matcher_value": ["db"],
            "contact_point": "DB team", "group_by": "", "group_wait": "",
            "group_interval": "", "repeat_interval": ""}
    form.update(fields)
    return form


def test_tree_shows_the_default_policy_and_a_new_child(client, points):
    page = text_of(client.get("/alerting/routes"))
    assert "Default policy" in page and "Ops" in page
    root_id = load_spec().id
    response = client.post("/alerting/routes/new", data={**child_form(), "parent": root_id})
    assert response.status_code == 302
    page = text_of(client.get("/alerting/routes"))
    assert 'team="db"' in page and "DB team" in page


def test_an_invalid_regex_is_refused_in_words_and_nothing_is_saved(client, points):
    client.get("/alerting/routes")
    response = client.post("/alerting/routes/new", data={
        **child_form(matcher_operator=["=~"], matcher_value=["(unclosed"]),
        "parent": load_spec().id})
    assert response.status_code == 422
    page = text_of(response)
    assert "does not compile" in page and "(unclosed" in page
    assert db.session.scalar(select(Policy).where(Policy.parent_id.is_not(None))) is None


def test_preview_routing_names_policies_and_contact_points(client, points):
    client.post("/alerting/routes/new", data={**child_form(), "parent": load_spec().id})
    hit = text_of(client.get("/alerting/routes/preview?labels=team%3Ddb"))
    assert 'Policy {team="db"}' in hit and "DB team" in hit
    miss = text_of(client.get("/alerting/routes/preview?labels=team%3Dweb"))
    assert "Default policy" in miss and "Ops" in miss


def test_delete_takes_children_and_move_reorders(client, points):
    client.get("/alerting/routes")
    root_id = load_spec().id
    for value in ("db", "web"):
        client.post("/alerting/routes/new", data={
            **child_form(matcher_value=[value]), "parent": root_id})
    first, second = load_spec().routes
    client.post("/alerting/routes/new", data={**child_form(), "parent": first.id})
    client.post(f"/alerting/routes/{second.id}/move", data={"direction": "up"})
    assert [r.id for r in load_spec().routes] == [second.id, first.id]
    confirm = text_of(client.get(f"/alerting/routes/{first.id}/delete"))
    assert "1 child policy" in confirm
    client.post(f"/alerting/routes/{first.id}/delete")
    assert [r.id for r in load_spec().routes] == [second.id]
    assert db.session.scalar(select(db.func.count(Policy.id))) == 2


def test_a_used_contact_point_says_so_and_cannot_be_deleted(client, points):
    ops, db_team = points
    client.post("/alerting/routes/new", data={**child_form(), "parent": load_spec().id})
    page = text_of(client.get("/contact-points"))
    assert "Used by 1 policy" in page and "Unused" not in page
    response = client.post(f"/contact-points/{db_team.uid}/delete", follow_redirects=True)
    assert 'is used by 1 notification policy (policy {team="db"})' in text_of(response)
    assert db.session.get(type(db_team), db_team.id) is not None


def test_the_list_shows_policy_changes_on_the_next_request(client, points):
    assert text_of(client.get("/contact-points")).count("Unused") == 2
    client.post("/alerting/routes/new", data={**child_form(), "parent": load_spec().id})
    assert text_of(client.get("/contact-points")).count("Used by 1 policy") == 2
    client.post(f"/alerting/routes/{load_spec().routes[0].id}/delete")

    page = text_of(client.get("/contact-points"))

    assert page.count("Used by 1 policy") == 1 and page.count("Unused") == 1


def test_silence_form_is_prefilled_from_a_notification_link(client, points):
    page = text_of(client.get("/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DDisk"
                      "&matcher=team%3Ddb"))
    assert 'value="alertname"' in page and 'value="Disk"' in page and 'value="db"' in page


def test_silences_are_created_listed_with_muted_counts_and_expired(client, points):
    ingest_alerts([Alert("firing", {"alertname": "Disk"}, {}, utcnow())], utcnow())
    db.session.commit()
    response = client.post("/alerting/silence/new", data={
        "matcher_label": ["alertname"], "matcher_operator": ["="], "matcher_value": ["Disk"],
        "duration": "1h", "comment": "swap", "created_by": "ann"})
    assert response.status_code == 302
    page = text_of(client.get("/alerting/silences"))
    assert "Active (1)" in page and "swap" in page
    assert "<td>1</td>" in page  # one alert muted
    silence = db.session.scalar(select(Silence))
    client.post(f"/alerting/silence/{silence.id}/expire")
    assert "Expired (1)" in text_of(client.get("/alerting/silences"))


def test_a_silence_with_a_bad_regex_or_no_end_is_refused(client, points):
    response = client.post("/alerting/silence/new", data={
        "matcher_label": ["a"], "matcher_operator": ["=~"], "matcher_value": ["("],
        "duration": "", "comment": "", "created_by": "ann"})
    assert response.status_code == 422
    page = text_of(response)
    assert "does not compile" in page and "Give an end or a duration" in page
    assert db.session.scalar(select(Silence)) is None


def test_alert_groups_show_alerts_silenced_marked(client, points):
    now = utcnow()
    ingest_alerts([Alert("firing", {"alertname": "Disk", "host": "a"}, {}, now),
                   Alert("firing", {"alertname": "Disk", "host": "b"}, {}, now)], now)
    db.session.add(Silence(matchers=[["host", "=", "b"]], starts_at=now,
                           ends_at=now + timedelta(hours=1), created_by="x", comment=""))
    db.session.commit()
    page = text_of(client.get("/alerting/groups"))
    assert "alertname=Disk" in page and "host=b" in page
    assert page.count("Silenced") == 1 and "Not notified yet" in page


def test_alert_groups_show_the_last_delivery(client, points):
    now = utcnow()
    ingest_alerts([Alert("firing", {"alertname": "Disk"}, {}, now)], now)
    db.session.commit()
    flush_due_groups(now=now + timedelta(seconds=31))
    page = text_of(client.get("/alerting/groups"))
    assert "Last delivery:" in page and "Webhook: pending" in page
    raw = client.get("/alerting/groups").get_data(as_text=True)
    assert '<a href="/alerting/history?contact_point=' in raw
