"""Blueprints, and what every page template may use."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from app.models import ROLES, TOKEN_ROLES, utcnow

TYPE_SEARCH_AFTER = 12  # integration types in the dropdown before it gets a search field


def time_ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'3 minutes ago' style text for a naive UTC time."""
    if moment is None:
        return ""
    seconds = max(0, int(((now or utcnow()) - moment).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now" if seconds < 10 else f"{seconds} seconds ago"


TOKEN_ROLE_LABELS = {"sender": "Sender (may only post alerts)"}


def register(app: Flask) -> None:
    from app.alerting.tree import format_duration
    from app.auth import current_principal
    from app.contact_points import describe
    from app.integrations import REGISTRY
    from app.template_fields import mode_of, saved_template_names
    from app.views import (
        alert_groups,
        alertmanager,
        api,
        audit_log,
        auth,
        contact_points,
        health,
        history,
        intake,
        notification_templates,
        policies,
        provisioning,
        settings,
        silences,
        tokens,
        users,
    )
    from app.views.rows import contact_point_row, row_html

    for blueprint in (contact_points.bp, notification_templates.bp, auth.bp, users.bp,
                      audit_log.bp, api.bp, provisioning.bp, tokens.bp, history.bp,
                      settings.bp, alertmanager.bp, policies.bp, silences.bp,
                      alert_groups.bp, health.bp):
        app.register_blueprint(blueprint)
    intake.register(app)
    def can(role: str) -> bool:
        principal = current_principal()
        return principal is not None and principal.can(role)

    app.jinja_env.globals.update(
        registry=REGISTRY, describe=describe,
        current_principal=current_principal, can=can,
        mode_of=mode_of, saved_template_names=saved_template_names,
        role_options=[(role, role.capitalize()) for role in ROLES],
        token_role_options=[(role, TOKEN_ROLE_LABELS.get(role, role.capitalize()))
                            for role in TOKEN_ROLES],
        # A search field above the Integration dropdown once its list is long.
        type_search=len(REGISTRY) > TYPE_SEARCH_AFTER,
        contact_point_row=contact_point_row, row_html=row_html,
    )
    app.jinja_env.filters["time_ago"] = time_ago
    app.jinja_env.filters["duration"] = format_duration
