"""Bring the database schema up to date at start, through the migrations."""
from __future__ import annotations

from flask_migrate import upgrade


def upgrade_database() -> None:
    """Apply every pending migration (a new database gets the whole schema)."""
    upgrade()
