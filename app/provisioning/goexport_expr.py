"""Herald's Jinja expressions written back as Go template pipelines (goexpr.py in reverse).

Covers what import writes: names and fields of the alert data, label look-ups, ``length``,
``upper``/``lower``/``title``/``join``, comparisons, ``and``/``or``/``not`` and constants.
Anything else raises Untranslatable.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable

from jinja2 import Environment, TemplateSyntaxError, nodes

from app.provisioning.goexpr import KV_METHODS, Untranslatable

PARSER = Environment()  # only parses: expressions are never rendered here
IDENTIFIER_RE = re.compile(r"^[A-Za-z_]\w*$")
GO_FILTERS = {"length": "len", "count": "len", "upper": "toUpper", "lower": "toLower",
              "title": "title"}
GO_COMPARISONS = {"eq": "eq", "ne": "ne", "lt": "lt", "lteq": "le", "gt": "gt", "gteq": "ge"}

Lookup = Callable[[str], str]  # a Jinja name -> its Go form ("." , "$x", ".Status", "$.Status")


def parse_expression(text: str) -> nodes.Expr:
    """The Jinja expression a tag holds, parsed."""
    try:
        tree = PARSER.parse("{{ " + text + " }}")
    except TemplateSyntaxError as exc:
        raise Untranslatable(f"“{text}” cannot be read ({exc.message})") from exc
    output = tree.body[0] if tree.body else None
    if not isinstance(output, nodes.Output) or len(output.nodes) != 1:
        raise Untranslatable(f"“{text}” is not one expression")
    return output.nodes[0]


def go_pipeline(text: str, lookup: Lookup) -> str:
    """The Go pipeline for a Jinja expression's text."""
    return _GoWriter(lookup, text).write(parse_expression(text))


def go_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


class _GoWriter:
    def __init__(self, lookup: Lookup, shown: str) -> None:
        self.lookup = lookup
        self.shown = shown

    def fail(self, what: str) -> Untranslatable:
        return Untranslatable(f"“{self.shown}”: {what} has no Grafana equivalent")

    def write(self, node: nodes.Expr) -> str:
        """A pipeline: a call needs no parentheses at the top."""
        return self._call(node) or self._operand(node)

    def argument(self, node: nodes.Expr) -> str:
        call = self._call(node)
        return f"({call})" if call else self._operand(node)

    def _operand(self, node: nodes.Expr) -> str:
        if isinstance(node, nodes.Name):
            return self.lookup(node.name)
        if isinstance(node, nodes.Const):
            return _constant(node.value, self)
        if isinstance(node, nodes.Getattr):
            return _path(self.argument(node.node), node.attr)
        if isinstance(node, nodes.Call):
            return self._method(node)
        raise self.fail(f"“{type(node).__name__.lower()}”")

    def _method(self, node: nodes.Call) -> str:
        """Label look-ups (x.get("name")) and SortedPairs()/Names()/Values()."""
        target = node.node
        if not isinstance(target, nodes.Getattr) or node.kwargs or node.dyn_args \
                or node.dyn_kwargs:
            raise self.fail("a call")
        base = self.argument(target.node)
        if target.attr in KV_METHODS and not node.args:
            return _path(base, target.attr)
        key = node.args[0] if len(node.args) == 1 else None
        if target.attr == "get" and isinstance(key, nodes.Const) and isinstance(key.value, str):
            if IDENTIFIER_RE.match(key.value):
                return _path(base, key.value)
            raise _NeedsCall(f"index {base} {go_string(key.value)}")
        raise self.fail(f"“.{target.attr}()”")

    def _call(self, node: nodes.Expr) -> str:
        """The Go function call a node is, or '' when it is a plain operand."""
        if isinstance(node, nodes.Filter):
            return self._filter(node)
        if isinstance(node, nodes.Getitem):
            return f"index {self.argument(node.node)} {self.argument(node.arg)}"
        if isinstance(node, nodes.Compare) and len(node.ops) == 1 \
                and node.ops[0].op in GO_COMPARISONS:
            return (f"{GO_COMPARISONS[node.ops[0].op]} {self.argument(node.expr)} "
                    f"{self.argument(node.ops[0].expr)}")
        if isinstance(node, nodes.And | nodes.Or):
            word = "and" if isinstance(node, nodes.And) else "or"
            return f"{word} " + " ".join(self.argument(part) for part in _flat(node, type(node)))
        if isinstance(node, nodes.Not):
            return f"not {self.argument(node.node)}"
        if isinstance(node, nodes.Call):
            try:
                self._method(node)
            except _NeedsCall as call:
                return call.text
        return ""

    def _filter(self, node: nodes.Filter) -> str:
        if node.node is None or node.kwargs or node.dyn_args or node.dyn_kwargs:
            raise self.fail(f"the filter “{node.name}” used this way")
        value = self.argument(node.node)
        if node.name in GO_FILTERS and not node.args:
            return f"{GO_FILTERS[node.name]} {value}"
        if node.name == "join" and len(node.args) == 1:
            return f"join {self.argument(node.args[0])} {value}"
        raise self.fail(f"the filter “{node.name}”")


class _NeedsCall(Exception):
    """A look-up that Go writes as a call (index x "key"), not as a field path."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _flat(node: nodes.Expr, kind: type) -> list[nodes.Expr]:
    """a and b and c, parsed as ((a and b) and c), as one list."""
    if isinstance(node, kind):
        return _flat(node.left, kind) + _flat(node.right, kind)
    return [node]


def _path(base: str, attribute: str) -> str:
    if base in (".", "$"):
        return f"{base.rstrip('.')}.{attribute}"
    return f"{base}.{attribute}"


def _constant(value: object, writer: _GoWriter) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return go_string(value)
    raise writer.fail(f"the constant {value!r}")
