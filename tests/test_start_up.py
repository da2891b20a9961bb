"""Start-up work (migrations, the unattended admin, provisioning) happens once, however
many Herald processes start together; HERALD_AUTO_MIGRATE=0 leaves it to a release step."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from app import create_app
from app.extensions import db
from app.models import AuditEntry, ContactPoint, User
from tests.conftest import ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 4


def test_processes_starting_together_migrate_and_provision_once(fresh_database, tmp_path):
    url = fresh_database(migrated=False)
    folder = tmp_path / "provisioning"
    folder.mkdir()
    (folder / "points.json").write_text(json.dumps({"apiVersion": 1, "contactPoints": [
        {"name": "from-disk", "receivers": [
            {"uid": "d1", "type": "webhook", "settings": {"url": "https://d.example/"}}]}]}))
    go = tmp_path / "go"
    starting = [subprocess.Popen(
        [sys.executable, "-m", "tests.start_herald", url, str(go), str(folder)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)]
    go.touch()
    outputs = [process.communicate(timeout=180) for process in starting]

    for process, (out, err) in zip(starting, outputs, strict=True):
        assert process.returncode == 0, err
        assert out.strip() == "started"
    logs = "".join(err for _, err in outputs)
    assert logs.count("Migrated the database from an empty database to") == 1, logs
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "HERALD_ENCRYPTION_KEYS":
                      [ENCRYPTION_KEY], "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        assert db.session.scalars(select(User.username)).all() == ["ops-admin"]
        assert db.session.scalars(select(ContactPoint.name)).all() == ["from-disk"]
        audited = db.session.execute(select(AuditEntry.action, AuditEntry.object_type)
                                     .order_by(AuditEntry.id)).all()
        assert [tuple(row) for row in audited] == [("create", "user"),
                                                   ("create", "contact-point")]
        db.engine.dispose()


def test_auto_migrate_off_leaves_an_empty_database_empty(fresh_database, monkeypatch):
    monkeypatch.setenv("HERALD_AUTO_MIGRATE", "0")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "HERALD_ENCRYPTION_KEYS":
                      [ENCRYPTION_KEY], "SQLALCHEMY_DATABASE_URI": fresh_database(migrated=False)})
    with app.app_context():
        assert app.config["HERALD_AUTO_MIGRATE"] is False
        assert inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_a_bad_auto_migrate_value_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("HERALD_AUTO_MIGRATE", "maybe")
    with pytest.raises(RuntimeError, match="HERALD_AUTO_MIGRATE must be 1 or 0"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
