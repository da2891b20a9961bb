"""Planning the templates of a document: created, updated, deleted or refused.

A Grafana template holds one or more ``{{ define "name" }}...{{ end }}`` blocks. One block
(the usual case) becomes a Herald template under the entry's name, and references to the
block's name lead to it; several blocks become one Herald template each, named as the block.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from app.models import NAME_MAX_LENGTH, NotificationTemplate, name_key
from app.provisioning.document import Entry
from app.provisioning.export import ORG_ID, strings_in
from app.provisioning.gotemplate import split_defines, translate
from app.provisioning.plan import (
    CREATED,
    DELETED,
    REFUSED,
    TEMPLATE,
    UNCHANGED,
    UPDATED,
    Change,
    TemplateDelete,
    TemplateNames,
    TemplateWrite,
    digest,
)
from app.provisioning.receivers import Refused, check_herald_text
from app.template_fields import referenced_names
from app.templating import BUILTIN_TEMPLATES
from app.text import normalise_newlines

MAX_TEMPLATE_BYTES = 64 * 1024
BUILTIN_KEYS = {name_key(name): name for name in BUILTIN_TEMPLATES}


def entry_mapping(entry: Entry, what: str) -> dict[str, Any]:
    """The entry as a mapping in Herald's one organisation, or Refused."""
    if not isinstance(entry.value, dict):
        raise Refused(f"each {what} must be a mapping.")
    org = entry.value.get("orgId", ORG_ID)
    if str(org) != str(ORG_ID):
        raise Refused(f"orgId {org!r}: Herald has one organisation, orgId {ORG_ID}.")
    return entry.value


def check_template_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Refused("name is required (the template's name).")
    name = name.strip()
    if len(name) > NAME_MAX_LENGTH:
        raise Refused(f"name must be at most {NAME_MAX_LENGTH} characters.")
    if any(char in '"\\' or ord(char) < 32 for char in name):
        raise Refused("name cannot contain double quotes, backslashes or line breaks.")
    if name_key(name) in BUILTIN_KEYS:
        raise Refused(f"“{BUILTIN_KEYS[name_key(name)]}” is the name of a built-in template.",
                      status=409)
    return name


def pieces(name: str, text: str) -> list[tuple[str, str, str, str]]:
    """(Herald name, text, {{ define }} name, group) of each template an entry holds."""
    defines = split_defines(text)
    if not defines:
        return [(name, text, "", "")]
    if len(defines) == 1:
        return [(name, defines[0][1], defines[0][0], "")]
    return [(define, body, define, name) for define, body in defines]


class TemplatePlanner:
    def __init__(self, changes: list[Change], names: TemplateNames,
                 templates: list[NotificationTemplate]) -> None:
        self.changes = changes
        self.names = names
        self.stored = {template.name_key: template for template in templates}
        for template in templates:
            names.add(template.name)
        self.writes: dict[str, tuple[str, str]] = {}  # name key -> (name, text) after the plan

    def plan(self, entries: list[Entry]) -> None:
        found: list[tuple[str, str, str, str, str]] = []
        for entry in entries:
            try:
                item = entry_mapping(entry, "template")
                name = check_template_name(item.get("name"))
                if not isinstance(item.get("template"), str):
                    raise Refused("template must be text.")
            except Refused as exc:
                self._refuse(_name_of(entry), exc, entry.source)
                continue
            text = normalise_newlines(item["template"])
            found += [(entry.source, *piece) for piece in pieces(name, text)]
        counts = Counter(name_key(piece[1]) for piece in found)
        for _source, name, _text, alias, _group in found:
            if counts[name_key(name)] == 1:
                self.names.add(name, alias)
        for source, name, text, _alias, group in found:
            if counts[name_key(name)] > 1:
                self._refuse(name, Refused("more than one template in this document has this "
                                           "name."), source)
            else:
                self.changes.append(self.template(name, text, source, group))

    def template(self, name: str, body: str, source: str = "", group: str = "") -> Change:
        """Plan one template: its text translated from Go, or kept as written for review."""
        change = Change(TEMPLATE, name, REFUSED, f"from “{group}”" if group else "",
                        source=source)
        try:
            check_template_name(name)
            text, change.review = self._text(name, body)
        except Refused as exc:
            self.names.remove(name)
            change.reason, change.status = exc.reason, exc.status
            return change
        key = name_key(name)
        existing = self.stored.get(key)
        self.writes[key] = (name, text)
        change.action = UPDATED if existing else CREATED
        if existing is not None:
            change.before = digest([existing.name, existing.template])
            if existing.name == name and existing.template == text:
                change.action = UNCHANGED
                return change
        change.operation = TemplateWrite(name, text, existing.id if existing else None)
        return change

    def _text(self, name: str, body: str) -> tuple[str, str]:
        """(text to store, why it needs review) for a template's body."""
        if not body.strip():
            raise Refused("the template is empty.")
        if len(body.encode()) > MAX_TEMPLATE_BYTES:
            raise Refused(f"the template is longer than {MAX_TEMPLATE_BYTES // 1024} KiB.")
        translation = translate(body, self.names.resolve)
        if translation.problem:
            self.names.broken[name_key(name)] = translation.problem
            return body, translation.problem
        if not translation.go:
            check_herald_text("Template", translation.text, self.names)
        return translation.text, ""

    def plan_deletes(self, entries: list[Entry], setting_users: list[tuple[str, Any]]) -> None:
        names: list[tuple[Entry, str]] = []
        for entry in entries:
            try:
                name = entry_mapping(entry, "template to delete").get("name")
                if not isinstance(name, str) or not name.strip():
                    raise Refused("name is required: the name of the template to delete.")
            except Refused as exc:
                self._refuse(_name_of(entry), exc, entry.source)
                continue
            names.append((entry, name.strip()))
        if not names:  # finding users parses every stored text: only worth it for a delete
            return
        deleting = {name_key(name) for _, name in names}
        users = self.users(setting_users, deleting)
        for entry, name in names:
            self.changes.append(self.delete(name, users, entry.source))

    def delete(self, name: str, users: dict[str, list[str]], source: str = "") -> Change:
        key = name_key(name)
        existing = self.stored.get(key)
        change = Change(TEMPLATE, existing.name if existing else name, REFUSED, source=source)
        if key in BUILTIN_KEYS:
            change.reason = "built-in templates cannot be deleted."
        elif key in self.writes:
            change.reason = "the same document also creates or updates this template."
        elif existing is None:
            change.action, change.status = UNCHANGED, 404
            change.reason = "nothing to delete: there is no template with this name."
        elif users.get(key):
            change.reason, change.status = f"it is used by {', '.join(users[key])}.", 409
        else:
            change.action, change.before = DELETED, digest([existing.name, existing.template])
            change.operation = TemplateDelete(existing.id)
        return change

    def users(self, setting_users: list[tuple[str, Any]],
              deleting: set[str] = frozenset()) -> dict[str, list[str]]:
        """Name key of each template -> who would still use it once the plan is applied."""
        found: dict[str, list[str]] = {}

        def add(text: str, user: str) -> None:
            if "{%" not in text:  # no tag, so no include: spare the parse
                return
            for name in referenced_names(text):
                who = found.setdefault(name_key(name), [])
                if user not in who:
                    who.append(user)

        for contact_point, settings in setting_users:
            for text in strings_in(settings):
                add(text, f"contact point “{contact_point}”")
        for key, template in self.stored.items():
            if key not in deleting and key not in self.writes:
                add(template.template, f"template “{template.name}”")
        for name, text in self.writes.values():
            add(text, f"template “{name}”")
        return found

    def _refuse(self, name: str, exc: Refused, source: str) -> None:
        self.changes.append(Change(TEMPLATE, name, REFUSED, "", exc.reason, source=source,
                                   status=exc.status))


def _name_of(entry: Entry) -> str:
    name = entry.value.get("name") if isinstance(entry.value, dict) else None
    return str(name) if name else "(no name)"
