"""Reading Herald out in Grafana's shapes: provisioning documents and embedded contact points."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.integrations import REGISTRY
from app.integrations.base import get_path, normalised_settings, set_path
from app.models import ContactPoint, Integration, NotificationTemplate, name_key
from app.provisioning.document import dump
from app.provisioning.goexport import define, to_go
from app.provisioning.policy_entries import export_entry
from app.template_fields import referenced_names

REDACTED = "[REDACTED]"
ORG_ID = 1


def strings_in(value: Any) -> Iterator[str]:
    """Every string in nested settings."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


Flag = Callable[[str], None]  # told why a text stays in Herald's template language


def in_go(value: Any, flag: Flag, path: str = "settings") -> Any:
    """Settings with every text written in Grafana's Go template language where it can be."""
    if isinstance(value, str):
        translation = to_go(value)
        if translation.problem:
            flag(f"{path}: {translation.problem}")
        return translation.text
    if isinstance(value, dict):
        return {key: in_go(item, flag, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [in_go(item, flag, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def full_settings(integration: Integration, decrypt: bool, flag: Flag) -> dict[str, Any]:
    """Grafana's settings: the stored ones with each secret, or "[REDACTED]", in its place;
    template texts in Grafana's Go template language."""
    secrets = integration.secrets if decrypt else dict.fromkeys(
        integration.configured_secret_keys, REDACTED)
    integration_type = REGISTRY.get(integration.type)
    stored = in_go(normalised_settings(integration_type, integration.settings or {}), flag)
    settings: dict[str, Any] = {}
    for spec in integration_type.fields if integration_type else ():
        value = secrets.pop(spec.key, None) if spec.secret else get_path(stored, spec.key)
        if spec.secret and spec.templated and decrypt:  # a templated secret URL
            value = in_go(value, flag, f"settings.{spec.key}")
        if value is not None:
            set_path(settings, spec.key, value)
    for key, value in stored.items():  # anything the declaration does not name, kept as is
        settings.setdefault(key, value)
    for key, value in secrets.items():
        set_path(settings, key, value)
    return settings


def receiver(integration: Integration, decrypt: bool, flags: list[str]) -> dict[str, Any]:
    integration_type = REGISTRY.get(integration.type)
    where = (f"Contact point “{integration.contact_point.name}”, "
             f"{integration_type.label if integration_type else integration.type} "
             f"(uid {integration.uid})")
    return {
        "uid": integration.uid,
        "type": integration.type,
        "settings": full_settings(integration, decrypt,
                                  lambda problem: flags.append(f"{where}: {problem}")),
        "disableResolveMessage": integration.disable_resolve_message,
    }


def embedded(integration: Integration) -> dict[str, Any]:
    """The API's embedded contact point: one integration, its secret settings left out."""
    return {
        "uid": integration.uid,
        "name": integration.contact_point.name,
        "type": integration.type,
        "settings": normalised_settings(REGISTRY.get(integration.type),
                                        integration.settings or {}),
        "disableResolveMessage": integration.disable_resolve_message,
    }


def contact_points(name: str | None = None) -> list[ContactPoint]:
    """Every contact point by name, or the one with this name (ignoring case)."""
    query = select(ContactPoint).options(selectinload(ContactPoint.integrations))
    if name is not None:
        query = query.where(ContactPoint.name_key == name_key(name))
    return list(db.session.scalars(query.order_by(ContactPoint.name_key)))


def used_templates(selected: list[ContactPoint]) -> list[NotificationTemplate]:
    """The saved templates the contact points include, and those these include in turn."""
    by_key = {t.name_key: t for t in db.session.scalars(select(NotificationTemplate))}
    wanted: set[str] = set()
    pending = [text for cp in selected for i in cp.integrations for text in strings_in(i.settings)]
    while pending:
        for name in referenced_names(pending.pop()):
            key = name_key(name)
            if key in by_key and key not in wanted:
                wanted.add(key)
                pending.append(by_key[key].template)
    return sorted((by_key[key] for key in wanted), key=lambda t: t.name_key)


def all_templates() -> list[NotificationTemplate]:
    return list(db.session.scalars(
        select(NotificationTemplate).order_by(NotificationTemplate.name_key)))


def template_entry(template: NotificationTemplate, flags: list[str]) -> dict[str, Any]:
    """A Grafana template: the text in Go, inside {{ define "name" }}...{{ end }}."""
    translation = to_go(template.template)
    if translation.problem:
        flags.append(f"Template “{template.name}”: {translation.problem}")
    return {"orgId": ORG_ID, "name": template.name,
            "template": define(template.name, translation.text)}


def document(name: str | None = None, decrypt: bool = False,
             flags: list[str] | None = None) -> dict[str, Any]:
    """The file-provisioning document of every contact point and template, or of one
    contact point and the templates it uses; flags gets what stays in Herald's language."""
    flags = [] if flags is None else flags
    selected = contact_points(name)
    templates = all_templates() if name is None else used_templates(selected)
    return {
        "apiVersion": 1,
        "contactPoints": [contact_point_entry(cp, decrypt, flags) for cp in selected],
        "templates": [template_entry(t, flags) for t in templates],
        # the whole tree, with every contact point only: alone it could name missing ones
        **({"policies": [export_entry()]} if name is None and selected else {}),
    }


def contact_point_entry(contact_point: ContactPoint, decrypt: bool,
                        flags: list[str] | None = None) -> dict[str, Any]:
    """One contactPoints entry; `fallback` is Herald's extension, which Grafana ignores."""
    receivers = [receiver(i, decrypt, flags) for i in contact_point.integrations]
    entry: dict[str, Any] = {"orgId": ORG_ID, "name": contact_point.name, "receivers": receivers}
    if contact_point.fallback is not None:
        entry["fallback"] = contact_point.fallback.name
    return entry


def export_text(name: str | None, decrypt: bool, output_format: str,
                flags: list[str] | None = None) -> str:
    """The document as text; exporting secrets is written to the audit log first."""
    if decrypt:
        audit.record("export-secrets", "contact-point", name or "all contact points", "",
                     None, {"secrets": "included", "format": output_format})
        db.session.commit()
    return dump(document(name, decrypt, flags), output_format)


def file_name(name: str | None, output_format: str) -> str:
    """A download's file name: contact-points.yaml, or the contact point's name, made safe."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in name or "contact-points")
    return f"{stem.strip('-') or 'contact-point'}.{output_format}"
