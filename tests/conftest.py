"""Shared fixtures: an app on a real temporary database, a CSRF-aware client, factories.

The database is a SQLite file, or a PostgreSQL database with `HERALD_TEST_DATABASE_URL`,
`pytest --database-url` or `HERALD_TEST_POSTGRES=1` (see tests/databases.py).
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app import create_app
from app.auth import hash_password, session_proof
from app.extensions import db
from app.models import ROLES, User
from app.provisioning.tokens import create_token
from tests.databases import (
    PostgresDatabases,
    SqliteDatabases,
    requested_server_url,
    wants_throwaway_cluster,
)
from tests.postgres_cluster import ThrowawayCluster

ENCRYPTION_KEY = Fernet.generate_key().decode()
PASSWORD = "correct horse battery"  # the password of the test accounts admin, editor, viewer
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def make_config(database: Path | str, **overrides: Any) -> dict[str, Any]:
    """The test configuration for an app on the given database URL (or SQLite file)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "HERALD_ENCRYPTION_KEYS": [ENCRYPTION_KEY],
        "SQLALCHEMY_DATABASE_URI": database if isinstance(database, str)
        else f"sqlite:///{database}",
        "HERALD_AUTO_MIGRATE": False,
        "HERALD_EXTERNAL_URL": "http://herald.test/",
    }
    config.update(overrides)
    return config


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--database-url", default=None,
                     help="a PostgreSQL URL (a user allowed to create databases): run the "
                          "database tests there instead of on SQLite files")


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Where this session's test databases are made: SQLite files or a PostgreSQL server."""
    server_url = requested_server_url(request.config.getoption("--database-url"))
    cluster = None
    try:
        if server_url is None and wants_throwaway_cluster():
            cluster = ThrowawayCluster().start()
            server_url = cluster.url()
        store = (PostgresDatabases(server_url) if server_url
                 else SqliteDatabases(tmp_path_factory.mktemp("databases")))
        yield store
        store.close()
    finally:
        if cluster is not None:
            cluster.stop()


@pytest.fixture(scope="session")
def migrated_database(databases) -> str:
    """The template database: the whole schema, made once through the migrations."""
    url = databases.template_url()
    application = create_app(make_config(url, HERALD_AUTO_MIGRATE=True))
    with application.app_context():
        for role in ROLES:  # one account per role, made once: password hashing is slow
            user = User(password_hash=hash_password(PASSWORD), role=role)
            user.set_username(role)
            db.session.add(user)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # SQLite folds the WAL into the file; PostgreSQL frees the template
    return url


@pytest.fixture
def fresh_database(databases, migrated_database) -> Iterator:
    """fresh_database() a copy of the migrated template; fresh_database(migrated=False) empty."""
    made: list[str] = []

    def make(migrated: bool = True) -> str:
        made.append(databases.copy_of_template() if migrated else databases.empty())
        return made[-1]

    yield make
    for url in made:
        databases.drop(url)


@pytest.fixture
def database_url(databases, migrated_database) -> Iterator[str]:
    """This test's database, with the schema and the test accounts and nothing else."""
    url = databases.scratch()
    yield url
    databases.release(url)


@pytest.fixture
def database_path(database_url: str, databases) -> Path:
    """The SQLite file behind database_url, for a test that hands a file to another process.

    Skipped on PostgreSQL: such a test should pass database_url on instead.
    """
    if databases.backend != "sqlite":
        pytest.skip("hands a SQLite file on; on PostgreSQL pass database_url instead")
    return Path(make_url(database_url).database)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = create_app(make_config(database_url))
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
