"""Statements run straight through the driver store and read exactly what SQLAlchemy does.

Runs on SQLite, and on PostgreSQL in the suite's PostgreSQL pass: each dialect has its own
SQL, parameter style and value conversions (JSON, dates, booleans).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import JSON, DateTime, Float, Numeric, bindparam, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from app.delivery import outbox
from app.delivery.models import PENDING, Notification
from app.direct import DirectInsert, DirectStatement
from app.extensions import db
from app.models import ApiToken

_TABLE = Notification.__table__
WHEN = datetime(2026, 12, 8, 1, 2, 3, 456789)


def values(contact_point, integration, **changes):
    row = {
        "dispatch_id": "d1", "contact_point_id": contact_point.id,
        "integration_id": integration.id, "contact_point_name": contact_point.name,
        "integration_type": integration.type,
        "group": {"status": "firing", "labels": {"é": "ü\u2028"}, "n": [1.5, None, True]},
        "group_key": "{}:{}", "status": PENDING, "source": "webhook", "attempts": 0,
        "due_at": WHEN, "created_at": WHEN, "finished_at": None, "fallback_of_id": None,
        "fallback_done": True, "claimed_by": "",
    }
    return {**row, **changes}


def stored_rows() -> list[tuple]:
    columns = [_TABLE.c[name] for name in (
        "dispatch_id", "contact_point_id", "integration_id", "group", "due_at", "created_at",
        "finished_at", "fallback_done", "parts_done", "lease_until", "first_attempt_at")]
    rows = db.session.execute(select(*columns).order_by(_TABLE.c.id)).all()
    return [tuple(row) for row in rows]


def test_the_outbox_insert_stores_what_sqlalchemy_stores(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"}),
                                               ("webhook", {"url": "http://127.0.0.1:9/b"})])
    first, second = contact_point.integrations

    db.session.execute(_TABLE.insert(), [values(contact_point, first, dispatch_id="core")])
    outbox.insert_notifications([values(contact_point, first, dispatch_id="one")])
    outbox.insert_notifications([values(contact_point, first, dispatch_id="many"),
                                 values(contact_point, second, dispatch_id="many")])
    db.session.commit()

    core, one, *many = stored_rows()
    assert core[0] == "core" and core[4] == WHEN and core[7] is True
    assert core[8:] == (None, None, None)  # the columns left out keep their defaults
    assert one == ("one",) + core[1:]
    assert [row[0] for row in many] == ["many", "many"]
    assert [row[2] for row in many] == [first.id, second.id]
    assert many[0][1:] == core[1:]


def test_a_select_reads_what_sqlalchemy_reads(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    (integration,) = contact_point.integrations
    outbox.insert_notifications([values(contact_point, integration, fallback_done=False),
                                 values(contact_point, integration, finished_at=WHEN)])
    db.session.commit()
    statement = (select(_TABLE.c.id, _TABLE.c.group, _TABLE.c.finished_at,
                        _TABLE.c.fallback_done)
                 .where(_TABLE.c.contact_point_name == bindparam("name"))
                 .order_by(_TABLE.c.id))

    direct = DirectStatement(statement).all({"name": "ops"})
    core = [tuple(row) for row in db.session.execute(statement, {"name": "ops"})]

    assert direct == core
    assert [type(value) for value in direct[0]] == [int, dict, type(None), bool]
    assert direct[1][2:] == (WHEN, True)
    assert DirectStatement(statement).all({"name": "nobody"}) == []


def test_a_statement_that_expands_its_parameters_when_run_is_refused(app):
    statement = select(_TABLE.c.id).where(
        tuple_(_TABLE.c.id).in_(bindparam("ids", expanding=True)))

    with pytest.raises(ValueError, match="cannot expand parameters"):
        DirectStatement(statement).all({"ids": [(1,)]})


def test_values_written_into_the_statement_are_sent_with_it(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    (integration,) = contact_point.integrations
    outbox.insert_notifications([values(contact_point, integration, dispatch_id=name)
                                 for name in ("a", "b", "c")])
    db.session.commit()
    finish = DirectStatement(
        update(_TABLE)
        .where(_TABLE.c.dispatch_id == bindparam("b_dispatch"), _TABLE.c.status == PENDING)
        .values(status="sent", finished_at=bindparam("b_when"), parts_done=None))

    finish.many([{"b_dispatch": "a", "b_when": WHEN}, {"b_dispatch": "c", "b_when": None}])
    db.session.commit()

    assert db.session.execute(select(_TABLE.c.dispatch_id, _TABLE.c.status,
                                     _TABLE.c.finished_at).order_by(_TABLE.c.id)).all() == [
        ("a", "sent", WHEN), ("b", PENDING, None), ("c", "sent", None)]


def test_a_column_whose_default_python_computes_must_be_given(app):
    with pytest.raises(ValueError, match="column defaults in Python"):
        DirectInsert(ApiToken.__table__).many([{"name": "t", "role": "viewer"}])


def test_a_refused_statement_raises_what_sqlalchemy_raises(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    (integration,) = contact_point.integrations

    with pytest.raises(IntegrityError) as raised:  # due_at may not be NULL
        outbox.insert_notifications([values(contact_point, integration, due_at=None)])

    assert "[SQL: INSERT INTO notification" in str(raised.value)
    db.session.rollback()
    outbox.insert_notifications([values(contact_point, integration)])  # the session goes on
    db.session.commit()
    assert len(stored_rows()) == 1


def test_a_connection_the_server_dropped_is_replaced(app, make_contact_point):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    db.session.commit()
    pid = db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with db.engine.connect() as other:  # the session holds its connection meanwhile
        other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")

    with pytest.raises(OperationalError) as raised:
        outbox.find_target("ops")

    assert raised.value.connection_invalidated
    db.session.rollback()
    assert outbox.find_target("ops").name == "ops"  # a new connection from the pool


def test_a_name_bound_twice_is_converted_once(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    (integration,) = contact_point.integrations
    outbox.insert_notifications([values(contact_point, integration)])
    db.session.commit()
    statement = select(_TABLE.c.dispatch_id, func.coalesce(
        bindparam("j", type_=JSON), bindparam("j", type_=JSON))).where(
        _TABLE.c.due_at <= bindparam("t"), _TABLE.c.created_at <= bindparam("t"))
    given = {"t": WHEN, "j": {"a": 1}}

    assert DirectStatement(statement).all(given) == [
        tuple(row) for row in db.session.execute(statement, given)] == [("d1", {"a": 1})]


def test_numbers_read_as_sqlalchemy_reads_them(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    (integration,) = contact_point.integrations
    outbox.insert_notifications([values(contact_point, integration, attempts=3)] * 2)
    db.session.commit()
    statement = select(func.sum(_TABLE.c.attempts, type_=Numeric(10, 2)),
                       func.avg(_TABLE.c.attempts, type_=Float())).where(
        _TABLE.c.contact_point_name == bindparam("name"))

    direct = DirectStatement(statement).all({"name": "ops"})

    assert direct == [tuple(db.session.execute(statement, {"name": "ops"}).one())]
    assert direct == [(Decimal("6.00"), 3.0)]


def test_a_missing_value_is_said_in_words(app):
    finish = DirectStatement(update(_TABLE).where(_TABLE.c.id == bindparam("b_id"))
                             .values(finished_at=bindparam("b_when", type_=DateTime())))

    with pytest.raises(StatementError, match="no value given for b_when"):
        finish.many([{"b_id": 1}])
    with pytest.raises(StatementError):  # said by the type (SQLite) or the driver
        finish.many([{"b_id": 1, "b_when": object()}])


def test_a_value_computed_when_run_is_refused(app):
    statement = select(_TABLE.c.id).where(
        _TABLE.c.created_at < bindparam("now", callable_=datetime.now))

    with pytest.raises(ValueError, match="no values computed when run"):
        DirectStatement(statement).all({})


def test_a_lost_connection_empties_the_pool(app, make_contact_point):
    """After a database restart, the pool's other connections are dead too: they are
    dropped with the one that failed, not left to fail one request each."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to restart")
    import psycopg
    make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    db.session.commit()
    idle = db.engine.connect()  # a second pooled connection, idle when the server goes
    idle.exec_driver_sql("SELECT 1")
    db.session.connection().exec_driver_sql("SELECT 1")
    idle.close()
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE pid <> pg_backend_pid() AND datname = current_database()")

    with pytest.raises(OperationalError):
        outbox.find_target("ops")
    db.session.rollback()

    with db.engine.connect() as first, db.engine.connect() as second:
        assert [first.exec_driver_sql("SELECT 1").scalar(),
                second.exec_driver_sql("SELECT 1").scalar()] == [1, 1]
