"""/-/healthy and /-/ready, for a load balancer: no login, plain answers, 503 with reasons."""
from __future__ import annotations

import pytest
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.conftest import make_config

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
