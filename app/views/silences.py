"""Silences: the list (active, pending, expired), the form, expire."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.alerting.models import Silence
from app.alerting.silence_form import SilenceForm, muted_counts
from app.alerting.silences import SilenceError, expire_silence, list_silences
from app.auth import current_principal, requires
from app.extensions import db
from app.models import utcnow
from app.web import is_htmx

bp = Blueprint("silences", __name__, url_prefix="/alerting")
STATES = ("active", "pending", "expired")


@bp.get("/silences")
@requires("viewer")
def list_page():
    now = utcnow()
    silences = list_silences()
    by_state = {state: [s for s in silences if s.state(now) == state] for state in STATES}
    return render_template("silences/list.html", by_state=by_state,
                           muted=muted_counts(silences, now), now=now)


def _render_form(form: SilenceForm, silence_id: str | None, status: int = 200):
    template = "silences/_form.html" if is_htmx() else "silences/form.html"
    return render_template(template, form=form, silence_id=silence_id), status


@bp.get("/silence/new")
@requires("editor")
def new():
    principal = current_principal()
    form = SilenceForm.prefilled(request.args.getlist("matcher"),
                                 principal.name if principal else "")
    return _render_form(form, None)


@bp.get("/silence/<silence_id>/edit")
@requires("editor")
def edit(silence_id: str):
    silence = db.session.get(Silence, silence_id)
    if silence is None:
        abort(404, description="There is no such silence.")
    return _render_form(SilenceForm.from_silence(silence), silence_id)


@bp.post("/silence/new")
@bp.post("/silence/<silence_id>/edit")
@requires("editor")
def save(silence_id: str | None = None):
    form = SilenceForm.from_request(request.form)
    if request.form.get("action") == "add-matcher":
        form.rows.append(("", "=", ""))
        return _render_form(form, silence_id)
    try:
        silence = form.save(silence_id)
    except LookupError:
        abort(404, description="There is no such silence.")
    if silence is None:
        db.session.rollback()
        return _render_form(form, silence_id, 422)
    db.session.commit()
    flash("Silence saved.")
    return redirect(url_for("silences.list_page"))


@bp.post("/silence/<silence_id>/expire")
@requires("editor")
def expire(silence_id: str):
    try:
        expire_silence(silence_id)
    except LookupError:
        abort(404, description="There is no such silence.")
    except SilenceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("silences.list_page"))
    db.session.commit()
    flash("Silence expired.")
    return redirect(url_for("silences.list_page"))
