"""Upgrading an existing database keeps its data."""
from __future__ import annotations

import json

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import make_config

FIRST_REVISION = "ca6619e7fa05"


def test_upgrade_from_the_first_schema_keeps_contact_points(fresh_database):
    app = create_app(make_config(fresh_database(migrated=False)))
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        db.session.execute(text(
            "INSERT INTO contact_point (uid, name, name_key, created_at, updated_at) "
            "VALUES ('cp1', 'Ops', 'ops', '2026-01-01', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO integration (uid, contact_point_id, type, settings, secure_settings, "
            "disable_resolve_message, position) VALUES ('i1', 1, 'email', "
            "'{\"addresses\": \"a@example.com\"}', '{}', false, 0)"))
        db.session.commit()

        upgrade()

        row = db.session.execute(text(
            "SELECT c.name, i.type, i.settings, i.review_note FROM contact_point c "
            "JOIN integration i ON i.contact_point_id = c.id")).one()
        settings = row.settings if isinstance(row.settings, dict) else json.loads(row.settings)
        assert (row.name, row.type, settings, row.review_note) == (
            "Ops", "email", {"addresses": "a@example.com"}, "")
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "audit_entry", "api_token", "login_failure"} <= tables
        db.engine.dispose()


def test_start_applies_migrations_to_a_new_database(fresh_database):
    app = create_app(make_config(fresh_database(migrated=False), HERALD_AUTO_MIGRATE=True))
    with app.app_context():
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        config = app.extensions["migrate"].migrate.get_config()
        assert version == ScriptDirectory.from_config(config).get_current_head()
        db.engine.dispose()
