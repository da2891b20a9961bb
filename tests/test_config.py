"""Configuration from the environment: defaults, generated keys, clear errors."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app import create_app
from app.config import read_or_create_key
from tests.conftest import make_config


def test_generated_key_is_private_and_stable(tmp_path: Path):
    path = tmp_path / "secret_key"
    first = read_or_create_key(path, lambda: "generated")
    assert first == "generated"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create_key(path, lambda: "other") == "generated"


def test_cookies_are_secure_when_served_over_https(tmp_path: Path):
    plain = create_app(make_config(tmp_path / "a.sqlite3"))
    secure = create_app(make_config(tmp_path / "b.sqlite3",
                                    HERALD_EXTERNAL_URL="https://herald.example/"))
    assert plain.config["SESSION_COOKIE_SECURE"] is False
    assert secure.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(("name", "value", "message"), [
    ("HERALD_HTTP_TIMEOUT", "soon", "HERALD_HTTP_TIMEOUT must be a number of seconds"),
    ("HERALD_SMTP_PORT", "twenty-five", "HERALD_SMTP_PORT must be a whole number"),
    ("HERALD_SMTP_TLS", "maybe", "HERALD_SMTP_TLS must be one of starttls, ssl, none"),
])
def test_bad_environment_values_stop_start_with_a_clear_message(
    tmp_path: Path, monkeypatch, name, value, message
):
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=message):
        create_app(make_config(tmp_path / "c.sqlite3"))


def test_smtp_settings_come_from_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HERALD_SMTP_HOST", "mail.internal")
    monkeypatch.setenv("HERALD_SMTP_PORT", "2525")
    monkeypatch.setenv("HERALD_SMTP_TLS", "SSL")
    app = create_app(make_config(tmp_path / "d.sqlite3"))
    assert app.config["SMTP"]["host"] == "mail.internal"
    assert (app.config["SMTP"]["port"], app.config["SMTP"]["tls"]) == (2525, "ssl")


def test_admin_account_from_the_environment(fresh_database, monkeypatch):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    monkeypatch.setenv("HERALD_ADMIN_USER", "ops-admin")
    monkeypatch.setenv("HERALD_ADMIN_PASSWORD", "a long password")
    app = create_app(make_config(fresh_database(migrated=False), HERALD_AUTO_MIGRATE=True))
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.username, user.role) == ("ops-admin", "admin")
        db.engine.dispose()


def test_an_empty_key_file_stops_start_instead_of_using_an_empty_key(tmp_path: Path):
    path = tmp_path / "secret_key"
    path.write_text("\n")
    with pytest.raises(RuntimeError, match="is empty"):
        read_or_create_key(path, lambda: "generated")


def test_too_large_a_request_says_the_limit(client):
    response = client.post("/contact-points/new", data={"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "larger than Herald accepts (1,024 KiB)" in response.get_data(as_text=True)


def test_behind_a_proxy_the_client_address_counts(database_url: str):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import LoginFailure

    app = create_app(make_config(database_url, HERALD_PROXY_HOPS=1, WTF_CSRF_ENABLED=False))
    client = app.test_client()
    client.post("/login", data={"username": "nobody", "password": "wrong"},
                headers={"X-Forwarded-For": "203.0.113.9"})
    with app.app_context():
        assert db.session.scalar(select(LoginFailure.address)) == "203.0.113.9"
        db.engine.dispose()


@pytest.mark.parametrize("url", ["sqlite:///{path}", "sqlite+pysqlite:///{path}"])
def test_a_database_anywhere_is_created_readable_by_its_owner_only(tmp_path: Path, monkeypatch,
                                                                   url):
    from app.extensions import db

    path = tmp_path / "elsewhere" / "herald.db"
    path.parent.mkdir()
    monkeypatch.setenv("HERALD_DATABASE_URL", url.format(path=path))
    old_umask = os.umask(0o022)
    try:
        config = make_config(tmp_path / "unused.sqlite3", HERALD_AUTO_MIGRATE=True)
        del config["SQLALCHEMY_DATABASE_URI"]  # the environment's URL, then
        app = create_app(config)
    finally:
        os.umask(old_umask)
    with app.app_context():
        connection = db.engine.connect()  # open: the -wal and -shm files exist meanwhile
        try:
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert [stat.S_IMODE(file.stat().st_mode) for file in files] == [0o600] * 3
        finally:
            connection.close()
            db.engine.dispose()
def test_a_forwarded_address_longer_than_any_address_still_counts(database_url: str):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import LoginFailure

    app = create_app(make_config(database_url, HERALD_PROXY_HOPS=1, WTF_CSRF_ENABLED=False))
    answer = app.test_client().post("/login", data={"username": "nobody", "password": "wrong"},
                                    headers={"X-Forwarded-For": "x" * 300})
    assert answer.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(LoginFailure.address)) == "x" * 64
        db.engine.dispose()
