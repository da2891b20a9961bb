"""Notification policies: the tree, the policy form, delete, reorder, preview routing."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.alerting.matchers import OPERATORS, matchers_text
from app.alerting.policies import current_route, find, load_spec, save_tree
from app.alerting.policy_form import PolicyForm, delete_policy, move_policy, save_policy
from app.alerting.tree import PolicySpec
from app.auth import requires
from app.extensions import db
from app.models import ContactPoint
from app.web import is_htmx

bp = Blueprint("policies", __name__, url_prefix="/alerting/routes")


def _stored_root() -> PolicySpec:
    """The tree, with the Default policy stored so that every policy has an id."""
    root = load_spec()
    if root.id is None and root.receiver:
        save_tree(root)
        db.session.commit()
    return root


def _contact_point_options() -> list[tuple[str, str]]:
    names = db.session.scalars(select(ContactPoint.name).order_by(ContactPoint.name_key))
    return [(name, name) for name in names]


@bp.get("")
@requires("viewer")
def tree_page():
    root = _stored_root()
    effective = {route.policy_id: route.opts for route in current_route().walk()}
    return render_template("policies/tree.html", root=root, effective=effective,
                           describe=matchers_text)


def _render_form(form: PolicyForm, node_id: int | None, parent_id: int | None, is_root: bool,
                 status: int = 200):
    template = "policies/_form.html" if is_htmx() else "policies/form.html"
    return render_template(template, form=form, policy_id=node_id, parent_id=parent_id,
                           is_root=is_root, operators=OPERATORS,
                           contact_points=_contact_point_options()), status


@bp.get("/new")
@requires("editor")
def new():
    parent_id = request.args.get("parent", type=int)
    form = PolicyForm(rows=[("", "=", "")])
    return _render_form(form, None, parent_id, False)


@bp.get("/<int:policy_id>/edit")
@requires("editor")
def edit(policy_id: int):
    root = _stored_root()
    node, _parent = find(root, policy_id)
    if node is None:
        abort(404, description="There is no such notification policy.")
    form = PolicyForm.from_spec(node)
    form.rows = form.rows or [("", "=", "")]
    return _render_form(form, policy_id, None, node is root)


@bp.post("/new")
@bp.post("/<int:policy_id>/edit")
@requires("editor")
def save(policy_id: int | None = None):
    form = PolicyForm.from_request(request.form)
    parent_id = request.form.get("parent", type=int)
    is_root = policy_id is not None and load_spec().id == policy_id
    if request.form.get("action") == "add-matcher":
        form.rows.append(("", "=", ""))
        return _render_form(form, policy_id, parent_id, is_root)
    try:
        save_policy(form, policy_id, parent_id)
    except LookupError as exc:
        abort(404, description=str(exc))
    if form.errors:
        db.session.rollback()
        return _render_form(form, policy_id, parent_id, is_root, 422)
    db.session.commit()
    flash("Notification policy saved.")
    return redirect(url_for("policies.tree_page"))


@bp.get("/<int:policy_id>/delete")
@requires("editor")
def confirm_delete(policy_id: int):
    node, parent = find(load_spec(), policy_id)
    if node is None or parent is None:
        abort(404, description="There is no such notification policy.")
    return render_template("policies/confirm_delete.html", node=node,
                           count=sum(1 for _ in node.walk()), describe=matchers_text)


@bp.post("/<int:policy_id>/delete")
@requires("editor")
def delete(policy_id: int):
    try:
        count = delete_policy(policy_id)
    except LookupError as exc:
        abort(404, description=str(exc))
    db.session.commit()
    flash(f"Deleted {count} notification polic{'y' if count == 1 else 'ies'}.")
    return redirect(url_for("policies.tree_page"))


@bp.post("/<int:policy_id>/move")
@requires("editor")
def move(policy_id: int):
    try:
        move_policy(policy_id, -1 if request.form.get("direction") == "up" else 1)
    except LookupError as exc:
        abort(404, description=str(exc))
    db.session.commit()
    return redirect(url_for("policies.tree_page"))


def parse_labels(text: str) -> tuple[dict[str, str], list[str]]:
    """Lines (or commas) of name=value; the lines that are not are returned as problems."""
    labels, problems = {}, []
    for part in text.replace(",", "\n").splitlines():
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            problems.append(part.strip())
            continue
        labels[name.strip()] = value.strip().strip('"')
    return labels, problems


@bp.get("/preview")
@requires("viewer")
def preview():
    labels, problems = parse_labels(request.args.get("labels", "")[:10_000])
    routes = current_route().match(labels) if labels else []
    template = "policies/_preview.html" if is_htmx() else "policies/preview.html"
    return render_template(template, labels=labels, problems=problems, routes=routes,
                           text=request.args.get("labels", ""), describe=matchers_text)
