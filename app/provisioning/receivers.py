"""One integration as Grafana writes it (a "receiver"): checked, translated, made storable.

Shared by file imports and the HTTP API. Everything a type needs comes from its declaration
in the registry: field shapes, secret keys, the validation rules, templated fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.crypto import SecretDecryptionError
from app.integrations import REGISTRY
from app.integrations.base import (
    Field,
    IntegrationType,
    Values,
    from_storage,
    get_path,
    to_storage,
    validate,
)
from app.models import NAME_MAX_LENGTH, Integration
from app.provisioning.export import REDACTED
from app.provisioning.gotemplate import Translation, translate
from app.provisioning.plan import TemplateNames
from app.template_fields import referenced_names
from app.templating import TemplateRenderError, check_syntax
from app.text import normalise_newlines

UID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
SHAPES = {"map": (dict, "a mapping"), "list": (list, "a list"), "records": (list, "a list")}


class Refused(Exception):
    """An entry that cannot be imported; status is the API's answer (400, or 409)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class Prepared:
    """A receiver ready to store."""

    integration_type: IntegrationType
    settings: dict[str, Any]
    secrets: dict[str, Any]
    disable_resolve_message: bool
    review_note: str
    notes: list[str]


def check_contact_point_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Refused("name is required (the contact point's name).")
    if len(name.strip()) > NAME_MAX_LENGTH:
        raise Refused(f"name must be at most {NAME_MAX_LENGTH} characters.")
    return name.strip()


def check_uid(uid: Any) -> str:
    """The uid as given ('' when absent), or Refused when Grafana would refuse it too."""
    if uid in (None, ""):
        return ""
    if not isinstance(uid, str) or not UID_RE.match(uid):
        raise Refused(f"uid {uid!r} must be 1 to 40 letters, digits, '-' or '_'.")
    return uid


def integration_type_of(type_id: Any) -> IntegrationType:
    integration_type = REGISTRY.get(type_id) if isinstance(type_id, str) else None
    if integration_type is None:
        known = ", ".join(sorted(REGISTRY))
        raise Refused(f"Unknown integration type {type_id!r}. Herald knows: {known}.")
    return integration_type


def shape_problems(integration_type: IntegrationType, settings: dict[str, Any]) -> list[str]:
    """Settings whose value has the wrong shape (a list where text belongs, and so on)."""
    problems = []
    for spec in integration_type.fields:
        raw = get_path(settings, spec.key)
        if raw is None:
            continue
        expected, words = SHAPES.get(spec.element, (None, ""))
        if expected is not None and not isinstance(raw, expected):
            problems.append(f"settings.{spec.key} must be {words}")
        elif expected is None and isinstance(raw, dict | list):
            problems.append(f"settings.{spec.key} must be text, a number or true/false")
        elif spec.element == "records":
            problems += record_problems(spec, raw)
        elif spec.element == "map":
            problems += [f"settings.{spec.key}.{key} must be text" for key, value in raw.items()
                         if not isinstance(value, str)]
    return problems


def record_problems(spec: Field, records: list[Any]) -> list[str]:
    """Records that are not mappings, or whose declared settings are not text."""
    if not all(isinstance(record, dict) for record in records):
        return [f"settings.{spec.key} must be a list of mappings"]
    return [f"settings.{spec.key}[{index}].{sub.key} must be text"
            for index, record in enumerate(records) for sub in spec.subfields
            if record.get(sub.key) is not None and not isinstance(record[sub.key], str)]


def keep_declared_in_records(integration_type: IntegrationType, values: Values) -> list[str]:
    """Drop what records hold beyond their declared settings; returns the keys dropped.

    Only declared keys are ever read or shown, so anything else would be stored unseen.
    """
    dropped = []
    for spec in integration_type.fields:
        if spec.element != "records" or not values.get(spec.key):
            continue
        declared = [sub.key for sub in spec.subfields]
        for index, record in enumerate(values[spec.key]):
            dropped += [f"{spec.key}[{index}].{key}" for key in record if key not in declared]
        values[spec.key] = [{key: record[key] for key in declared if record.get(key) is not None}
                            for record in values[spec.key]]
    return dropped


def unknown_keys(integration_type: IntegrationType, settings: dict, prefix: str = "") -> list[str]:
    """Setting keys the type's declaration does not name (dotted for nested ones)."""
    keys = set(integration_type.by_key)
    found = []
    for key, value in settings.items():
        dotted = f"{prefix}{key}"
        if dotted in keys:
            continue
        if isinstance(value, dict) and any(k.startswith(f"{dotted}.") for k in keys):
            found += unknown_keys(integration_type, value, f"{dotted}.")
        else:
            found.append(dotted)
    return found


def flat_values(integration_type: IntegrationType, settings: dict[str, Any]) -> Values:
    """Flat values keyed by field key, secrets included, from Grafana's nested settings."""
    secrets = {key: get_path(settings, key) for key in integration_type.secret_keys}
    return from_storage(integration_type, settings,
                        {key: value for key, value in secrets.items() if value is not None})


def _stored_secrets(existing: Integration | None, type_id: str) -> dict[str, Any]:
    if existing is None or existing.type != type_id:
        return {}
    try:
        return existing.secrets
    except SecretDecryptionError:
        return {}


def _moved_destinations(integration_type: IntegrationType, settings: dict[str, Any],
                        existing: Integration) -> list[str]:
    """Destination settings (where secrets are sent) that differ from the stored ones."""
    given = from_storage(integration_type, settings, {})  # defaults filled in, as stored
    stored = from_storage(integration_type, existing.settings or {}, {})
    return [f"settings.{key}" for key in integration_type.destination_keys
            if str(given.get(key, "")).strip() != str(stored.get(key, "")).strip()]


def fill_secrets(integration_type: IntegrationType, settings: dict[str, Any], values: Values,
                 existing: Integration | None, keep_absent: bool) -> None:
    """Put stored secrets where the settings say "[REDACTED]" (or, if asked, leave them out)."""
    stored = _stored_secrets(existing, integration_type.type)
    moved = _moved_destinations(integration_type, settings, existing) if stored else []
    for key in integration_type.secret_keys:
        given = get_path(settings, key)
        if given == REDACTED or (keep_absent and given is None):
            if key in stored and moved:
                raise Refused(f"settings.{key}: give its value again: {', '.join(moved)} "
                              "changed, and a stored secret is only sent where it was saved for.")
            if key in stored:
                values[key] = stored[key]
            elif given == REDACTED:
                raise Refused(f"settings.{key} is “{REDACTED}”: give its value (only an "
                              "existing integration of the same type keeps a stored secret).")


def _translated(label: str, text: str, names: TemplateNames,
                review: list[str]) -> Translation | None:
    """A text's translation, or None (noted for review) when it cannot be translated."""
    translation = translate(text, names.resolve)
    if translation.problem:
        review.append(f"{label}: {translation.problem}")
        return None
    for name in sorted(referenced_names(translation.text)):
        if names.needs_review(name):
            review.append(f"{label}: uses template “{name}”, which needs review")
    return translation


def _has_template(text: object) -> bool:
    return isinstance(text, str) and ("{{" in text or "{%" in text)


def _translate_nested(label: str, value: object, names: TemplateNames,
                      review: list[str]) -> object:
    """A map's values (PagerDuty's details) or records' texts (Opsgenie's responders)."""
    if isinstance(value, dict):
        found = {}
        for key, text in value.items():
            translation = _translated(f"{label} {key}", text, names, review) \
                if _has_template(text) else None
            found[key] = translation.text if translation else text
        return found
    if isinstance(value, list):
        return [_translate_nested(label, row, names, review) for row in value]
    return value


def template_fields(integration_type: IntegrationType, values: Values,
                    names: TemplateNames) -> list[str]:
    """Translate Go templates in text settings; returns what needs review.

    Every text setting is looked at, maps' values and records' texts too, since senders
    render some without a default template (Slack's color, PagerDuty's details). Herald's
    own text in a title/message field must be valid (Refused otherwise); Go text that
    cannot be translated is kept as written, for review.
    """
    review: list[str] = []
    for spec in integration_type.fields:
        text = values.get(spec.key)
        if spec.secret and not spec.templated:  # a templated secret URL is rendered too
            continue
        if isinstance(text, dict | list):
            values[spec.key] = _translate_nested(spec.label, text, names, review)
        elif _has_template(text):
            translation = _translated(spec.label, text, names, review)
            if translation is None:
                continue
            values[spec.key] = translation.text
            if spec.template and not translation.go:
                check_herald_text(spec.label, translation.text, names)
    return review


def check_herald_text(label: str, text: str, names: TemplateNames) -> None:
    """Refused unless Herald's own template text compiles and names only known templates."""
    try:
        check_syntax(text)
    except TemplateRenderError as exc:
        raise Refused(f"{label}: {exc}") from exc
    missing = sorted(name for name in referenced_names(text) if names.resolve(name) is None)
    if missing:
        raise Refused(f"{label}: there is no notification template named “{missing[0]}”.")


def prepare(type_id: Any, settings: Any, disable_resolve_message: Any, names: TemplateNames,
            existing: Integration | None = None, keep_absent_secrets: bool = False) -> Prepared:
    """Check a receiver and turn it into storable settings and secrets, or raise Refused."""
    integration_type = integration_type_of(type_id)
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise Refused("settings must be a mapping.")
    if not isinstance(disable_resolve_message, bool):
        raise Refused("disableResolveMessage must be true or false.")
    settings = normalise_newlines(settings)
    problems = shape_problems(integration_type, settings)
    if problems:
        raise Refused("Invalid settings: " + "; ".join(problems) + ".")
    values = flat_values(integration_type, settings)
    dropped = keep_declared_in_records(integration_type, values)
    fill_secrets(integration_type, settings, values, existing, keep_absent_secrets)
    review = template_fields(integration_type, values, names)
    errors = validate(integration_type, values)
    if errors:
        raise Refused("Invalid settings: " + " ".join(
            f"settings.{key}: {message}" for key, message in errors.items()))
    stored, secrets = to_storage(integration_type, values)
    notes = []
    ignored = unknown_keys(integration_type, settings) + dropped
    if ignored:
        notes.append(f"settings Herald does not know are left out: {', '.join(ignored)}")
    return Prepared(integration_type, stored, secrets, disable_resolve_message,
                    "; ".join(review), notes)
