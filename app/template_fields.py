"""Title/message fields: Default, Custom text or a saved template, and their checks."""
from __future__ import annotations

import re
from dataclasses import replace

from jinja2 import meta

from app.integrations.base import Errors, IntegrationType, Values
from app.templating import BUILTIN_TEMPLATES, TEXT_ENVIRONMENT, TemplateRenderError, check_syntax
from app.templating.environment import saved_template_source

INCLUDE_RE = re.compile(r'^\{%-?\s*include\s+"([^"\\]*)"\s*-?%\}$')
MODES = ("default", "custom", "template")


def include_of(name: str) -> str:
    """The field text that uses a saved template."""
    return '{% include "' + name.replace('"', "") + '" %}'


def mode_of(value: str) -> tuple[str, str]:
    """(mode, template name) of a stored field value."""
    if not value or not value.strip():
        return "default", ""
    match = INCLUDE_RE.match(value.strip())
    return ("template", match.group(1)) if match else ("custom", "")


def value_from_choice(mode: str | None, text: str, template_name: str) -> str:
    """The field value for what the person chose; no mode means the text as typed."""
    if mode == "default":
        return ""
    if mode == "template":
        return include_of(template_name.strip())
    return text


def referenced_names(source: str) -> set[str]:
    """Names of the templates a source includes or imports (those it names literally)."""
    try:
        tree = TEXT_ENVIRONMENT.parse(source)
    except Exception:  # check_syntax reports the error itself
        return set()
    return {name for name in meta.find_referenced_templates(tree) if name is not None}


def _texts(value) -> list[str]:
    """Every string of a setting: itself, a map's values, a list's or records' items."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def source_problem(source: str) -> str | None:
    """Why a template source cannot be used: a syntax error or an unknown template name."""
    try:
        check_syntax(source)
    except TemplateRenderError as exc:
        return str(exc)
    missing = missing_templates(source)
    return f"no notification template named “{missing[0]}”." if missing else None


def missing_templates(source: str) -> list[str]:
    """Names the source includes or imports that are neither built-in nor saved."""
    return sorted(name for name in referenced_names(source)
                  if name not in BUILTIN_TEMPLATES and saved_template_source(name) is None)


def template_errors(integration_type: IntegrationType, values: Values) -> Errors:
    """Template problems in the settings senders render: title/message fields, and any
    other setting written with template syntax ({{ }} or {% %})."""
    errors: Errors = {}
    for spec in integration_type.fields:
        value = values.get(spec.key)
        if spec.secret and not spec.templated:  # never rendered: any characters are fine
            continue
        if spec.template and isinstance(value, str) and mode_of(value) == ("template", ""):
            errors[spec.key] = f"{spec.label}: choose a notification template."
            continue
        for text in _texts(value):
            if not (spec.template and text.strip()) and "{{" not in text and "{%" not in text:
                continue
            problem = source_problem(text)
            if problem:
                errors[spec.key] = f"{spec.label}: {problem}"
                break
    return errors


def saved_template_names() -> list[str]:
    """Names of the saved notification templates, for the Template choice (once a request)."""
    from flask import g

    from app.extensions import db
    from app.models import NotificationTemplate

    if "saved_template_names" not in g:
        query = db.select(NotificationTemplate.name).order_by(NotificationTemplate.name_key)
        g.saved_template_names = list(db.session.scalars(query))
    return g.saved_template_names


def preview(integration_type: IntegrationType, key: str, values: Values,
            receiver: str = "") -> tuple[str, str]:
    """(text, error) of one field rendered against the sample firing group, sent to the
    contact point being edited (receiver: its name as typed) as a real send would be."""
    from app.alerts import sample_groups
    from app.templating import render_source

    spec = integration_type.by_key.get(key)
    if spec is None or not spec.template:
        return "", "This field does not use templates."
    source = values.get(key) or BUILTIN_TEMPLATES[spec.template]
    try:
        group = sample_groups()["firing"]
        if receiver.strip():
            group = replace(group, receiver=receiver.strip())
        return render_source(source, group), ""
    except TemplateRenderError as exc:
        # Imported here: the templates package imports this module.
        from app.notification_templates.preview import describe_error

        return "", describe_error(exc)
