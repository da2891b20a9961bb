"""Configuration from the environment, with generated keys kept in the instance folder."""
from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.transport.outbound import entries_from_env

MAX_BODY_BYTES = 1024 * 1024


def read_or_create_key(path: Path, make_key) -> str:
    """Return the key stored at path, creating it (mode 0600) on first use."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = None
    if key == "":
        raise RuntimeError(f"{path} is empty: remove it to generate a new key, or restore it")
    if key:
        return key
    # Written whole to a private file, then linked into place: a process starting at the
    # same moment sees either no key file or a complete one, never a half-written one.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(make_key() + "\n")
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return read_or_create_key(path, make_key)


def create_private_sqlite_file(url: str) -> None:
    """Create a SQLite database file mode 0600 before SQLite does (its -wal and -shm copy it).

    Private from the start, wherever it is: it holds password hashes and token digests.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # SQLAlchemy reports the bad URL
    name = parsed.database or ""
    if not parsed.drivername.startswith("sqlite") or name in ("", ":memory:") or \
            name.startswith("file:"):
        return
    with contextlib.suppress(FileExistsError, FileNotFoundError):  # its folder: SQLite says
        os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number of seconds, got {raw!r}") from exc


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from exc


def _list_env(name: str) -> tuple[str, ...]:
    """A comma-separated list, lower-cased, without empty entries."""
    return tuple(p.strip().lower() for p in os.environ.get(name, "").split(",") if p.strip())


def _bool_env(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise RuntimeError(f"{name} must be 1 or 0 (true or false), got {raw!r}")


def _choice_env(name: str, choices: tuple[str, ...]) -> str:
    """One of choices (the first is the default), or a clear error at start."""
    raw = (os.environ.get(name) or choices[0]).strip().lower()
    if raw not in choices:
        raise RuntimeError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from the environment; test_config entries override it."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ
    test_config = test_config or {}

    database = instance / "herald.sqlite3"

    def key_from(env_name: str, filename: str, make_key) -> str:
        return env.get(env_name) or read_or_create_key(instance / filename, make_key)

    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=env.get("HERALD_DATABASE_URL") or f"sqlite:///{database}",
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        HERALD_EXTERNAL_URL=env.get("HERALD_EXTERNAL_URL", "http://127.0.0.1:5000/").rstrip("/")
        + "/",
        HERALD_HTTP_TIMEOUT=_float_env("HERALD_HTTP_TIMEOUT", 10.0),
        # 0 for deployments that migrate as a release step (flask --app app db upgrade).
        HERALD_AUTO_MIGRATE=_bool_env("HERALD_AUTO_MIGRATE", True),
        HERALD_PAGE_SIZE=25,
        HERALD_SESSION_IDLE_MINUTES=_float_env("HERALD_SESSION_IDLE_MINUTES", 60.0),
        HERALD_TEST_RATE_LIMIT=_int_env("HERALD_TEST_RATE_LIMIT", 20),
        HERALD_PROXY_HOPS=_int_env("HERALD_PROXY_HOPS", 0),
        # An alert sent without endsAt resolves after this long without a refresh.
        HERALD_RESOLVE_TIMEOUT=_float_env("HERALD_RESOLVE_TIMEOUT", 300.0),
        HERALD_RETRY_ATTEMPTS=_int_env("HERALD_RETRY_ATTEMPTS", 3),
        HERALD_RETRY_BACKOFF=_float_env("HERALD_RETRY_BACKOFF", 1.0),
        HERALD_RETRY_MAX_TIME=_float_env("HERALD_RETRY_MAX_TIME", 30.0),
        HERALD_SEND_WORKERS=_int_env("HERALD_SEND_WORKERS", 16),
        HERALD_WORKERS=_int_env("HERALD_WORKERS", 4),
        HERALD_HISTORY_DAYS=_float_env("HERALD_HISTORY_DAYS", 14.0),
        HERALD_DATA_RETENTION_HOURS=_float_env("HERALD_DATA_RETENTION_HOURS", 120.0),
        HERALD_LEASE_SECONDS=_float_env("HERALD_LEASE_SECONDS", 0.0),
        HERALD_METRICS_PUBLIC=env.get("HERALD_METRICS_PUBLIC", "").lower() in ("1", "true", "yes"),
        HERALD_TELEGRAM_API_URL=env.get("HERALD_TELEGRAM_API_URL", "https://api.telegram.org"),
        HERALD_TWILIO_API_URL=env.get("HERALD_TWILIO_API_URL", "https://api.twilio.com"),
        # Apprise schemes that do not speak HTTP, which Herald lets through anyway.
        HERALD_APPRISE_SCHEMES=_list_env("HERALD_APPRISE_SCHEMES"),
        HERALD_PUSHOVER_API_URL=env.get("HERALD_PUSHOVER_API_URL",
                                        "https://api.pushover.net/1/messages.json"),
        HERALD_THREEMA_API_URL=env.get("HERALD_THREEMA_API_URL",
                                       "https://msgapi.threema.ch/send_simple"),
        # Destination policy (app/outbound.py): hosts, *.globs, IPs and CIDR ranges.
        HERALD_OUTBOUND_ALLOW=entries_from_env("HERALD_OUTBOUND_ALLOW"),
        HERALD_OUTBOUND_DENY=entries_from_env("HERALD_OUTBOUND_DENY"),
        HERALD_ADMIN_USER=env.get("HERALD_ADMIN_USER", ""),
        HERALD_ADMIN_PASSWORD=env.get("HERALD_ADMIN_PASSWORD", ""),
        HERALD_PROVISIONING_DIR=env.get("HERALD_PROVISIONING_DIR", ""),
        HERALD_LOG_FORMAT=_choice_env("HERALD_LOG_FORMAT", ("logfmt", "json")),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Only send the cookie when the session changes: a response to an older request in
        # flight (a live preview, say) must not overwrite a newer session, flashes and all.
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=timedelta(days=7),
        WTF_CSRF_TIME_LIMIT=None,
        SMTP={
            "host": env.get("HERALD_SMTP_HOST", ""),
            "port": _int_env("HERALD_SMTP_PORT", 0),
            "user": env.get("HERALD_SMTP_USER", ""),
            "password": env.get("HERALD_SMTP_PASSWORD", ""),
            "from": env.get("HERALD_SMTP_FROM", ""),
            "tls": _choice_env("HERALD_SMTP_TLS", ("starttls", "ssl", "none")),
        },
    )
    app.config.update(test_config)
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if "SESSION_COOKIE_SECURE" not in test_config:  # secure cookies when served over HTTPS
        app.config["SESSION_COOKIE_SECURE"] = app.config["HERALD_EXTERNAL_URL"].startswith(
            "https://"
        )
    if "SECRET_KEY" not in test_config:
        app.config["SECRET_KEY"] = key_from(
            "HERALD_SECRET_KEY", "secret_key", lambda: secrets.token_hex(32)
        )
    if "HERALD_ENCRYPTION_KEYS" not in test_config:
        raw = key_from(
            "HERALD_ENCRYPTION_KEY", "encryption_key", lambda: Fernet.generate_key().decode()
        )
        # Comma-separated: the first key encrypts, all of them decrypt (rotation).
        app.config["HERALD_ENCRYPTION_KEYS"] = [k.strip() for k in raw.split(",") if k.strip()]
