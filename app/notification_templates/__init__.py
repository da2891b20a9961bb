"""Notification templates as people manage them: list, check, save, rename, copy, delete.

Saved templates are used by name from title/message fields with ``{% include "name" %}``;
references.py finds those uses (and rewrites them on rename), preview.py renders the
editor's preview.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit, names
from app.contact_points import snapshot as contact_point_snapshot
from app.extensions import db
from app.models import ContactPoint, NotificationTemplate, name_key, utcnow
from app.names import name_problem
from app.notification_templates.preview import (
    PREVIEW_DATA,
    Preview,
    describe_error,
    normalise_source,
    render_preview,
    sample_json,
)
from app.notification_templates.references import (
    Usage,
    all_integrations,
    map_strings,
    referenced_templates,
    rename_references,
    templates_in_use,
    usage_by_template,
    usage_of,
)
from app.template_fields import missing_templates
from app.templating import BUILTIN_TEMPLATES, TemplateRenderError, check_syntax

__all__ = [
    "PREVIEW_DATA", "BuiltinTemplate", "Preview", "SaveResult", "TemplateInUse", "Usage",
    "check_name", "check_template", "copy_name", "delete_template", "duplicate_template",
    "get_builtin", "get_template", "list_builtins", "list_templates", "referenced_templates",
    "render_preview", "rename_references", "sample_json", "save_template", "templates_in_use",
    "usage_by_template", "usage_of",
]

MAX_TEMPLATE_BYTES = 64 * 1024
BUILTIN_KEYS = {name_key(name): name for name in BUILTIN_TEMPLATES}
BUILTIN_DESCRIPTIONS = {
    "default.title": "The title of every integration whose title is left empty.",
    "default.message": "The message of every integration whose message is left empty.",
    "slack.default.title": "Slack's default title.",
    "slack.default.text": "Slack's default text, in Slack mrkdwn.",
    "teams.default.title": "Microsoft Teams' default title.",
    "teams.default.message": "Microsoft Teams' default message, in markdown.",
    "telegram.default.message": "Telegram's default message, in Telegram HTML.",
    "email.default.html": "The HTML body of email notifications, laid out as Grafana's.",
}


@dataclass(frozen=True)
class BuiltinTemplate:
    """A read-only template that ships with Herald."""

    name: str
    template: str

    @property
    def description(self) -> str:
        return BUILTIN_DESCRIPTIONS.get(self.name, "")


@dataclass
class SaveResult:
    notification_template: NotificationTemplate | None = None
    errors: dict[str, str] = field(default_factory=dict)
    updated_contact_points: int = 0
    conflict: bool = False  # someone else saved it since the version the editor was opened at


class TemplateInUse(Exception):
    """A template that cannot be deleted because something uses it."""

    def __init__(self, name: str, usage: Usage) -> None:
        self.usage = usage
        super().__init__(
            f"Cannot delete “{name}”: it is used by {usage.describe()}. "
            "Change them to use another template first."
        )


# --- reading --------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_templates(search: str = "") -> list[NotificationTemplate]:
    """Saved templates ordered by name; a search matches part of the name, any case."""
    query = select(NotificationTemplate).order_by(NotificationTemplate.name_key)
    needle = search.strip().casefold()
    if needle:
        query = query.where(
            NotificationTemplate.name_key.like(f"%{_escape_like(needle)}%", escape="\\")
        )
    return list(db.session.scalars(query))


def list_builtins(search: str = "") -> list[BuiltinTemplate]:
    needle = search.strip().casefold()
    return [BuiltinTemplate(name, source) for name, source in BUILTIN_TEMPLATES.items()
            if needle in name.casefold()]


def get_template(template_id: int) -> NotificationTemplate | None:
    return db.session.get(NotificationTemplate, template_id)


def get_builtin(name: str) -> BuiltinTemplate | None:
    source = BUILTIN_TEMPLATES.get(name)
    return None if source is None else BuiltinTemplate(name, source)


def snapshot(template: NotificationTemplate) -> dict[str, Any]:
    """The template as the audit log keeps it."""
    return {"name": template.name, "template": template.template}


# --- checks ---------------------------------------------------------------------------------

def check_name(name: str, existing: NotificationTemplate | None) -> str | None:
    """The message for a name that cannot be used, or None."""
    name = name.strip()
    if any(char in '"\\' or ord(char) < 32 for char in name):
        return "Name cannot contain double quotes, backslashes or line breaks."
    if name_key(name) in BUILTIN_KEYS:
        return f"“{BUILTIN_KEYS[name_key(name)]}” is the name of a built-in template."
    return name_problem(name, NotificationTemplate, existing, thing="notification template")


def check_template(source: str) -> str | None:
    """The message for template text that cannot be saved, or None."""
    if not source.strip():
        return "Template is required."
    if len(source.encode()) > MAX_TEMPLATE_BYTES:
        return f"Template must be at most {MAX_TEMPLATE_BYTES // 1024} KiB."
    try:
        check_syntax(source)
    except TemplateRenderError as error:
        return describe_error(error)
    missing = missing_templates(source)
    return f"There is no notification template named “{missing[0]}”." if missing else None


# --- writing --------------------------------------------------------------------------------


def save_template(
    existing: NotificationTemplate | None, name: str, source: str,
    seen_version: int | None = None,
) -> SaveResult:
    """Check, then create or update a template at once; a rename updates its references.

    With seen_version, the save only happens if nobody saved it since that version.
    """
    if existing is not None and seen_version not in (None, existing.version):
        return SaveResult(conflict=True)
    source = normalise_source(source)
    errors = {key: message for key, message in (
        ("name", check_name(name, existing)), ("template", check_template(source))
    ) if message}
    if errors:
        return SaveResult(errors=errors)
    before = snapshot(existing) if existing else None
    template = existing or NotificationTemplate()
    try:
        updated = 0
        if existing is not None and name_key(name) != existing.name_key:
            updated = _rename_everywhere(existing, name.strip())
        template.set_name(name)
        template.template = source
        template.updated_at = utcnow()  # always one conditional UPDATE, even if unchanged
        db.session.add(template)
        db.session.flush()
        audit.record("update" if before else "create", "template", template.name,
                     str(template.id), before, snapshot(template))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return SaveResult(errors={"name": f"A notification template named “{name.strip()}” "
                                          "already exists."})
    except StaleDataError:  # the conditional UPDATE found a newer version: nothing written
        db.session.rollback()
        return SaveResult(conflict=True)
    return SaveResult(template, updated_contact_points=updated)


def _rename_everywhere(template: NotificationTemplate, new_name: str) -> int:
    """Point every reference to the template at its new name; returns contact points changed."""

    def change(text: str) -> str:
        return rename_references(text, template.name, new_name)

    changed: dict[int, tuple[ContactPoint, dict[str, Any]]] = {}
    for integration in all_integrations():
        settings = map_strings(integration.settings or {}, change)
        if settings != integration.settings:
            contact_point = integration.contact_point
            changed.setdefault(contact_point.id,
                               (contact_point, contact_point_snapshot(contact_point)))
            integration.settings = settings
    for contact_point, before in changed.values():
        audit.record("update", "contact-point", contact_point.name, contact_point.uid,
                     before, contact_point_snapshot(contact_point))
    for other in list_templates():
        text = change(other.template)
        if other.id != template.id and text != other.template:
            before = snapshot(other)
            other.template = text
            audit.record("update", "template", other.name, str(other.id), before,
                         snapshot(other))
    return len(changed)


def copy_name(name: str) -> str:
    """A free "(copy)" name for a duplicate of the template called `name`."""
    return names.copy_name(name, lambda candidate: check_name(candidate, None) is None)


def duplicate_template(name: str, source: str) -> NotificationTemplate:
    """An editable copy of a saved or built-in template, under a free "(copy)" name."""
    copy = NotificationTemplate(template=source)
    copy.set_name(copy_name(name))
    db.session.add(copy)
    db.session.flush()
    audit.record("create", "template", copy.name, str(copy.id), None, snapshot(copy))
    db.session.commit()
    return copy


def delete_template(template: NotificationTemplate) -> None:
    """Delete a template nothing uses; TemplateInUse says who uses it otherwise."""
    usage = usage_of(template.name)
    if usage:
        raise TemplateInUse(template.name, usage)
    audit.record("delete", "template", template.name, str(template.id), snapshot(template),
                 None)
    # Not conditional on the version: a delete asked for stands (see ContactPoint.version).
    db.session.execute(delete(NotificationTemplate).where(NotificationTemplate.id == template.id))
    db.session.commit()


