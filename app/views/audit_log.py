"""Audit log page (admins)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from app.auth import requires
from app.extensions import db
from app.models import AuditEntry

bp = Blueprint("audit_log", __name__)
PAGE_SIZE = 50


@bp.get("/audit-log")
@requires("admin")
def list_page():
    number = max(1, request.args.get("page", 1, type=int) or 1)
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    entries = db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc())
        .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("audit/list.html", entries=entries, number=number, pages=pages)
