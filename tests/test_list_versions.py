"""A contact point's version moves with its integrations, whatever code path changed them."""
from __future__ import annotations

from app.extensions import db
from app.notification_templates import save_template


def _list(client) -> str:
    answer = client.get("/contact-points")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_an_integration_changed_on_its_own_moves_its_contact_point(
        client, make_contact_point):
    point = make_contact_point("ops", [("email", {"addresses": "one@example.com"})])
    version, updated = point.version, point.updated_at
    assert "one@example.com" in _list(client)

    point.integrations[0].settings = {"addresses": "two@example.com"}  # not the parent
    db.session.commit()

    assert (point.version, point.updated_at > updated) == (version + 1, True)
    page = _list(client)
    assert "two@example.com" in page and "one@example.com" not in page


def test_an_integration_taken_out_of_its_contact_point_leaves_the_list(
        client, make_contact_point):
    point = make_contact_point("ops", [("email", {"addresses": "one@example.com"}),
                                       ("email", {"addresses": "two@example.com"})])
    assert "two@example.com" in _list(client)

    point.integrations.remove(point.integrations[1])
    db.session.commit()

    page = _list(client)
    assert "one@example.com" in page and "two@example.com" not in page


def test_a_template_rename_moves_the_contact_points_that_name_it(client, make_contact_point):
    assert not save_template(None, "short", "{{ Status }}").errors
    point = make_contact_point("ops", [("webhook", {
        "url": "http://127.0.0.1:9/a", "title": '{% include "short" %}'})])
    version = point.version
    template = _template("short")

    assert not save_template(template, "brief", "{{ Status }}").errors

    db.session.refresh(point)
    assert point.version == version + 1
    assert point.integrations[0].settings["title"] == '{% include "brief" %}'


def _uid_of(name: str) -> str:
    from sqlalchemy import select

    from app.models import ContactPoint

    return db.session.scalar(select(ContactPoint.uid).where(ContactPoint.name == name))


def _template(name: str):
    from sqlalchemy import select

    from app.models import NotificationTemplate

    return db.session.scalar(select(NotificationTemplate).where(
        NotificationTemplate.name == name))
