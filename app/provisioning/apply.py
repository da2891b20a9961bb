"""Writing a plan: every change in one transaction, each in the audit log."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.contact_points import snapshot
from app.extensions import db
from app.models import ContactPoint, Integration, NotificationTemplate, name_key, new_uid, utcnow
from app.provisioning.plan import (
    ContactPointDelete,
    ContactPointWrite,
    FallbackWrite,
    IntegrationDelete,
    IntegrationWrite,
    Plan,
    PolicyReset,
    PolicyWrite,
    TemplateDelete,
    TemplateWrite,
)
from app.provisioning.policy_entries import write_policies

MAX_INTEGRATIONS = 100  # per contact point, as in the form


class ApplyConflict(Exception):
    """The database changed under the plan (a name or uid taken meanwhile); nothing written."""


def template_snapshot(template: NotificationTemplate) -> dict[str, Any]:
    return {"name": template.name, "template": template.template}


class _Writer:
    """Performs operations, remembering each object's state before its first change."""

    def __init__(self) -> None:
        self.contact_points: dict[str, ContactPoint] = {}
        self.before: dict[int, tuple[ContactPoint, dict | None]] = {}
        self.template_before: dict[int, tuple[NotificationTemplate, dict | None]] = {}
        self.deleted: list[tuple[ContactPoint, dict]] = []
        self.templates_deleted: list[tuple[NotificationTemplate, dict]] = []

    def touch(self, contact_point: ContactPoint) -> ContactPoint:
        known = contact_point.id is not None
        self.before.setdefault(id(contact_point),
                               (contact_point, snapshot(contact_point) if known else None))
        contact_point.updated_at = utcnow()  # so an open edit form sees it was changed
        return contact_point

    def contact_point(self, name: str) -> ContactPoint:
        """The contact point with this name, created when there is none."""
        key = name_key(name)
        if key not in self.contact_points:
            found = db.session.scalar(select(ContactPoint).where(ContactPoint.name_key == key))
            if found is None:
                found = ContactPoint()
                found.set_name(name)
                db.session.add(found)
            self.contact_points[key] = found
        return self.touch(self.contact_points[key])

    def integration(self, write: IntegrationWrite) -> None:
        target = self.contact_point(write.contact_point)
        integration = db.session.get(Integration, write.existing_id) if write.existing_id else None
        if integration is None:
            integration = Integration(uid=write.uid or new_uid(), position=len(target.integrations))
        elif integration.contact_point is not target:
            self.touch(integration.contact_point)
            integration.position = len(target.integrations)
        if integration not in target.integrations:  # (the backref leaves the old list)
            target.integrations.append(integration)
        integration.type = write.type
        integration.settings = write.settings
        integration.secrets = write.secrets
        integration.disable_resolve_message = write.disable_resolve_message
        integration.review_note = write.review_note

    def fallback(self, write: FallbackWrite) -> None:
        target = self.contact_point(write.name)
        target.fallback = self.contact_point(write.fallback) if write.fallback else None

    def delete_integration(self, operation: IntegrationDelete) -> None:
        integration = db.session.get(Integration, operation.integration_id)
        if integration is not None:
            self.touch(integration.contact_point).integrations.remove(integration)

    def delete_contact_point(self, operation: ContactPointDelete) -> None:
        contact_point = db.session.get(ContactPoint, operation.contact_point_id)
        if contact_point is not None:
            _, before = self.before.pop(id(contact_point), (None, None))
            self.deleted.append((contact_point, before or snapshot(contact_point)))
            db.session.delete(contact_point)

    def template(self, write: TemplateWrite) -> None:
        template = db.session.get(NotificationTemplate, write.existing_id) \
            if write.existing_id else None
        if template is None:
            template = NotificationTemplate()
            db.session.add(template)
        self.template_before.setdefault(
            id(template), (template, template_snapshot(template) if template.id else None))
        template.set_name(write.name)
        template.template = write.template

    def delete_template(self, operation: TemplateDelete) -> None:
        template = db.session.get(NotificationTemplate, operation.template_id)
        if template is not None:
            self.templates_deleted.append((template, template_snapshot(template)))
            db.session.delete(template)

    def perform(self, operation: Any) -> None:
        handlers = {IntegrationWrite: self.integration, IntegrationDelete: self.delete_integration,
                    ContactPointWrite: self.contact_point,
                    ContactPointDelete: self.delete_contact_point,
                    FallbackWrite: self.fallback,
                    TemplateWrite: self.template, TemplateDelete: self.delete_template,
                    PolicyWrite: write_policies, PolicyReset: write_policies}
        handler = handlers[type(operation)]
        handler(operation.name if isinstance(operation, ContactPointWrite) else operation)

    def record(self) -> None:
        """Audit every change (after a flush, so that new objects have their uid and id)."""
        for contact_point, before in self.before.values():
            for position, integration in enumerate(contact_point.integrations):
                integration.position = position
            audit.record("update" if before else "create", "contact-point", contact_point.name,
                         contact_point.uid, before, snapshot(contact_point))
        for contact_point, before in self.deleted:
            audit.record("delete", "contact-point", contact_point.name, contact_point.uid,
                         before, None)
        for template, before in self.template_before.values():
            audit.record("update" if before else "create", "template", template.name,
                         str(template.id), before, template_snapshot(template))
        for template, before in self.templates_deleted:
            audit.record("delete", "template", template.name, str(template.id), before, None)


def _check_sizes(writer: _Writer) -> None:
    """The form's limit holds here too: a Test of a huge contact point would flood."""
    for contact_point, _ in writer.before.values():
        count, name = len(contact_point.integrations), contact_point.name
        if count > MAX_INTEGRATIONS:
            db.session.rollback()
            raise ApplyConflict(f"“{name}” would have {count} integrations; a contact point "
                                f"can have at most {MAX_INTEGRATIONS}. Nothing was written.")


def apply(plan: Plan) -> None:
    """Write every planned change at once; ApplyConflict (and nothing written) on a clash."""
    writer = _Writer()
    try:
        for change in plan.writes:
            writer.perform(change.operation)
        _check_sizes(writer)
        db.session.flush()
        writer.record()
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ApplyConflict("A name or uid in the document was taken while it was being "
                            "imported; nothing was written. Preview it again.") from exc
    except StaleDataError as exc:  # someone saved one of these contact points meanwhile
        db.session.rollback()
        raise ApplyConflict("Someone else saved a contact point of the document while it was "
                            "being imported; nothing was written. Preview it again.") from exc
