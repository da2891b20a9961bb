"""Notification templates tab: the list, the editor with its live preview, copy and delete."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app import notification_templates as domain
from app.auth import requires
from app.forms import seen_version
from app.models import NotificationTemplate
from app.web import is_htmx

bp = Blueprint("notification_templates", __name__)
LIST_ID = "notification-templates"


@dataclass
class EditorState:
    """What the editor shows: the typed name and text, the preview data, and errors."""

    name: str = ""
    template: str = ""
    data: str = "firing"
    custom_json: str = field(default_factory=domain.sample_json)
    errors: dict[str, str] = field(default_factory=dict)
    version: str = ""  # the template's version when the editor was opened
    conflict: bool = False

    @classmethod
    def from_form(cls, form: MultiDict) -> EditorState:
        data = form.get("data", "firing")
        custom_json = form.get("custom_json")
        return cls(
            name=form.get("name", ""),
            template=form.get("template", ""),
            data=data if data in domain.PREVIEW_DATA else "firing",
            custom_json=domain.sample_json() if custom_json is None else custom_json,
            version=form.get("version", ""),
        )

    def preview(self) -> domain.Preview:
        return domain.render_preview(self.template, self.data, self.custom_json)


@bp.context_processor
def _editor_choices() -> dict:
    return {"preview_data": domain.PREVIEW_DATA}


def _template_or_404(template_id: int) -> NotificationTemplate:
    template = domain.get_template(template_id)
    if template is None:
        abort(404, description="This notification template does not exist (any more).")
    return template


def _builtin_or_404(name: str) -> domain.BuiltinTemplate:
    builtin = domain.get_builtin(name)
    if builtin is None:
        abort(404, description="There is no built-in template with this name.")
    return builtin


@bp.get("/notification-templates")
@requires("viewer")
def list_page():
    search = request.args.get("search", "")[:200]
    page = "notification_templates/list.html"
    if is_htmx() and request.headers.get("HX-Target") == LIST_ID:
        page = "notification_templates/_list.html"
    return render_template(
        page, search=search, templates=domain.list_templates(search),
        builtins=domain.list_builtins(search), usage=domain.usage_by_template(),
    )


@bp.get("/notification-templates/new")
@requires("editor")
def new():
    return _render_editor(EditorState(), None)


@bp.get("/notification-templates/<int:template_id>/edit")
@requires("editor")
def edit(template_id: int):
    template = _template_or_404(template_id)
    return _render_editor(EditorState(template.name, template.template,
                                      version=str(template.version)), template)


@bp.post("/notification-templates/new")
@bp.post("/notification-templates/<int:template_id>/edit")
@requires("editor")
def submit(template_id: int | None = None):
    """Save the editor; its no-JavaScript Preview button re-renders it with the preview."""
    template = _template_or_404(template_id) if template_id else None
    state = EditorState.from_form(request.form)
    if request.form.get("action") == "preview":
        return _render_editor(state, template)
    result = domain.save_template(template, state.name, state.template,
                                  seen_version(state.version))
    if result.conflict:  # show their version number, so a second save replaces it
        template = _template_or_404(template_id)
        state.conflict, state.version = True, str(template.version)
        return _render_editor(state, template, status=409)
    if result.errors:
        state.errors = result.errors
        return _render_editor(state, template, status=422)
    saved = result.notification_template
    message = f"Notification template “{saved.name}” {'updated' if template else 'created'}."
    if result.updated_contact_points:
        count = result.updated_contact_points
        message += f" {count} contact point{'s' * (count != 1)} updated to the new name."
    flash(message)
    return redirect(url_for("notification_templates.list_page"))


def _render_editor(
    state: EditorState, template: NotificationTemplate | None, status: int = 200
):
    action = url_for("notification_templates.submit", template_id=template.id if template
                     else None)
    return render_template(
        "notification_templates/editor.html", state=state, template=template, builtin=None,
        action=action, read_only=False, preview=state.preview(),
    ), status


@bp.get("/notification-templates/<int:template_id>")
@requires("viewer")
def view(template_id: int):
    template = _template_or_404(template_id)
    return _render_read_only(EditorState(template.name, template.template), template, None)


@bp.get("/notification-templates/built-in/<name>")
@requires("viewer")
def view_builtin(name: str):
    builtin = _builtin_or_404(name)
    return _render_read_only(EditorState(builtin.name, builtin.template), None, builtin)


def _render_read_only(state: EditorState, template, builtin):
    return render_template(
        "notification_templates/editor.html", state=state, template=template, builtin=builtin,
        action=url_for("notification_templates.preview"), read_only=True,
        preview=state.preview(),
    )


@bp.post("/notification-templates/preview")
@requires("viewer")
def preview():
    """The preview panel for the text and data posted (a page of its own without htmx)."""
    state = EditorState.from_form(request.form)
    page = "_preview.html" if is_htmx() else "preview.html"
    return render_template(f"notification_templates/{page}", state=state,
                           preview=state.preview())


@bp.post("/notification-templates/<int:template_id>/duplicate")
@bp.post("/notification-templates/built-in/<name>/duplicate")
@requires("editor")
def duplicate(template_id: int | None = None, name: str | None = None):
    original = _template_or_404(template_id) if template_id else _builtin_or_404(name or "")
    copy = domain.duplicate_template(original.name, original.template)
    flash(f"Notification template duplicated as “{copy.name}”.")
    return redirect(url_for("notification_templates.edit", template_id=copy.id))


@bp.get("/notification-templates/<int:template_id>/delete")
@requires("editor")
def confirm_delete(template_id: int):
    template = _template_or_404(template_id)
    return render_template("notification_templates/confirm_delete.html", template=template,
                           usage=domain.usage_of(template.name))


@bp.delete("/notification-templates/<int:template_id>")
@bp.post("/notification-templates/<int:template_id>/delete")
@requires("editor")
def delete(template_id: int):
    template = _template_or_404(template_id)
    name = template.name
    try:
        domain.delete_template(template)
    except domain.TemplateInUse as refusal:
        if is_htmx():
            return render_template("notification_templates/_row.html", template=template,
                                   usage=domain.usage_by_template(), refusal=str(refusal)), 409
        flash(str(refusal))
        return redirect(url_for("notification_templates.list_page"))
    if is_htmx():
        return ""
    flash(f"Notification template “{name}” deleted.")
    return redirect(url_for("notification_templates.list_page"))
