"""The HTTP API's operations on embedded contact points and templates, Grafana's way.

Every write goes through the same planner as an import, so the checks, the translation of
Go templates and the audit log are the same; a refusal becomes an ApiError with Grafana's
status (400, 404 or 409) and nothing is written.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.alerting.policies import in_use_message, load_spec, policies_using
from app.alerting.tree import spec_to_dict
from app.extensions import db
from app.models import ContactPoint, Integration, NotificationTemplate, name_key, new_uid
from app.provisioning.apply import ApplyConflict, apply
from app.provisioning.document import Document, Entry, dump
from app.provisioning.export import embedded
from app.provisioning.plan import REFUSED, UNCHANGED, Change
from app.provisioning.planner import Planner, plan_document
from app.provisioning.policy_entries import export_entry
from app.provisioning.receivers import Refused, check_contact_point_name, check_uid
from app.provisioning.template_entries import pieces
from app.text import normalise_newlines


class ApiError(Exception):
    """What the API answers instead: a status and a message naming what is wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def _write(planner: Planner, change: Change) -> None:
    """Apply the change (and what it implies, e.g. removing an emptied contact point), or
    raise its refusal."""
    if change.action == REFUSED:
        raise ApiError(change.status, change.reason)
    if change.action == UNCHANGED and change.status == 404:
        raise ApiError(404, change.reason[:1].upper() + change.reason[1:])
    planner.changes.append(change)
    try:
        apply(planner.finish())
    except ApplyConflict as exc:
        raise ApiError(409, str(exc)) from exc


def _checked(check, value: Any) -> str:
    try:
        return check(value)
    except Refused as exc:
        raise ApiError(exc.status, exc.reason) from exc


def get_integration(uid: str) -> Integration | None:
    return db.session.scalar(select(Integration).where(Integration.uid == uid))


# --- contact points -----------------------------------------------------------------------


def list_contact_points(name: str | None = None) -> list[dict[str, Any]]:
    """One embedded contact point per integration, by contact point name then position."""
    query = (select(Integration).join(ContactPoint)
             .order_by(ContactPoint.name_key, Integration.position))
    if name is not None:
        query = query.where(ContactPoint.name_key == name_key(name))
    return [embedded(integration) for integration in db.session.scalars(query)]


def create_contact_point(body: Any) -> dict[str, Any]:
    """Create one integration; its name joins (or creates) the contact point."""
    body = _object(body)
    uid = _checked(check_uid, body.get("uid"))
    if uid and get_integration(uid) is not None:
        raise ApiError(409, f"An integration with uid {uid} already exists.")
    name = _checked(check_contact_point_name, body.get("name"))
    uid = uid or new_uid()
    planner = Planner.load()
    _write(planner, planner.receiver(name, {**body, "uid": uid}))
    return embedded(get_integration(uid))


def update_contact_point(uid: str, body: Any) -> dict[str, Any]:
    """Update one integration; secret settings left out (or "[REDACTED]") keep their value."""
    body = _object(body)
    planner = Planner.load()
    existing = planner.integrations.get(uid)
    if existing is None:
        raise ApiError(404, f"There is no integration with uid {uid}.")
    name = _checked(check_contact_point_name, body.get("name") or existing.contact_point.name)
    change = planner.receiver(name, {**body, "uid": uid}, existing=existing,
                              keep_absent_secrets=True)
    _write(planner, change)
    return embedded(get_integration(uid))


def delete_contact_point(uid: str) -> None:
    """Delete one integration (and its contact point when it was the last one)."""
    integration = db.session.scalar(select(Integration).where(Integration.uid == uid))
    if integration is not None and len(integration.contact_point.integrations) == 1:
        name = integration.contact_point.name
        used_by = policies_using(name)
        if used_by:
            raise ApiError(409, in_use_message(name, used_by))
    planner = Planner.load()
    _write(planner, planner.delete_integration(uid))


# --- templates ----------------------------------------------------------------------------


def template_model(template: NotificationTemplate) -> dict[str, str]:
    return {"name": template.name, "template": template.template}


def get_template(name: str) -> NotificationTemplate | None:
    return db.session.scalar(
        select(NotificationTemplate).where(NotificationTemplate.name_key == name_key(name)))


def list_templates() -> list[dict[str, str]]:
    query = select(NotificationTemplate).order_by(NotificationTemplate.name_key)
    return [template_model(template) for template in db.session.scalars(query)]


def put_template(name: str, body: Any) -> dict[str, str]:
    """Create or update a template; a Grafana {{ define }} wrapper is translated."""
    text = _object(body).get("template")
    if not isinstance(text, str):
        raise ApiError(400, "template is required: the template's text.")
    found = pieces(name.strip(), normalise_newlines(text))
    if len(found) > 1:
        raise ApiError(400, "template holds several {{ define }} blocks: put each one under "
                            "its own name.")
    herald_name, body_text, alias, _ = found[0]
    planner = Planner.load()
    planner.names.add(herald_name, alias)
    _write(planner, planner.templates.template(herald_name, body_text))
    return template_model(get_template(herald_name))


def delete_template(name: str) -> None:
    """Delete a template nothing uses (409 names who uses it)."""
    planner = Planner.load()
    users = planner.templates.users(planner.setting_users(), {name_key(name)})
    _write(planner, planner.templates.delete(name, users))


# --- notification policies ----------------------------------------------------------------


def get_policies() -> dict[str, Any]:
    """The policy tree as Grafana's route object."""
    return spec_to_dict(load_spec())


def put_policies(body: Any) -> None:
    """Replace the whole policy tree (checked like an imported `policies` entry)."""
    _apply_policies(Document(sections={**Document().sections,
                                       "policies": [Entry(_object(body))]}))


def reset_policies() -> None:
    """Back to the default policy alone, on the current default contact point."""
    _apply_policies(Document(sections={**Document().sections, "resetPolicies": [Entry(1)]}))


def _apply_policies(document: Document) -> None:
    plan = plan_document(document)
    for change in plan.refused:
        raise ApiError(change.status, change.reason[:1].upper() + change.reason[1:] + ".")
    try:
        apply(plan)
    except ApplyConflict as exc:
        raise ApiError(409, str(exc)) from exc


def export_policies(output_format: str) -> str:
    return dump({"apiVersion": 1, "policies": [export_entry()]}, output_format)
