"""Users page (admins): add accounts, change roles, reset passwords, remove accounts."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app import accounts
from app.auth import current_principal, requires
from app.extensions import db
from app.models import ROLES, User
from app.web import is_htmx

bp = Blueprint("users", __name__)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, description="This account does not exist (any more).")
    return user


def _page(status: int = 200, form: dict | None = None, errors: dict | None = None):
    users = db.session.scalars(select(User).order_by(User.name_key)).all()
    return render_template("users/list.html", users=users, roles=ROLES,
                           form=form or {}, errors=errors or {}), status


@bp.get("/users")
@requires("admin")
def list_page():
    return _page()


@bp.post("/users")
@requires("admin")
def create():
    form = {"username": request.form.get("username", ""), "role": request.form.get("role", "")}
    user, errors = accounts.create_user(form["username"], request.form.get("password", ""),
                                        form["role"])
    if errors:
        return _page(422, form, errors)
    flash(f"Account “{user.username}” added as {user.role}.")
    return redirect(url_for("users.list_page"))


def _apply(user_id: int, change, success: str, then: str = "users.list_page"):
    user = _user_or_404(user_id)
    problem = change(user)
    if problem and not is_htmx():
        return _page(422, errors={"row": problem, "row_user": user.id})
    if problem:  # an in-page request: say it on the reloaded page
        flash(problem, "error")
    else:
        flash(success.format(name=user.username))
    target = url_for("users.list_page" if problem else then)
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target)


@bp.post("/users/<int:user_id>/role")
@requires("admin")
def set_role(user_id: int):
    role = request.form.get("role", "")
    # An admin who steps down cannot see the Users page any more: go somewhere they can.
    stepping_down = user_id == current_principal().user_id and role != "admin"
    return _apply(user_id, lambda user: accounts.set_role(user, role),
                  f"Account “{{name}}” is now {role}.",
                  then="contact_points.list_page" if stepping_down else "users.list_page")


@bp.post("/users/<int:user_id>/password")
@requires("admin")
def reset_password(user_id: int):
    password = request.form.get("password", "")
    return _apply(user_id, lambda user: accounts.reset_password(user, password),
                  "Password of “{name}” changed; its open sessions have ended.")


@bp.post("/users/<int:user_id>/delete")
@requires("admin")
def delete(user_id: int):
    user = _user_or_404(user_id)
    name = user.username
    return _apply(user_id, accounts.delete_user, f"Account “{name}” removed.")
