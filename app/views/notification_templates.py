"""Notification templates tab."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.auth import requires

bp = Blueprint("notification_templates", __name__)


@bp.get("/notification-templates")
@requires("viewer")
def list_page():
    return render_template("notification_templates/list.html")
