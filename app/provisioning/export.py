"""Reading Herald out in Grafana's shapes: provisioning documents and embedded contact points."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.integrations import REGISTRY
from app.integrations.base import get_path, set_path
from app.models import ContactPoint, Integration, NotificationTemplate, name_key
from app.provisioning.document import dump
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


def full_settings(integration: Integration, decrypt: bool) -> dict[str, Any]:
    """Grafana's settings: the stored ones with each secret, or "[REDACTED]", in its place."""
    secrets = integration.secrets if decrypt else dict.fromkeys(
        integration.configured_secret_keys, REDACTED)
    stored = integration.settings or {}
    settings: dict[str, Any] = {}
    integration_type = REGISTRY.get(integration.type)
    for spec in integration_type.fields if integration_type else ():
        value = secrets.pop(spec.key, None) if spec.secret else get_path(stored, spec.key)
        if value is not None:
            set_path(settings, spec.key, value)
    for key, value in stored.items():  # anything the declaration does not name, kept as is
        settings.setdefault(key, value)
    for key, value in secrets.items():
        set_path(settings, key, value)
    return settings


def receiver(integration: Integration, decrypt: bool) -> dict[str, Any]:
    return {
        "uid": integration.uid,
        "type": integration.type,
        "settings": full_settings(integration, decrypt),
        "disableResolveMessage": integration.disable_resolve_message,
    }


def embedded(integration: Integration) -> dict[str, Any]:
    """The API's embedded contact point: one integration, its secret settings left out."""
    return {
        "uid": integration.uid,
        "name": integration.contact_point.name,
        "type": integration.type,
        "settings": integration.settings or {},
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


def document(name: str | None = None, decrypt: bool = False) -> dict[str, Any]:
    """The file-provisioning document of every contact point and template, or of one
    contact point and the templates it uses."""
    selected = contact_points(name)
    templates = all_templates() if name is None else used_templates(selected)
    return {
        "apiVersion": 1,
        "contactPoints": [
            {"orgId": ORG_ID, "name": cp.name,
             "receivers": [receiver(i, decrypt) for i in cp.integrations]}
            for cp in selected
        ],
        "templates": [
            {"orgId": ORG_ID, "name": t.name, "template": t.template} for t in templates
        ],
        # the whole tree, with every contact point only: alone it could name missing ones
        **({"policies": [export_entry()]} if name is None and selected else {}),
    }


def export_text(name: str | None, decrypt: bool, output_format: str) -> str:
    """The document as text; exporting secrets is written to the audit log first."""
    if decrypt:
        audit.record("export-secrets", "contact-point", name or "all contact points", "",
                     None, {"secrets": "included", "format": output_format})
        db.session.commit()
    return dump(document(name, decrypt), output_format)


def file_name(name: str | None, output_format: str) -> str:
    """A download's file name: contact-points.yaml, or the contact point's name, made safe."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in name or "contact-points")
    return f"{stem.strip('-') or 'contact-point'}.{output_format}"
