"""Delivery history: every attempt, filtered and paginated; its exchange; Resend."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth import requires
from app.delivery import history
from app.delivery.batch import deliver
from app.extensions import db
from app.integrations import types_by_label
from app.models import ContactPoint, DeliveryAttempt, name_key, utcnow
from app.web import is_htmx

bp = Blueprint("history", __name__, url_prefix="/alerting/history")
PERIODS = {"1h": ("Last hour", timedelta(hours=1)), "24h": ("Last 24 hours", timedelta(days=1)),
           "7d": ("Last 7 days", timedelta(days=7)), "all": ("Everything kept", None)}


def _filters() -> tuple[history.Filters, dict[str, str], ContactPoint | None]:
    """The filters in the query string, the raw values (to show them back), the contact point."""
    args = {key: request.args.get(key, "")[:200] for key in
            ("contact_point", "type", "outcome", "period")}
    contact_point = None
    if args["contact_point"].strip():
        contact_point = db.session.scalar(select(ContactPoint).where(
            ContactPoint.name_key == name_key(args["contact_point"])))
    period = PERIODS.get(args["period"] or "all", PERIODS["all"])[1]
    filters = history.Filters(
        contact_point_id=(contact_point.id if contact_point else -1)
        if args["contact_point"].strip() else None,
        integration_type=args["type"],
        outcome=args["outcome"] if args["outcome"] in history.OUTCOMES else "",
        since=utcnow() - period if period else None,
    )
    return filters, args, contact_point


@bp.get("")
@requires("viewer")
def list_page():
    filters, args, contact_point = _filters()
    number = max(1, request.args.get("page", 1, type=int) or 1)
    attempts, has_next = history.page(filters, number, current_app.config["HERALD_PAGE_SIZE"])
    template = "history/list.html"
    if is_htmx() and request.headers.get("HX-Target") == "history":
        template = "history/_list.html"
    type_options = [("", "All integrations")] + [(t.type, t.label) for t in types_by_label()]
    period_options = [(key, label) for key, (label, _) in PERIODS.items()]
    return render_template(template, attempts=attempts, has_next=has_next, number=number,
                           args=args, contact_point=contact_point, type_options=type_options,
                           period_options=period_options)


@bp.get("/<int:attempt_id>")
@requires("viewer")
def entry(attempt_id: int):
    attempt = db.session.get(DeliveryAttempt, attempt_id) or abort(
        404, description="This delivery attempt is not kept (any more).")
    template = "history/_exchange.html" if is_htmx() else "history/entry.html"
    return render_template(template, attempt=attempt)


@bp.post("/<int:attempt_id>/resend")
@requires("editor")
def resend(attempt_id: int):
    attempt = db.session.get(DeliveryAttempt, attempt_id) or abort(
        404, description="This delivery attempt is not kept (any more).")
    try:
        row = history.resend(attempt, claim := f"resend:{secrets.token_hex(6)}")
    except history.ResendRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("history.entry", attempt_id=attempt_id))
    status = deliver(row.id, claim)
    flash("Sent again: delivered." if status == "sent" else
          "Sent again: it failed; see the newest attempt.", "success" if status == "sent"
          else "error")
    return redirect(url_for("history.list_page", contact_point=row.contact_point_name))
