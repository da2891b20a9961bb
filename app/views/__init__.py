"""Blueprints."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.views import contact_points

    app.register_blueprint(contact_points.bp)
