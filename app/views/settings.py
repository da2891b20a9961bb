"""Settings (admins): the email (SMTP) configuration in effect, and a test email."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from app.auth import actor_name, requires
from app.mail_settings import (
    SendError,
    address_problem,
    is_configured,
    send_test_email,
    smtp_rows,
)

bp = Blueprint("settings", __name__)


def _page(status: int = 200, **context):
    smtp = current_app.config.get("SMTP") or {}
    context.setdefault("to", "")
    return render_template("settings/email.html", rows=smtp_rows(smtp),
                           configured=is_configured(smtp), **context), status


@bp.get("/settings/email")
@requires("admin")
def email_page():
    return _page()


@bp.post("/settings/email/test")
@requires("admin")
def send_test():
    """Send a test email to the address given; the page says what happened."""
    to = request.form.get("to", "").strip()
    problem = address_problem(to)
    if problem:
        return _page(422, to=to, error=problem)
    current_app.extensions["herald_test_limiter"].hit(actor_name())
    try:
        send_test_email(current_app.config.get("SMTP") or {}, to, actor_name(),
                        current_app.config["HERALD_EXTERNAL_URL"])
    except SendError as exc:
        return _page(to=to, failure=f"Test email failed: {exc}")
    return _page(to=to, sent=f"Test email sent to {to}. Check that inbox.")
