"""What an import will do, entry by entry, before anything is written.

A Plan is a list of Changes, each one line of the preview: what (a contact point's
integration or a template), the action (created, updated, deleted, unchanged or refused),
why, and whether an imported text needs a person's review. Changes that write carry an
operation; apply.py performs them all in one transaction.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app.models import name_key
from app.templating import BUILTIN_TEMPLATES

CREATED, UPDATED, DELETED, UNCHANGED, REFUSED = (
    "created", "updated", "deleted", "unchanged", "refused")
ACTIONS = (CREATED, UPDATED, DELETED, UNCHANGED, REFUSED)
CONTACT_POINT, TEMPLATE, POLICY = "Contact point", "Template", "Notification policies"
# the details of a change to a contact point itself, not to one of its integrations
NO_INTEGRATIONS, WHOLE = "no integrations", "the whole contact point"
WHOLE_CONTACT_POINT = (NO_INTEGRATIONS, WHOLE)


@dataclass(frozen=True)
class IntegrationWrite:
    contact_point: str  # the name of the contact point it joins (created when missing)
    uid: str
    type: str
    settings: dict[str, Any]
    secrets: dict[str, Any]
    disable_resolve_message: bool
    review_note: str
    existing_id: int | None = None


@dataclass(frozen=True)
class IntegrationDelete:
    integration_id: int


@dataclass(frozen=True)
class ContactPointWrite:
    name: str  # an empty contact point, created when missing


@dataclass(frozen=True)
class FallbackWrite:
    name: str  # the contact point
    fallback: str  # the name of its fallback contact point, "" for none


@dataclass(frozen=True)
class ContactPointDelete:
    contact_point_id: int


@dataclass(frozen=True)
class TemplateWrite:
    name: str
    template: str
    existing_id: int | None = None


@dataclass(frozen=True)
class TemplateDelete:
    template_id: int


@dataclass(frozen=True)
class PolicyWrite:
    tree: dict[str, Any]  # Grafana's route object, checked when planned


@dataclass(frozen=True)
class PolicyReset:
    pass


Operation = (PolicyWrite | PolicyReset | IntegrationWrite | IntegrationDelete
             | ContactPointWrite | ContactPointDelete | FallbackWrite | TemplateWrite
             | TemplateDelete)


@dataclass
class Change:
    """One line of the preview."""

    kind: str  # CONTACT_POINT, TEMPLATE or POLICY
    name: str
    action: str
    detail: str = ""  # which integration, e.g. "Slack · uid ops_slack"
    reason: str = ""  # why it is refused, or a note (moved, settings ignored)
    review: str = ""  # imported as written: it uses the default template until fixed
    source: str = ""  # the file it came from
    status: int = 400  # the API's status for a refusal: 400, or 409 for a clash
    operation: Operation | None = None
    before: str = ""  # a digest of what is stored now, so that a change meanwhile shows

    def summary(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "action": self.action,
                "detail": self.detail, "reason": self.reason, "review": self.review,
                "source": self.source, "before": self.before}


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """A digest of the preview and of the stored state it was made against."""
        text = json.dumps([change.summary() for change in self.changes], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def refused(self) -> list[Change]:
        return [change for change in self.changes if change.action == REFUSED]

    @property
    def writes(self) -> list[Change]:
        return [change for change in self.changes if change.operation is not None]

    def counts(self) -> dict[str, int]:
        found = Counter(change.action for change in self.changes)
        return {action: found[action] for action in ACTIONS if found[action]}

    def describe_counts(self) -> str:
        """'2 contact points (3 integrations) created, 1 template created, 1 entry refused'."""
        parts = []
        for action in ACTIONS:
            changes = [change for change in self.changes if change.action == action]
            if changes and action == REFUSED:
                parts.append(f"{_counted(len(changes), 'entry', 'entries')} {action}")
                continue
            points = {name_key(c.name) for c in changes if c.kind == CONTACT_POINT}
            integrations = sum(c.kind == CONTACT_POINT and c.detail not in WHOLE_CONTACT_POINT
                               for c in changes)
            templates = sum(c.kind == TEMPLATE for c in changes)
            if points:
                inside = _counted(integrations, "integration") or "no integrations"
                parts.append(f"{_counted(len(points), 'contact point')} ({inside}) {action}")
            if templates:
                parts.append(f"{_counted(templates, 'template')} {action}")
        return ", ".join(parts) or "nothing to do"


def _counted(count: int, noun: str, plural: str = "") -> str:
    """'1 template', '2 templates', or '' for none."""
    if not count:
        return ""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class TemplateNames:
    """The templates a text may include: built-ins, saved ones and those being imported."""

    known: dict[str, str] = field(default_factory=dict)  # name key -> Herald's name
    aliases: dict[str, str] = field(default_factory=dict)  # a {{ define }}'s name -> name
    broken: dict[str, str] = field(default_factory=dict)  # name key -> why it needs review

    def resolve(self, name: str) -> str | None:
        """The Herald template a Grafana or Herald reference means, or None."""
        if name in BUILTIN_TEMPLATES:
            return name
        key = name_key(name)
        return self.aliases.get(key) or self.known.get(key)

    def add(self, name: str, alias: str = "") -> None:
        self.known[name_key(name)] = name
        if alias:
            self.aliases[name_key(alias)] = name

    def needs_review(self, name: str) -> bool:
        """Whether the template a reference means was imported as written, untranslated."""
        target = self.resolve(name)
        return target is not None and name_key(target) in self.broken

    def remove(self, name: str) -> None:
        self.known.pop(name_key(name), None)
        self.aliases = {k: v for k, v in self.aliases.items() if name_key(v) != name_key(name)}
