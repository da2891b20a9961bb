"""API tokens page (admins): make a named token with a role (its value shown once), revoke."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.auth import actor_name, requires
from app.extensions import db
from app.models import TOKEN_ROLES, ApiToken
from app.provisioning import tokens
from app.web import is_htmx

bp = Blueprint("tokens", __name__)


def _page(status: int = 200, form: dict | None = None, errors: dict | None = None,
          value: str = "", created: ApiToken | None = None):
    return render_template("tokens/list.html", tokens=tokens.list_tokens(), roles=TOKEN_ROLES,
                           form=form or {}, errors=errors or {}, value=value,
                           created=created), status


@bp.get("/api-tokens")
@requires("admin")
def list_page():
    return _page()


@bp.post("/api-tokens")
@requires("admin")
def create():
    form = {"name": request.form.get("name", ""), "role": request.form.get("role", "")}
    token, value, errors = tokens.create_token(form["name"], form["role"], actor_name())
    if errors:
        return _page(422, form, errors)
    return _page(201, value=value, created=token)


@bp.post("/api-tokens/<int:token_id>/revoke")
@requires("admin")
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404, description="This token does not exist (any more).")
    name = token.name
    tokens.revoke_token(token)
    flash(f"Token “{name}” revoked.")
    if is_htmx():
        return "", 200, {"HX-Redirect": url_for("tokens.list_page")}
    return redirect(url_for("tokens.list_page"))
