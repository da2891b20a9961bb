"""Alert groups: the current groups by policy and contact point, with their alerts."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.alerting.overview import group_views
from app.auth import requires
from app.models import utcnow

bp = Blueprint("alert_groups", __name__, url_prefix="/alerting")


@bp.get("/groups")
@requires("viewer")
def list_page():
    now = utcnow()
    return render_template("alert_groups/list.html", groups=group_views(now), now=now)
