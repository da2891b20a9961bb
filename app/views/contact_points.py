"""Contact points: the list, the create/edit form and its htmx fragments."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import BadRequest

from app import contact_points as domain
from app.alerting.policies import in_use_message, policies_using
from app.auth import actor_name, requires
from app.contact_point_list import list_contact_points, listed_page
from app.delivery.notify import last_attempts
from app.forms import (
    BlockState,
    FormState,
    TestInput,
    new_block,
    parse_form,
    seen_version,
    state_from_contact_point,
    version_of,
)
from app.integrations import type_groups
from app.models import ContactPoint
from app.template_fields import preview
from app.testing import test_contact_point
from app.views.rows import page_rows_html, prepare_rows
from app.views.testing import test_block
from app.web import is_htmx

bp = Blueprint("contact_points", __name__)


def _contact_point_or_404(uid: str) -> ContactPoint:
    contact_point = domain.get_contact_point(uid)
    if contact_point is None:
        abort(404, description="This contact point does not exist (any more).")
    return contact_point


def _attempts(contact_points: list[ContactPoint]) -> dict:
    return last_attempts(i.id for cp in contact_points for i in cp.integrations)


@bp.get("/")
@requires("viewer")
def index():
    return redirect(url_for("contact_points.list_page"))


@bp.get("/contact-points")
@requires("viewer")
def list_page():
    search = request.args.get("search", "")[:200]
    number = request.args.get("page", 1, type=int) or 1
    listed = listed_page(search, number, current_app.config["HERALD_PAGE_SIZE"])
    page = listed.page
    template = "contact_points/list.html"
    if is_htmx() and request.headers.get("HX-Target") == "contact-points":
        template = "contact_points/_list.html"
    highlight = request.args.get("highlight", "")
    prepare_rows(listed.policy_version)
    return render_template(template, page=page, search=search,
                           rows_html=page_rows_html(listed, highlight))


@bp.get("/contact-points/new")
@requires("editor")
def new():
    return _render_form(FormState(blocks=[new_block()]), None)


@bp.get("/contact-points/<uid>/edit")
@requires("editor")
def edit(uid: str):
    contact_point = _contact_point_or_404(uid)
    return _render_form(state_from_contact_point(contact_point), contact_point)


@bp.get("/contact-points/<uid>")
@requires("viewer")
def view(uid: str):
    """Every setting of a contact point, read-only; secrets only as "configured"."""
    contact_point = _contact_point_or_404(uid)
    return render_template("contact_points/view.html", contact_point=contact_point,
                           state=state_from_contact_point(contact_point))


@bp.post("/contact-points/new")
@bp.post("/contact-points/<uid>/edit")
@requires("editor")
def submit(uid: str | None = None):
    """Save the form, or apply a block action (add, duplicate, delete, retype, reset, test)."""
    contact_point = _contact_point_or_404(uid) if uid else None
    state = parse_form(request.form, contact_point)
    action, _, argument = request.form.get("action", "save").partition(":")
    if action != "save":
        return _apply_block_action(state, contact_point, action, argument)
    result = domain.save_contact_point(
        contact_point, state.name, [block.to_input() for block in state.blocks],
        state.fallback, seen_version(state.version),
    )
    if result.conflict:
        # Someone saved it since this form was opened: show it, and let a second save win.
        contact_point = _contact_point_or_404(uid)
        state.conflict, state.version = True, version_of(contact_point)
        return _render_form(state, contact_point, status=409)
    if result.errors:
        state.name_error, state.fallback_error = result.name_error, result.fallback_error
        for block, errors in zip(state.blocks, result.block_errors, strict=True):
            block.errors = errors
        return _render_form(state, contact_point, status=422)
    verb = "updated" if contact_point else "created"
    flash(f"Contact point “{result.contact_point.name}” {verb}.")
    return redirect(url_for("contact_points.list_page"))


def _apply_block_action(state: FormState, contact_point, action: str, argument: str):
    """Change the form as a block button asks; htmx gets the changed fragment only."""
    token, _, key = argument.partition(":")
    if action == "add":
        block = new_block()
        state.blocks.append(block)
        return _block_response(state, contact_point, block)
    block = state.block(token)
    position = state.blocks.index(block)
    if action == "duplicate":
        block = block.copy()
        state.blocks.insert(position + 1, block)
    elif action == "delete":
        state.blocks.remove(block)
        return "" if is_htmx() else _render_form(state, contact_point)
    elif action == "retype":
        block = state.blocks[position] = block.retyped(block.type)
    elif action == "reset":
        block.configured.discard(key)
        block.values[key] = ""
        block.focus = key
    elif action == "addrow":
        block.extra_rows[key] = block.extra_rows.get(key, 0) + 1
        block.focus = key
    elif action in ("testpanel", "test", "closetest"):
        return _test_action(state, contact_point, block, action)
    elif action == "preview":
        block.previews[key] = preview(block.integration_type, key, block.values, state.name)
        if is_htmx():
            return get_template_attribute("_macros.html", "preview_box")(block.previews[key])
    else:
        raise BadRequest(f"Unknown form action: {action[:32]!r}.")
    return _block_response(state, contact_point, block)


def _test_action(state: FormState, contact_point, block: BlockState, action: str):
    if action == "closetest":
        block.test = None
        return "" if is_htmx() else _render_form(state, contact_point)
    if action == "test":
        current_app.extensions["herald_test_limiter"].hit(actor_name())
        test_block(state, block, contact_point, request.form)
    elif block.test is None:
        block.test = TestInput()
    if is_htmx():
        return render_template("contact_points/_test_panel.html", block=block)
    return _render_form(state, contact_point)


def _block_response(state: FormState, contact_point, block: BlockState):
    if is_htmx():
        return render_template(
            "contact_points/_integration.html", block=block, type_groups=type_groups()
        )
    return _render_form(state, contact_point)


def _render_form(state: FormState, contact_point: ContactPoint | None, status: int = 200):
    page = render_template(
        "contact_points/form.html",
        state=state,
        contact_point=contact_point,
        type_groups=type_groups(),
    )
    return page, status


@bp.post("/contact-points/<uid>/test")
@requires("editor")
def test(uid: str):
    """Test every saved integration of a contact point; one result line each."""
    contact_point = _contact_point_or_404(uid)
    # Each integration is one delivery: a row Test costs as many as it sends.
    cost = max(1, len(contact_point.integrations))
    current_app.extensions["herald_test_limiter"].hit(actor_name(), cost)
    results = test_contact_point(contact_point)
    template = "contact_points/_row.html" if is_htmx() else "contact_points/test_results.html"
    return render_template(
        template,
        contact_point=contact_point,
        results=results,
        attempts=_attempts([contact_point]),
    )


@bp.post("/contact-points/<uid>/duplicate")
@requires("editor")
def duplicate(uid: str):
    """Copy a contact point; the whole list comes back with the copy highlighted."""
    copy = domain.duplicate_contact_point(_contact_point_or_404(uid))
    flash(f"Contact point duplicated as “{copy.name}”.")
    number = domain.page_number_of(copy, current_app.config["HERALD_PAGE_SIZE"])
    return redirect(url_for("contact_points.list_page", page=number if number > 1 else None,
                            highlight=copy.uid, _anchor=f"contact-point-{copy.uid}"))


@bp.get("/contact-points/<uid>/delete")
@requires("editor")
def confirm_delete(uid: str):
    return render_template(
        "contact_points/confirm_delete.html", contact_point=_contact_point_or_404(uid)
    )


@bp.delete("/contact-points/<uid>")
@bp.post("/contact-points/<uid>/delete")
@requires("editor")
def delete(uid: str):
    contact_point = _contact_point_or_404(uid)
    name = contact_point.name
    used_by = policies_using(name)
    if used_by:
        if is_htmx():
            abort(409, description=in_use_message(name, used_by))
        flash(in_use_message(name, used_by), "error")
        return redirect(url_for("contact_points.list_page"))
    domain.delete_contact_point(contact_point)
    flash(f"Contact point “{name}” deleted.")
    if is_htmx():  # the row goes; the count and the message above the list follow
        search = request.values.get("search", "")[:200]
        total = list_contact_points(search, 1, 1).total
        return render_template("contact_points/_deleted.html", total=total, search=search)
    return redirect(url_for("contact_points.list_page"))
