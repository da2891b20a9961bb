"""Contact points as a person edits them: validate, save in one transaction, list, copy."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.contact_point_list import summary_of
from app.extensions import db
from app.integrations import REGISTRY, get_type
from app.integrations.base import (
    Errors,
    Values,
    from_storage,
    to_storage,
    validate,
)
from app.models import ContactPoint, Integration, name_key, utcnow
from app.names import copy_name, name_problem
from app.template_fields import template_errors


@dataclass
class IntegrationInput:
    """One integration block as submitted. Secret keys absent from values keep their
    stored value, taken from the integration `source` (a uid of the same contact point)."""

    type: str
    values: Values
    uid: str | None = None
    source: str | None = None
    disable_resolve_message: bool = False


@dataclass
class SaveResult:
    contact_point: ContactPoint | None = None
    name_error: str | None = None
    block_errors: list[Errors] = field(default_factory=list)
    fallback_error: str | None = None
    conflict: bool = False  # someone else saved it since the version the form was opened at

    @property
    def errors(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.name_error:
            found["name"] = self.name_error
        if self.fallback_error:
            found["fallback"] = self.fallback_error
        if any(self.block_errors):
            found["integrations"] = self.block_errors
        return found


def snapshot(contact_point: ContactPoint) -> dict[str, Any]:
    """The contact point as the audit log keeps it: secret keys named, values left out."""
    return {
        "name": contact_point.name,
        "fallback": contact_point.fallback.name if contact_point.fallback else None,
        "integrations": [
            {
                "uid": i.uid,
                "type": i.type,
                "settings": i.settings,
                "secureFields": sorted(i.configured_secret_keys),
                "disableResolveMessage": i.disable_resolve_message,
            }
            for i in contact_point.integrations
        ],
    }


def check_name(name: str, contact_point: ContactPoint | None) -> str | None:
    """The message for a name that cannot be used, or None."""
    return name_problem(name, ContactPoint, contact_point, thing="contact point")


def describe(integration: Integration) -> str:
    """The short description on the list, read without decrypting any secret."""
    return summary_of(integration.type, integration.settings or {},
                      integration.configured_secret_keys)


def _kept_secrets(
    block: IntegrationInput, existing: dict[str, Integration]
) -> tuple[Integration | None, list[str]]:
    """The block's source integration and the secret keys it keeps from it untouched."""
    source = existing.get(block.source or "")
    if source is None or source.type != block.type:
        return None, []
    configured = source.configured_secret_keys
    keys = REGISTRY[block.type].secret_keys
    return source, [k for k in keys if k not in block.values and k in configured]


def _moved_destinations(block: IntegrationInput, source: Integration) -> list[str]:
    """Destination settings (where secrets are sent) that differ from the source's."""
    integration_type = REGISTRY[block.type]
    stored = from_storage(integration_type, source.settings or {}, {})
    return [key for key in integration_type.destination_keys
            if str(block.values.get(key, "")).strip() != str(stored.get(key, "")).strip()]


def effective_values(block: IntegrationInput, existing: dict[str, Integration]) -> Values:
    """The block's values with untouched secrets filled from its source integration,
    unless a destination changed: a stored secret is only sent where it was saved for."""
    values = dict(block.values)
    source, kept = _kept_secrets(block, existing)
    if kept and not _moved_destinations(block, source):
        stored = source.secrets
        values.update({key: stored[key] for key in kept})
    return values


def retarget_errors(block: IntegrationInput, existing: dict[str, Integration]) -> Errors:
    """Kept secrets that must be typed again because their destination changed."""
    source, kept = _kept_secrets(block, existing)
    moved = _moved_destinations(block, source) if kept else []
    if not moved:
        return {}
    by_key = REGISTRY[block.type].by_key
    where = " and ".join(by_key[key].label for key in moved)
    return {key: f"{by_key[key].label}: enter it again — {where} changed, and a stored "
                 "secret is only sent where it was saved for." for key in kept}


def find_fallback(
    name: str, contact_point: ContactPoint | None
) -> tuple[ContactPoint | None, str | None]:
    """The contact point a fallback name designates, or why it cannot be the fallback.

    Following fallbacks from it must never come back to this contact point: a cycle would
    let a failure bounce between them.
    """
    if not name.strip():
        return None, None
    target = db.session.scalar(select(ContactPoint).where(ContactPoint.name_key == name_key(name)))
    if target is None:
        return None, f"There is no contact point named “{name.strip()}”."
    seen: set[int] = set()
    step: ContactPoint | None = target
    while step is not None and step.id not in seen:
        if contact_point is not None and step.id == contact_point.id:
            if step is target:
                return None, "A contact point cannot be its own fallback."
            return None, (f"“{target.name}” falls back to this contact point already: "
                          "fallbacks may not form a cycle.")
        seen.add(step.id)
        step = step.fallback
    return target, None


def save_contact_point(
    contact_point: ContactPoint | None, name: str, blocks: list[IntegrationInput],
    fallback: str | None = None,
    seen_version: int | None = None,
) -> SaveResult:
    """Validate everything, then write the contact point and its integrations at once.

    fallback names the fallback contact point ("" for none); None leaves it as it is. With
    seen_version, the save only happens if nobody saved it since that version.
    """
    if contact_point is not None and seen_version not in (None, contact_point.version):
        return SaveResult(conflict=True)
    existing = {i.uid: i for i in contact_point.integrations} if contact_point else {}
    result = SaveResult(name_error=check_name(name, contact_point))
    fallback_target = None
    if fallback is not None:
        fallback_target, result.fallback_error = find_fallback(fallback, contact_point)
    prepared: list[tuple[IntegrationInput, Values]] = []
    for block in blocks:
        integration_type = get_type(block.type)
        if integration_type is None:
            result.block_errors.append({"type": f"Unknown integration type: {block.type!r}."})
            continue
        values = effective_values(block, existing)
        errors = retarget_errors(block, existing)
        for key, message in validate(integration_type, values).items():
            errors.setdefault(key, message)
        for key, message in template_errors(integration_type, values).items():
            errors.setdefault(key, message)
        result.block_errors.append(errors)
        prepared.append((block, values))
    if result.errors:
        return result

    before = snapshot(contact_point) if contact_point else None
    if contact_point is None:
        contact_point = ContactPoint()
        db.session.add(contact_point)
    contact_point.set_name(name)
    if fallback is not None:
        contact_point.fallback = fallback_target
    contact_point.updated_at = utcnow()  # also when only its integrations change
    _write_integrations(contact_point, existing, prepared)
    try:
        db.session.flush()
        audit.record("update" if before else "create", "contact-point", contact_point.name,
                     contact_point.uid, before, snapshot(contact_point))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        result.name_error = f"A contact point named “{name.strip()}” already exists."
        return result
    except StaleDataError:  # the conditional UPDATE found a newer version: nothing written
        db.session.rollback()
        return SaveResult(conflict=True)
    result.contact_point = contact_point
    return result


def _write_integrations(
    contact_point: ContactPoint,
    existing: dict[str, Integration],
    prepared: list[tuple[IntegrationInput, Values]],
) -> None:
    kept: list[Integration] = []
    for position, (block, values) in enumerate(prepared):
        integration = existing.get(block.uid or "")
        if integration is None or integration in kept:
            integration = Integration()
        settings, secrets = to_storage(REGISTRY[block.type], values)
        integration.type = block.type
        integration.settings = settings
        integration.secrets = secrets
        integration.disable_resolve_message = block.disable_resolve_message
        integration.position = position
        integration.review_note = ""  # a person saved valid settings: nothing left to review
        kept.append(integration)
    contact_point.integrations = kept


def duplicate_contact_point(original: ContactPoint) -> ContactPoint:
    """Copy a contact point, settings and secrets, under "<name> (copy)"."""
    copy = ContactPoint()
    copy.set_name(copy_name(original.name, lambda name: check_name(name, None) is None))
    copy.integrations = [
        Integration(
            type=i.type,
            settings=dict(i.settings or {}),
            secure_settings=dict(i.secure_settings or {}),
            disable_resolve_message=i.disable_resolve_message,
            position=i.position,
        )
        for i in original.integrations
    ]
    db.session.add(copy)
    db.session.flush()
    audit.record("create", "contact-point", copy.name, copy.uid, None, snapshot(copy))
    db.session.commit()
    return copy


def delete_contact_point(contact_point: ContactPoint) -> None:
    audit.record("delete", "contact-point", contact_point.name, contact_point.uid,
                 snapshot(contact_point), None)
    # Not conditional on the version: a delete asked for stands even if someone saved a
    # moment before (its integrations go by the foreign key's ON DELETE CASCADE).
    db.session.execute(delete(ContactPoint).where(ContactPoint.id == contact_point.id))
    db.session.commit()


def get_contact_point(uid: str) -> ContactPoint | None:
    return db.session.scalar(
        select(ContactPoint)
        .where(ContactPoint.uid == uid)
        .options(selectinload(ContactPoint.integrations))
    )


def page_number_of(contact_point: ContactPoint, size: int = 25) -> int:
    """The page of the unfiltered list (ordered by name) that shows this contact point."""
    before = select(func.count()).where(ContactPoint.name_key < contact_point.name_key)
    return (db.session.scalar(before) or 0) // size + 1
