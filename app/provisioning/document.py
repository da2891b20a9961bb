"""Grafana's file-provisioning documents: read from YAML or JSON text, files and folders, and
written back out.

A document holds ``apiVersion: 1`` and any of ``contactPoints``, ``deleteContactPoints``,
``templates``, ``deleteTemplates``, ``policies`` and ``resetPolicies``. Several files (a
provisioning folder) make one document whose entries remember the file they came from.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.text import BadText, clean, problem_of

SECTIONS = ("contactPoints", "deleteContactPoints", "templates", "deleteTemplates", "policies",
            "resetPolicies")
# Far beyond any real document (Grafana's nest about 8 levels deep and an export of 1,000
# contact points holds some 30,000 values), far below what exhausts Python's recursion or
# keeps a planner that reads every value busy for long.
MAX_DEPTH = 50
MAX_NODES = 200_000
ALIASES_REFUSED = "YAML aliases (*name) are not supported in provisioning files"
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


def too_deep() -> str:
    return f"values are nested more than {MAX_DEPTH} levels deep"


def too_many() -> str:
    return f"there are more than {MAX_NODES:,} values"


class _Unsupported(yaml.YAMLError):
    """Valid YAML that Herald will not read; message says why, mark says where."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """YAML without aliases, nested at most MAX_DEPTH levels, of at most MAX_NODES values.

    Aliases let a few hundred bytes stand for millions of values (a "billion laughs"), and
    deep nesting turns into a RecursionError; both are refused while composing, before
    anything is built.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Unsupported(ALIASES_REFUSED, event.start_mark)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Unsupported(too_many(), event.start_mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Unsupported(too_deep(), event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def nesting_problem(data: Any) -> str | None:
    """Why data read by another parser (an API body) is beyond the loader's limits, or None."""
    stack, count = [(data, 1)], 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            return too_deep()
        if count > MAX_NODES:
            return too_many()
        children = value.values() if isinstance(value, dict) else value \
            if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return None


def _read(text: str, source: str) -> Any:
    """The data of YAML or JSON text (JSON is YAML, so one parser reads both)."""
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses unprintable characters right here
        return clean(loader.get_single_data())
    except BadText as exc:
        raise DocumentError(f"{_prefix(source)}{exc}.") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        problem = problem_of(chr(exc.character)) if isinstance(exc.character, int) else None
        raise DocumentError(f"{_prefix(source)}line {line} "
                            f"{problem or 'holds a character that is not text'}.") from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer of more than 4,300 digits
        problem = "a number has too many digits" if "digits" in str(exc) else \
            "a value cannot be read"
        raise DocumentError(f"{_prefix(source)}{problem}.") from None
    except _Unsupported as exc:
        raise DocumentError(f"{_prefix(source)}{exc.message} (line {exc.mark.line + 1}).") \
            from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise DocumentError(f"{_prefix(source)}not valid YAML or JSON{line}.") from exc
    finally:
        if loader is not None:
            loader.dispose()


def parse(text: str, source: str = "") -> Document:
    """Read one document from YAML or JSON text."""
    data = _read(text, source)
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
