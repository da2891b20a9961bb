"""Blueprints, and what every page template may use."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.contact_points import describe
    from app.integrations import REGISTRY
    from app.views import contact_points, notification_templates

    app.register_blueprint(contact_points.bp)
    app.register_blueprint(notification_templates.bp)
    app.jinja_env.globals.update(registry=REGISTRY, describe=describe)
