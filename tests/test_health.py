"""/-/healthy and /-/ready, for a load balancer: no login, plain answers, 503 with reasons."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import update

from app import create_app
from app.delivery.models import WorkerHeartbeat
from app.delivery.worker import Worker
from app.extensions import db
from app.health import workers_alive
from app.models import utcnow
from tests.conftest import make_config
from tests.processes import wait_for

FIRST_REVISION = "ca6619e7fa05"


@pytest.mark.parametrize("path", ["/-/healthy", "/-/ready"])
def test_health_needs_no_login_and_sets_no_cookie(anonymous, path: str):
    answer = anonymous.get(path)

    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "OK\n")
    assert answer.mimetype == "text/plain"
    assert "Set-Cookie" not in answer.headers


def test_ready_names_pending_migrations(fresh_database):
    app = create_app(make_config(fresh_database(migrated=False)))
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        answer = app.test_client().get("/-/ready")
        db.engine.dispose()

    assert answer.status_code == 503
    text = answer.get_data(as_text=True)
    assert text.startswith(f"database migrations pending: the database is at {FIRST_REVISION}")
    assert "(run flask --app app db upgrade)" in text


def test_ready_says_when_the_database_does_not_answer(tmp_path):
    app = create_app(make_config(tmp_path / "no such folder" / "herald.sqlite3"))

    answer = app.test_client().get("/-/ready")

    assert (answer.status_code, answer.get_data(as_text=True)) == (503, "database unreachable\n")
    assert app.test_client().get("/-/healthy").status_code == 200


def test_ready_fails_when_workers_report_none_alive(app: Flask, anonymous, monkeypatch):
    monkeypatch.setattr("app.health.workers_alive", lambda: False)

    answer = anonymous.get("/-/ready")

    assert (answer.status_code, answer.get_data(as_text=True)) == (
        503, "no delivery worker is alive\n")


def test_ready_follows_the_workers_heartbeats(app: Flask, anonymous):
    assert workers_alive() is None  # no pool ever started: unknown, and ready
    worker = Worker(app, threads=1, poll=0.05).start()
    try:
        wait_for(lambda: db.session.rollback() or workers_alive(), 30, "a heartbeat")
        assert anonymous.get("/-/ready").status_code == 200
        # A pool killed without stopping leaves a heartbeat that only gets older.
        worker._last_beat = float("inf")  # (it stops beating)
        db.session.execute(update(WorkerHeartbeat).values(seen_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        answer = anonymous.get("/-/ready")
        assert (answer.status_code, answer.get_data(as_text=True)) == (
            503, "no delivery worker is alive\n")
    finally:
        assert worker.stop(10)
    db.session.rollback()
    assert workers_alive() is None  # a clean stop takes the heartbeat away
