"""References between templates and settings: who includes which template, and renames.

A title or message field uses a saved template with ``{% include "name" %}`` (the contact
point form's Template choice writes exactly that), so "who uses template X" means the
integrations whose settings hold a string that includes or imports X, and the other saved
templates that do. Names match ignoring case and surrounding spaces, as the engine does.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, meta
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ContactPoint, Integration, NotificationTemplate, name_key
from app.templating import TEXT_ENVIRONMENT

# The literal name of an include/import/from tag: the fallback when a source does not
# parse, and how a rename rewrites references.
REFERENCE_RE = re.compile(
    r"""(\{%[-+]?\s*(?:include|import|from)\s+)(?:"([^"\\\n]*)"|'([^'\\\n]*)')"""
)


@dataclass
class Usage:
    """Who uses a template: contact points (by their integrations) and other templates."""

    contact_points: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contact_points or self.templates)

    def describe(self) -> str:
        """'contact points “ops”, “dev” and template “x”' style text."""
        parts = []
        for singular, names in (("contact point", self.contact_points),
                                ("template", self.templates)):
            if names:
                quoted = ", ".join(f"“{name}”" for name in names)
                parts.append(f"{singular}{'' if len(names) == 1 else 's'} {quoted}")
        return " and ".join(parts)


@lru_cache(maxsize=2048)
def _references(source: str) -> frozenset[str]:
    try:
        tree = TEXT_ENVIRONMENT.parse(source)
    except (TemplateSyntaxError, RecursionError):
        return frozenset(m.group(2) if m.group(2) is not None else m.group(3)
                         for m in REFERENCE_RE.finditer(source))
    return frozenset(name for name in meta.find_referenced_templates(tree) if name)


def referenced_templates(source: str) -> set[str]:
    """The template names a source includes or imports literally, as written."""
    if "{%" not in source:
        return set()
    return set(_references(source))


def rename_references(source: str, old_name: str, new_name: str) -> str:
    """The source with its include/import tags naming old_name (any case) naming new_name."""
    old_key = name_key(old_name)

    def replace(match: re.Match[str]) -> str:
        name = match.group(2) if match.group(2) is not None else match.group(3)
        return f'{match.group(1)}"{new_name}"' if name_key(name) == old_key else match.group(0)

    return REFERENCE_RE.sub(replace, source)


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """A copy of nested settings with every string passed through change."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [map_strings(item, change) for item in value]
    return value


def _setting_references(settings: Any) -> set[str]:
    """The name keys of the templates any string in these settings references."""
    found: set[str] = set()

    def collect(text: str) -> str:
        found.update(name_key(name) for name in referenced_templates(text))
        return text

    map_strings(settings, collect)
    return found


def all_integrations() -> list[Integration]:
    """Every integration, with its contact point loaded."""
    return list(db.session.scalars(
        select(Integration).options(selectinload(Integration.contact_point))
    ))


def templates_in_use(name: str) -> list[ContactPoint]:
    """The contact points with an integration that uses the named template, by name."""
    key = name_key(name)
    found = {i.contact_point.id: i.contact_point for i in all_integrations()
             if key in _setting_references(i.settings)}
    return sorted(found.values(), key=lambda contact_point: contact_point.name_key)


def usage_by_template() -> dict[str, Usage]:
    """Every referenced template's name key, with who uses it."""
    usage: dict[str, Usage] = {}
    for integration in sorted(all_integrations(), key=lambda i: i.contact_point.name_key):
        for key in _setting_references(integration.settings):
            names = usage.setdefault(key, Usage()).contact_points
            if integration.contact_point.name not in names:
                names.append(integration.contact_point.name)
    templates = db.session.scalars(
        select(NotificationTemplate).order_by(NotificationTemplate.name_key)
    )
    for template in templates:
        for key in {name_key(name) for name in referenced_templates(template.template)}:
            if key != template.name_key:
                usage.setdefault(key, Usage()).templates.append(template.name)
    return usage


def usage_of(name: str) -> Usage:
    """Who uses the named template."""
    return usage_by_template().get(name_key(name), Usage())

