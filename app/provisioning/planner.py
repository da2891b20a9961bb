"""The planner: reads a document against what is stored and says what each entry will do.

One planner serves the Import page, `flask provision`, HERALD_PROVISIONING_DIR and the HTTP
API. Templates come first (so that contact points may use templates the same document
brings), then contact points, then deletions, which are refused while something still uses
what they would remove. A contact point whose last integration goes is removed too, as in
Grafana, where a contact point is its integrations.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.crypto import SecretDecryptionError
from app.extensions import db
from app.integrations import REGISTRY
from app.models import ContactPoint, Integration, NotificationTemplate, name_key
from app.provisioning.document import Document, Entry
from app.provisioning.plan import (
    CONTACT_POINT,
    CREATED,
    DELETED,
    NO_INTEGRATIONS,
    REFUSED,
    UNCHANGED,
    UPDATED,
    WHOLE,
    Change,
    ContactPointDelete,
    ContactPointWrite,
    FallbackWrite,
    IntegrationDelete,
    IntegrationWrite,
    Plan,
    TemplateNames,
    digest,
)
from app.provisioning.policy_entries import plan_policies, refuse_used_removals
from app.provisioning.receivers import (
    Prepared,
    Refused,
    check_contact_point_name,
    check_uid,
    prepare,
)
from app.provisioning.template_entries import TemplatePlanner, entry_mapping


def plan_document(document: Document) -> Plan:
    """What importing the document would do, entry by entry; nothing is written."""
    planner = Planner.load()
    planner.templates.plan(document.entries("templates"))
    planner.plan_contact_points(document.entries("contactPoints"))
    planner.plan_contact_point_deletes(document.entries("deleteContactPoints"))
    planner.templates.plan_deletes(document.entries("deleteTemplates"), planner.setting_users())
    plan_policies(planner.changes, document.entries("policies"),
                  document.entries("resetPolicies"),
                  [cp.name for cp in planner.contact_points.values()])
    plan = planner.finish()
    refuse_used_removals(plan.changes)
    return plan


def integration_digest(integration: Integration) -> str:
    return digest([integration.contact_point_id, integration.type, integration.settings,
                   integration.secure_settings, integration.disable_resolve_message,
                   integration.review_note])


def describe_integration(type_id: Any, uid: str) -> str:
    integration_type = REGISTRY.get(type_id) if isinstance(type_id, str) else None
    label = integration_type.label if integration_type else str(type_id or "no type")
    return f"{label} · uid {uid}" if uid else f"{label} · new uid"


class Planner:
    """The stored state, and the changes planned against it so far."""

    def __init__(self, integrations: list[Integration], contact_points: list[ContactPoint],
                 templates: list[NotificationTemplate]) -> None:
        self.changes: list[Change] = []
        self.integrations = {i.uid: i for i in integrations}
        self.contact_points = {cp.name_key: cp for cp in contact_points}
        self.names = TemplateNames()
        self.templates = TemplatePlanner(self.changes, self.names, templates)
        self.claimed: set[int] = set()  # stored integrations an entry of the document names
        self.replaced: set[int] = set()  # stored integrations this plan rewrites or deletes
        self.leaving: Counter[int] = Counter()  # contact point id -> integrations leaving it
        self.joined: set[str] = set()  # name keys of contact points that keep or gain some
        # name key -> (name, the `fallback` given, source): Herald's extension to the format
        self.fallbacks: dict[str, tuple[str, Any, str]] = {}
        self.document_uids: Counter[str] = Counter()

    @classmethod
    def load(cls) -> Planner:
        contact_points = list(db.session.scalars(
            select(ContactPoint).options(selectinload(ContactPoint.integrations))))
        integrations = [i for cp in contact_points for i in cp.integrations]
        return cls(integrations, contact_points,
                   list(db.session.scalars(select(NotificationTemplate))))

    # --- contact points -----------------------------------------------------------------

    def plan_contact_points(self, entries: list[Entry]) -> None:
        self.document_uids = Counter(
            receiver["uid"] for entry in entries if isinstance(entry.value, dict)
            for receiver in _list(entry.value.get("receivers"))
            if isinstance(receiver, dict) and isinstance(receiver.get("uid"), str)
        )
        for entry in entries:
            name = entry.value.get("name") if isinstance(entry.value, dict) else None
            try:
                name = check_contact_point_name(entry_mapping(entry, "contact point")["name"])
                receivers = entry.value.get("receivers") or []
                if not isinstance(receivers, list):
                    raise Refused("receivers must be a list.")
            except Refused as exc:
                self._refuse(str(name or "(no name)"), exc, entry.source)
                continue
            if not receivers:
                self._empty_contact_point(name, entry.source)
            for receiver in receivers:
                self.changes.append(self.receiver(name, receiver, entry.source))
            if "fallback" in entry.value:
                self.fallbacks[name_key(name)] = (name, entry.value["fallback"], entry.source)

    def receiver(self, name: str, item: Any, source: str = "",
                 existing: Integration | None = None, keep_absent_secrets: bool = False) -> Change:
        """Plan one integration of the named contact point (created or updated)."""
        change = Change(CONTACT_POINT, name, REFUSED, source=source)
        try:
            uid, existing, prepared = self._prepare(change, name, item, existing,
                                                    keep_absent_secrets)
        except Refused as exc:
            change.reason, change.status = exc.reason, exc.status
            return change
        uid = uid or (existing.uid if existing else "")
        change.operation = IntegrationWrite(
            name, uid, prepared.integration_type.type, prepared.settings, prepared.secrets,
            prepared.disable_resolve_message, prepared.review_note,
            existing.id if existing else None)
        change.detail = describe_integration(prepared.integration_type.type, uid)
        change.review = prepared.review_note
        self.joined.add(name_key(name))
        change.reason = "; ".join(self._compare(change, name, existing) + prepared.notes)
        return change

    def _prepare(self, change: Change, name: str, item: Any, existing: Integration | None,
                 keep_absent_secrets: bool) -> tuple[str, Integration | None, Prepared]:
        """(uid, the stored integration it updates, storable values), or Refused."""
        if not isinstance(item, dict):
            raise Refused("each receiver must be a mapping with type and settings.")
        uid = check_uid(item.get("uid"))
        change.detail = describe_integration(item.get("type"), uid)
        if uid and self.document_uids[uid] > 1:
            raise Refused(f"uid {uid} is used by more than one receiver in this document.")
        existing = existing or self._match(name, item.get("type"), uid)
        if existing is not None:
            self.claimed.add(existing.id)
        return uid, existing, prepare(
            item.get("type"), item.get("settings"), item.get("disableResolveMessage", False),
            self.names, existing, keep_absent_secrets)

    def _compare(self, change: Change, name: str, existing: Integration | None) -> list[str]:
        """Set the change's action against what is stored; returns notes on where it goes."""
        change.action = CREATED
        target = self.contact_points.get(name_key(name))
        if existing is None:
            if target is None:
                return []
            change.before = digest([target.uid, [i.uid for i in target.integrations]])
            return [f"joins the existing contact point “{target.name}”"]
        change.before = integration_digest(existing)
        if _same(existing, change.operation):
            change.action, change.operation = UNCHANGED, None
            return []
        change.action = UPDATED
        self.replaced.add(existing.id)
        if existing.contact_point.name_key == name_key(name):
            return []
        self.leaving[existing.contact_point_id] += 1
        return [f"moves from “{existing.contact_point.name}”"]

    def _match(self, name: str, type_id: Any, uid: str) -> Integration | None:
        """The stored integration an entry updates: by uid, else the same type's in order."""
        if uid:
            found = self.integrations.get(uid)
            if found is not None and found.id in self.claimed:
                raise Refused(f"uid {uid} is already used by another entry.")
            return found
        contact_point = self.contact_points.get(name_key(name))
        for integration in contact_point.integrations if contact_point else ():
            if (integration.type == type_id and integration.id not in self.claimed
                    and integration.uid not in self.document_uids):
                return integration
        return None

    def _empty_contact_point(self, name: str, source: str) -> None:
        key = name_key(name)
        self.joined.add(key)
        if key in self.contact_points:
            change = Change(CONTACT_POINT, name, UNCHANGED, NO_INTEGRATIONS, source=source)
        else:
            change = Change(CONTACT_POINT, name, CREATED, NO_INTEGRATIONS, source=source,
                            operation=ContactPointWrite(name))
        self.changes.append(change)

    def _refuse(self, name: str, exc: Refused, source: str) -> None:
        self.changes.append(Change(CONTACT_POINT, name, REFUSED, "", exc.reason,
                                   source=source, status=exc.status))

    # --- deletions ----------------------------------------------------------------------

    def plan_contact_point_deletes(self, entries: list[Entry]) -> None:
        for entry in entries:
            try:
                uid = check_uid(entry_mapping(entry, "contact point to delete").get("uid"))
                if not uid:
                    raise Refused("uid is required: the uid of the integration to delete.")
            except Refused as exc:
                self._refuse("(deleteContactPoints)", exc, entry.source)
                continue
            self.changes.append(self.delete_integration(uid, entry.source))

    def delete_integration(self, uid: str, source: str = "") -> Change:
        integration = self.integrations.get(uid)
        if integration is None:
            return Change(CONTACT_POINT, "(none)", UNCHANGED, f"uid {uid}",
                          f"nothing to delete: no integration has uid {uid}", source=source,
                          status=404)
        contact_point = integration.contact_point
        change = Change(CONTACT_POINT, contact_point.name, REFUSED,
                        describe_integration(integration.type, uid), source=source)
        if integration.id in self.claimed:
            change.reason = f"uid {uid} is also created or updated by this document."
            return change
        self.claimed.add(integration.id)
        self.replaced.add(integration.id)
        self.leaving[contact_point.id] += 1
        change.action, change.before = DELETED, integration_digest(integration)
        change.operation = IntegrationDelete(integration.id)
        return change

    def setting_users(self) -> list[tuple[str, Any]]:
        """(contact point name, settings) of every integration as this plan leaves it."""
        users = [(i.contact_point.name, i.settings) for i in self.integrations.values()
                 if i.id not in self.replaced]
        return users + [(c.operation.contact_point, c.operation.settings) for c in self.changes
                        if isinstance(c.operation, IntegrationWrite)]

    def plan_fallbacks(self) -> None:
        """Herald's `fallback` extension: each names an existing contact point, no cycles."""
        graph = {key: cp.fallback.name_key for key, cp in self.contact_points.items()
                 if cp.fallback is not None}
        wanted = {key: name_key(value) if isinstance(value, str) and value.strip() else None
                  for key, (_, value, _) in self.fallbacks.items()}
        graph.update({key: target for key, target in wanted.items() if target})
        for key in [key for key, target in wanted.items() if target is None]:
            graph.pop(key, None)
        known = set(self.contact_points) | self.joined
        for key, (name, value, source) in self.fallbacks.items():
            problem = _fallback_problem(key, value, known, graph)
            if problem:
                self.changes.append(Change(CONTACT_POINT, name, REFUSED, "fallback", problem,
                                           source=source))
                continue
            stored = self.contact_points.get(key)
            if stored is not None and (stored.fallback.name_key if stored.fallback else None) \
                    == wanted[key]:
                continue
            self.changes.append(Change(
                CONTACT_POINT, name, UPDATED if stored else CREATED,
                f"fallback: {value.strip() if wanted[key] else 'none'}", source=source,
                operation=FallbackWrite(name, value.strip() if wanted[key] else "")))

    def finish(self) -> Plan:
        """Add the removal of contact points this plan leaves without integrations."""
        self.plan_fallbacks()
        for key, contact_point in self.contact_points.items():
            count = len(contact_point.integrations)
            if count and self.leaving[contact_point.id] >= count and key not in self.joined:
                self.changes.append(Change(
                    CONTACT_POINT, contact_point.name, DELETED, WHOLE,
                    "its last integration goes", before=digest(contact_point.uid),
                    operation=ContactPointDelete(contact_point.id)))
        return Plan(self.changes)


def _fallback_problem(key: str, value: Any, known: set[str],
                      graph: dict[str, str]) -> str | None:
    """Why a contact point's fallback cannot be set, or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return "fallback must be the name of a contact point."
    if name_key(value) not in known:
        return f"fallback: there is no contact point named “{value.strip()}”."
    seen, step = set(), graph.get(key)
    while step is not None and step not in seen:
        if step == key:
            return "fallback: fallbacks may not form a cycle."
        seen.add(step)
        step = graph.get(step)
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _same(existing: Integration, write: IntegrationWrite) -> bool:
    """Whether writing would change nothing stored."""
    try:
        secrets = existing.secrets
    except SecretDecryptionError:
        return False
    return (existing.contact_point.name_key == name_key(write.contact_point)
            and existing.type == write.type and (existing.settings or {}) == write.settings
            and secrets == {k: str(v) for k, v in write.secrets.items()}
            and existing.disable_resolve_message == write.disable_resolve_message
            and (existing.review_note or "") == write.review_note)
