"""The list keeps what it read per version of the data, and a contact point's version moves
with its integrations: a change made anywhere, by any code path, shows on the next page."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask
from sqlalchemy import event, insert

from app import create_app
from app.contact_point_list import listed_page
from app.contact_points import IntegrationInput, get_contact_point, save_contact_point
from app.extensions import db
from app.models import DeliveryAttempt, utcnow
from app.notification_templates import save_template
from tests.conftest import make_config

WEBHOOK = ("webhook", {"url": "http://127.0.0.1:9/a"})


@contextmanager
def counted_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _list(client) -> str:
    answer = client.get("/contact-points")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_an_unchanged_page_is_read_with_two_queries(app: Flask, client, make_contact_point):
    for name in ("ops", "db", "web"):
        make_contact_point(name, [WEBHOOK])
    first = _list(client)

    with counted_queries(app) as statements:
        again = _list(client)

    # The session's account and the data's version; nothing else is read again.
    assert len(statements) == 2, statements
    assert again.count('class="contact-point"') == first.count('class="contact-point"') == 3


def test_a_new_delivery_attempt_shows_at_once(app: Flask, client, make_contact_point):
    point = make_contact_point("ops", [WEBHOOK])
    assert "connection refused by the receiver" not in _list(client)

    # Written as the workers write attempts: a Core insert, no ORM object.
    db.session.execute(insert(DeliveryAttempt).values(
        contact_point_id=point.id, integration_id=point.integrations[0].id, outcome="failure",
        error="connection refused by the receiver", created_at=utcnow()))
    db.session.commit()

    assert "connection refused by the receiver" in _list(client)


def test_a_change_made_by_another_process_shows_on_the_next_page(
        database_url: str, client, make_contact_point):
    make_contact_point("ops", [WEBHOOK])
    assert "<h2>ops</h2>" in _list(client)
    other = create_app(make_config(database_url))  # another process, as far as data goes

    with other.app_context():
        point = get_contact_point(_uid_of("ops"))
        result = save_contact_point(point, "ops renamed", [
            IntegrationInput("webhook", {"url": "http://127.0.0.1:9/b"},
                             uid=point.integrations[0].uid)])
        assert not result.errors
        db.session.remove()
        db.engine.dispose()

    page = _list(client)
    assert "<h2>ops renamed</h2>" in page and "<h2>ops</h2>" not in page


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


def test_the_chart_moves_with_the_hour(app: Flask, make_contact_point):
    point = make_contact_point("ops", [WEBHOOK])
    now = utcnow()
    db.session.add(DeliveryAttempt(contact_point_id=point.id, outcome="success",
                                   created_at=now))
    db.session.commit()

    this_hour = listed_page("", 1, 25, now).charts[point.id]
    next_hour = listed_page("", 1, 25, now + timedelta(hours=1)).charts[point.id]

    assert this_hour[-1] == (1, 0) and next_hour[-2:] == ((1, 0), (0, 0))


def _uid_of(name: str) -> str:
    from sqlalchemy import select

    from app.models import ContactPoint

    return db.session.scalar(select(ContactPoint.uid).where(ContactPoint.name == name))


def _template(name: str):
    from sqlalchemy import select

    from app.models import NotificationTemplate

    return db.session.scalar(select(NotificationTemplate).where(
        NotificationTemplate.name == name))


def test_a_kept_page_still_says_how_long_ago_each_attempt_was(client, make_contact_point,
                                                               monkeypatch):
    from app.views import rows

    point = make_contact_point("ops", [WEBHOOK])
    db.session.add(DeliveryAttempt(contact_point_id=point.id,
                                   integration_id=point.integrations[0].id,
                                   outcome="success", created_at=utcnow()))
    db.session.commit()
    monkeypatch.setattr(rows, "time_ago", lambda moment: "1 minute ago")
    assert "1 minute ago" in _list(client)

    monkeypatch.setattr(rows, "time_ago", lambda moment: "2 minutes ago")
    page = _list(client)

    assert "2 minutes ago" in page and "1 minute ago" not in page
