"""State that every Herald process sharing one database sees: login throttling, the test
rate limit, sessions and API token use are kept in the database, not in process memory."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import ApiToken, User, utcnow
from app.provisioning.tokens import create_token
from tests.conftest import FormClient, log_in, make_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def other_instance(database_url: str):
    """A second Herald on the same database, as another process would be."""
    application = create_app(make_config(database_url))
    application.test_client_class = FormClient
    yield application
    with application.app_context():
        db.engine.dispose()


def test_test_deliveries_count_together_on_two_instances(
        app: Flask, other_instance: Flask, client_as, make_contact_point):
    for instance in (app, other_instance):
        instance.extensions["herald_test_limiter"].limit = 2
    contact_point = make_contact_point("empty")
    path = f"/contact-points/{contact_point.uid}/test"
    assert client_as("editor").post(path).status_code == 200
    with other_instance.app_context():
        elsewhere = log_in(other_instance.test_client(), "editor")
    assert elsewhere.post(path).status_code == 200

    limited = client_as("editor").post(path)

    assert limited.status_code == 429
    assert "Too many tests: at most 2 a minute." in limited.get_data(as_text=True)


def test_logging_out_on_one_instance_ends_the_session_on_the_other(
        app: Flask, other_instance: Flask, client_as):
    here = client_as("editor")
    with other_instance.app_context():
        there = log_in(other_instance.test_client(), "editor")
    assert there.get("/contact-points").status_code == 200

    here.post("/logout")

    assert there.get("/contact-points").status_code == 302


def test_token_use_is_recorded_whichever_instance_serves_it(
        app: Flask, other_instance: Flask, anonymous):
    token, value, _ = create_token("script", "viewer", "")
    headers = {"Authorization": f"Bearer {value}"}
    assert anonymous.get("/api/v1/provisioning/templates", headers=headers).status_code == 200
    first = db.session.scalar(select(ApiToken.last_used_at))
    assert first is not None
    token.last_used_at = first - timedelta(minutes=5)
    db.session.commit()

    answer = other_instance.test_client().get("/api/v1/provisioning/templates", headers=headers)

    assert answer.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) >= utcnow() - timedelta(minutes=1)


def test_guesses_from_two_processes_at_once_meet_one_lock(app: Flask, database_url, tmp_path):
    go = tmp_path / "go"
    guessers = [subprocess.Popen(
        [sys.executable, "-m", "tests.guess_logins", database_url, str(go), "5"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    go.touch()
    answers = Counter()
    for guesser in guessers:
        output, _ = guesser.communicate(timeout=120)
        assert guesser.returncode == 0
        answers.update(output.splitlines())

    # Checked one by one across both processes: five count, the other five meet the lock.
    assert answers == {"Invalid username or password": 5, "Too many failed logins": 5}
    db.session.expire_all()
    assert db.session.scalar(select(User.failed_logins).where(User.username == "viewer")) == 5
