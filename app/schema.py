"""Bring the database schema up to date at start, through the migrations, once however many
processes start together; and say whether the schema is current."""
from __future__ import annotations

from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app.accounts import ensure_admin
from app.extensions import db
from app.locks import held_at_start
from app.provisioning import provision_at_start


def revisions() -> tuple[set[str], set[str]]:
    """(the revisions the database is at, the newest revisions the code knows)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current, heads


def upgrade_database() -> bool:
    """Apply every pending migration (a new database gets the whole schema); True if any."""
    current, heads = revisions()
    if current == heads:
        return False
    upgrade()
    current_app.logger.info("Migrated the database from %s to %s",
                            ", ".join(sorted(current)) or "an empty database",
                            ", ".join(sorted(heads)))
    return True


def start_lock_file(app: Flask) -> Path | None:
    """The lock file of a SQLite database: next to it, so every process using it agrees."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = Path(url.database)
    return database.with_name(database.name + ".start-lock")


def start_up(app: Flask) -> None:
    """Migrations, the unattended admin and provisioning: one process at a time."""
    config = app.config
    if not (config["HERALD_AUTO_MIGRATE"] or config["HERALD_ADMIN_USER"]
            or config["HERALD_PROVISIONING_DIR"]):
        return
    with app.app_context():
        with held_at_start(db.engine, start_lock_file(app)):
            if config["HERALD_AUTO_MIGRATE"]:
                upgrade_database()
            if config["HERALD_ADMIN_USER"]:
                ensure_admin(config["HERALD_ADMIN_USER"], config["HERALD_ADMIN_PASSWORD"])
            if config["HERALD_PROVISIONING_DIR"]:
                provision_at_start(config["HERALD_PROVISIONING_DIR"])
        db.session.remove()
        # No connection outlives start-up (the lock's included, so this comes after it): a
        # server that forks later (gunicorn --preload) must not share one between processes.
        db.engine.dispose()
