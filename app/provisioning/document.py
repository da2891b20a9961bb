"""Grafana's file-provisioning documents: read from YAML or JSON text, files and folders, and
written back out.

A document holds ``apiVersion: 1`` and any of ``contactPoints``, ``deleteContactPoints``,
``templates`` and ``deleteTemplates``. Several files (a provisioning folder) make one
document whose entries remember the file they came from.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECTIONS = ("contactPoints", "deleteContactPoints", "templates", "deleteTemplates")
FILE_SUFFIXES = (".yaml", ".yml", ".json")
FORMATS = ("yaml", "json")
MEDIA_TYPES = {"yaml": "application/yaml", "json": "application/json"}


class DocumentError(Exception):
    """A document that cannot be read at all; the message says where and why."""


@dataclass(frozen=True)
class Entry:
    """One item of a section, with the file it came from (empty for pasted text)."""

    value: Any
    source: str = ""


@dataclass
class Document:
    sections: dict[str, list[Entry]] = field(
        default_factory=lambda: {section: [] for section in SECTIONS}
    )

    def entries(self, section: str) -> list[Entry]:
        return self.sections[section]

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())

    def extend(self, other: Document) -> None:
        for section in SECTIONS:
            self.sections[section].extend(other.sections[section])


def _prefix(source: str) -> str:
    return f"{source}: " if source else ""


def parse(text: str, source: str = "") -> Document:
    """Read one document from YAML or JSON text (JSON is YAML, so one parser reads both)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise DocumentError(f"{_prefix(source)}not valid YAML or JSON{line}.") from exc
    if not isinstance(data, dict):
        raise DocumentError(f"{_prefix(source)}expected a mapping with apiVersion: 1 and "
                            "contactPoints or templates.")
    if str(data.get("apiVersion", "")).strip() != "1":
        raise DocumentError(f"{_prefix(source)}apiVersion must be 1 "
                            f"(found {data.get('apiVersion')!r}).")
    document = Document()
    for section in SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list):
            raise DocumentError(f"{_prefix(source)}{section} must be a list.")
        document.sections[section] = [Entry(item, source) for item in items]
    return document


def files_in(path: Path) -> list[Path]:
    """The provisioning files at a path: the file itself, or a folder's YAML and JSON files."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in FILE_SUFFIXES)
    if path.is_file():
        return [path]
    raise DocumentError(f"{path}: no such file or folder.")


def load(path: Path) -> Document:
    """One document from a file, or from every provisioning file of a folder."""
    document = Document()
    for file in files_in(path):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DocumentError(f"{file}: cannot be read ({exc}).") from exc
        document.extend(parse(text, file.name))
    return document


class _Dumper(yaml.SafeDumper):
    """YAML that reads well: multi-line text as blocks, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump(data: dict[str, Any], output_format: str = "yaml") -> str:
    """The document as YAML (the default) or JSON text."""
    if output_format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
