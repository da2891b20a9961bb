"""Export and Import pages, and the page that lists the API's endpoints."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from app.auth import current_principal, requires
from app.provisioning import ApplyConflict, DocumentError, Plan, apply, parse, plan_document
from app.provisioning.document import FORMATS, MEDIA_TYPES
from app.provisioning.export import contact_points, export_text, file_name
from app.views.api import PREFIX, ROUTES

bp = Blueprint("provisioning", __name__)
CHANGED = ("Something changed since the preview, so nothing was imported. "
           "Check the new preview and apply again.")


def _export_choice() -> tuple[str | None, str, bool]:
    """(contact point name or None for all, format, include secrets) from the request."""
    values = request.values
    name = values.get("name") or None
    if name is not None and not contact_points(name):
        abort(404, description=f"There is no contact point named “{name}”.")
    output_format = values.get("format", "yaml")
    if output_format not in FORMATS:
        abort(400, description="Choose YAML or JSON.")
    include_secrets = request.method == "POST" and values.get("include_secrets") == "on"
    if include_secrets and not current_principal().can("admin"):
        abort(403, description="Only admins may export secrets.")
    return name, output_format, include_secrets


@bp.get("/contact-points/export")
@bp.post("/contact-points/export")
@requires("viewer")
def export_page():
    name, output_format, include_secrets = _export_choice()
    flags: list[str] = []
    text = export_text(name, include_secrets, output_format, flags)
    if request.form.get("action") == "download":
        return Response(text, mimetype=MEDIA_TYPES[output_format], headers={
            "Content-Disposition": f'attachment; filename="{file_name(name, output_format)}"'})
    return render_template("provisioning/export.html", name=name, text=text, flags=flags,
                           output_format=output_format, include_secrets=include_secrets)


@bp.get("/contact-points/import")
@requires("editor")
def import_page():
    return render_template("provisioning/import.html", error="", text="")


def _uploaded_text() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DocumentError("The file is not UTF-8 text.") from exc
    return request.form.get("document", "")


def _preview(text: str, plan: Plan, status: int = 200, error: str = ""):
    return render_template("provisioning/preview.html", text=text, plan=plan,
                           error=error), status


@bp.post("/contact-points/import")
@requires("editor")
def preview():
    """Read the uploaded or pasted document and show what importing it would do."""
    text = ""
    try:
        text = _uploaded_text()
        if not text.strip():
            raise DocumentError("Choose a file or paste a document.")
        plan = plan_document(parse(text))
    except DocumentError as exc:
        return render_template("provisioning/import.html", error=str(exc), text=text), 422
    return _preview(text, plan)


@bp.post("/contact-points/import/apply")
@requires("editor")
def apply_import():
    """Plan the document again; apply it only if the plan is still the one previewed."""
    text = request.form.get("document", "")
    try:
        plan = plan_document(parse(text))
    except DocumentError as exc:
        return render_template("provisioning/import.html", error=str(exc), text=text), 422
    if plan.fingerprint != request.form.get("fingerprint"):
        return _preview(text, plan, 409, CHANGED)
    try:
        apply(plan)
    except ApplyConflict as exc:
        return _preview(text, plan_document(parse(text)), 409, str(exc))
    flash(f"Imported: {plan.describe_counts()}.")
    return redirect(url_for("contact_points.list_page"))


@bp.get("/api-docs")
@requires("viewer")
def api_docs():
    return render_template("api/index.html", routes=ROUTES, prefix=PREFIX)
