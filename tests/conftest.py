"""Shared fixtures: an app on a real temporary SQLite file, a CSRF-aware client, factories."""
from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.auth import hash_password, session_proof
from app.extensions import db
from app.models import ROLES, User
from app.provisioning.tokens import create_token

ENCRYPTION_KEY = Fernet.generate_key().decode()
PASSWORD = "correct horse battery"  # the password of the test accounts admin, editor, viewer
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def make_config(database: Path, **overrides: Any) -> dict[str, Any]:
    """The test configuration for an app on the given SQLite file."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "HERALD_ENCRYPTION_KEYS": [ENCRYPTION_KEY],
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "HERALD_AUTO_MIGRATE": False,
        "HERALD_EXTERNAL_URL": "http://herald.test/",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the whole schema, made once through the migrations."""
    path = tmp_path_factory.mktemp("schema") / "herald.sqlite3"
    application = create_app(make_config(path, HERALD_AUTO_MIGRATE=True))
    with application.app_context():
        for role in ROLES:  # one account per role, made once: password hashing is slow
            user = User(password_hash=hash_password(PASSWORD), role=role)
            user.set_username(role)
            db.session.add(user)
        db.session.commit()
        db.engine.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture
def database_path(tmp_path: Path, migrated_database: Path) -> Path:
    path = tmp_path / "herald.sqlite3"
    shutil.copyfile(migrated_database, path)
    return path


@pytest.fixture
def app(database_path: Path) -> Iterator[Flask]:
    application = create_app(make_config(database_path))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


class FormClient(FlaskClient):
    """A test client that sends the CSRF token with every POST, like a browser would."""

    csrf_token: str | None = None

    def fetch_csrf_token(self) -> str:
        page = super().open("/login", follow_redirects=True).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "no csrf-token meta tag on the page"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def open(self, *args: Any, **kwargs: Any):
        # A fresh app context per request, as in production: otherwise the request would
        # reuse the test's context, sharing its `g` and its database session.
        with self.application.app_context():
            return self._open(*args, **kwargs)

    def _open(self, *args: Any, **kwargs: Any):
        method = kwargs.get("method", "GET")
        if method != "GET" and kwargs.pop("csrf", True):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token or self.fetch_csrf_token())
            kwargs["headers"] = headers
        response = super().open(*args, **kwargs)
        if method != "GET" and str(args[0] if args else "").startswith(("/login", "/setup",
                                                                          "/logout")):
            self.csrf_token = None  # logging in or out starts a new session, with a new token
        return response


def log_in(client: FlaskClient, username: str) -> FlaskClient:
    """Give the client the session a successful login as that account would."""
    user = db.session.scalar(select(User).where(User.username == username))
    with client.session_transaction() as session:
        session.update(user_id=user.id, proof=session_proof(user), seen=int(time.time()))
        session.permanent = True
    return client


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    """A client that has not logged in."""
    app.test_client_class = FormClient
    return app.test_client()


@pytest.fixture
def client_as(app: Flask):
    """client_as("viewer"): a new client logged in with that role's test account."""

    def make(username: str) -> FlaskClient:
        app.test_client_class = FormClient
        return log_in(app.test_client(), username)

    return make


@pytest.fixture
def client(client_as) -> FlaskClient:
    """A client logged in as an editor, the role that changes and tests contact points."""
    return client_as("editor")


@pytest.fixture
def make_contact_point(app: Flask):
    """Create a contact point with integrations: make_contact_point("ops", [("email", {...})])."""
    from app.contact_points import IntegrationInput, save_contact_point

    def make(name: str, integrations: list[tuple[str, dict[str, Any]]] = ()):
        blocks = [IntegrationInput(type=t, values=v) for t, v in integrations]
        result = save_contact_point(None, name, blocks)
        assert not result.errors, result.errors
        return result.contact_point

    return make


@pytest.fixture
def token(app):
    """token("viewer"): the Authorization header of a new API token with that role."""
    made = iter(range(1, 1000))

    def make(role: str = "editor") -> dict[str, str]:
        _, value, errors = create_token(f"{role} {next(made)}", role, "tests")
        assert not errors
        return {"Authorization": f"Bearer {value}"}

    return make
