"""Logging in and out, and creating the first admin account."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app import accounts
from app.auth import authenticate, end_session, has_users, requires, start_session

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot send people elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("contact_points.list_page")
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else url_for("contact_points.list_page")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not has_users():
        return redirect(url_for("auth.setup"))
    username, error = "", None
    if request.method == "POST":
        username = request.form.get("username", "")[:190]
        user, error = authenticate(username, request.form.get("password", "")[:1024],
                                   (request.remote_addr or "unknown")[:64])
        if user is not None:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", username=username, error=error), status


@bp.post("/logout")
@requires("viewer")
def logout():
    end_session()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first admin account; only while there is no account at all."""
    if has_users():
        return redirect(url_for("auth.login"))
    username, errors = "", {}
    if request.method == "POST":
        username = request.form.get("username", "")
        user, errors = accounts.create_user(
            username, request.form.get("password", ""), "admin",
            confirm=request.form.get("confirm", ""),
        )
        if user is not None:
            start_session(user)
            flash(f"Admin account “{user.username}” created.")
            return redirect(url_for("contact_points.list_page"))
    status = 422 if errors else 200
    return render_template("auth/setup.html", username=username, errors=errors), status
