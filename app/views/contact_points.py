"""Contact points: the list, the create/edit form and its htmx fragments."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import BadRequest

from app import contact_points as domain
from app.forms import FormState, new_block, parse_form, state_from_contact_point
from app.integrations import types_by_label
from app.models import ContactPoint

bp = Blueprint("contact_points", __name__)


def _contact_point_or_404(uid: str) -> ContactPoint:
    contact_point = domain.get_contact_point(uid)
    if contact_point is None:
        abort(404, description="This contact point does not exist (any more).")
    return contact_point


@bp.get("/")
def index():
    return redirect(url_for("contact_points.list_page"))


@bp.get("/contact-points")
def list_page():
    search = request.args.get("search", "")[:200]
    number = request.args.get("page", 1, type=int) or 1
    page = domain.list_contact_points(search, number, _page_size())
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "contact-points":
        return render_template("contact_points/_list.html", page=page, search=search)
    return render_template("contact_points/list.html", page=page, search=search)


def _page_size() -> int:
    from flask import current_app

    return current_app.config["HERALD_PAGE_SIZE"]


@bp.get("/contact-points/new")
def new():
    return _render_form(FormState(blocks=[new_block()]), None)


@bp.get("/contact-points/<uid>/edit")
def edit(uid: str):
    contact_point = _contact_point_or_404(uid)
    return _render_form(state_from_contact_point(contact_point), contact_point)


@bp.post("/contact-points/new")
@bp.post("/contact-points/<uid>/edit")
def submit(uid: str | None = None):
    """Save the form, or apply a block action (add, duplicate, delete, retype, reset)."""
    contact_point = _contact_point_or_404(uid) if uid else None
    state = parse_form(request.form, contact_point)
    action, _, argument = request.form.get("action", "save").partition(":")
    if action != "save":
        return _apply_block_action(state, contact_point, action, argument)
    result = domain.save_contact_point(
        contact_point, state.name, [block.to_input() for block in state.blocks]
    )
    if result.errors:
        state.name_error = result.name_error
        for block, errors in zip(state.blocks, result.block_errors, strict=True):
            block.errors = errors
        return _render_form(state, contact_point, status=422)
    verb = "updated" if contact_point else "created"
    flash(f'Contact point "{result.contact_point.name}" {verb}.')
    return redirect(url_for("contact_points.list_page"))


def _apply_block_action(state: FormState, contact_point, action: str, argument: str):
    token, _, key = argument.partition(":")
    fragment = request.headers.get("HX-Request") == "true"
    if action == "add":
        block = new_block()
        state.blocks.append(block)
    elif action in ("duplicate", "delete", "retype", "reset"):
        block = state.block(token)
        position = state.blocks.index(block)
        if action == "duplicate":
            block = block.copy()
            state.blocks.insert(position + 1, block)
        elif action == "delete":
            state.blocks.remove(block)
            if fragment:
                return ""
        elif action == "retype":
            block = state.blocks[position] = block.retyped(block.type)
        else:
            block.configured.discard(key)
            block.values[key] = ""
    else:
        raise BadRequest(f"Unknown form action: {action[:32]!r}.")
    if fragment:
        return render_template(
            "contact_points/_integration.html", block=block, types=types_by_label()
        )
    return _render_form(state, contact_point)


def _render_form(state: FormState, contact_point: ContactPoint | None, status: int = 200):
    return (
        render_template(
            "contact_points/form.html",
            state=state,
            contact_point=contact_point,
            types=types_by_label(),
        ),
        status,
    )


@bp.post("/contact-points/<uid>/duplicate")
def duplicate(uid: str):
    copy = domain.duplicate_contact_point(_contact_point_or_404(uid))
    flash(f'Contact point duplicated as "{copy.name}".')
    return redirect(url_for("contact_points.list_page", search=copy.name))


@bp.get("/contact-points/<uid>/delete")
def confirm_delete(uid: str):
    return render_template(
        "contact_points/confirm_delete.html", contact_point=_contact_point_or_404(uid)
    )


@bp.delete("/contact-points/<uid>")
@bp.post("/contact-points/<uid>/delete")
def delete(uid: str):
    contact_point = _contact_point_or_404(uid)
    name = contact_point.name
    domain.delete_contact_point(contact_point)
    if request.headers.get("HX-Request") == "true":
        return ""
    flash(f'Contact point "{name}" deleted.')
    return redirect(url_for("contact_points.list_page"))
