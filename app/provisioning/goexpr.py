"""Go template pipelines (``.CommonLabels.x | toUpper``, ``len .Alerts``, ``eq a b``)
written as Jinja expressions; anything else raises Untranslatable."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Protocol

from app.templating.context import AlertView

TOKEN_RE = re.compile(r"""\s*(?:
    (?P<string>"(?:[^"\\\n]|\\.)*"|`[^`]*`)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<field>(?:\$\w*)?(?:\.[A-Za-z_]\w*)+|\.)
  | (?P<variable>\$\w*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<punct>:=|\(|\)|\||,)
)""", re.VERBOSE)
STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
ROOT_FIELDS = frozenset({
    "Receiver", "Status", "Alerts", "GroupLabels", "CommonLabels", "CommonAnnotations",
    "ExternalURL", "GroupKey", "TruncatedAlerts", "Vars",
})  # the names app.templating.context.template_context gives
ELEMENT_FIELDS = {"alert": AlertView.FIELDS, "pair": frozenset({"Name", "Value"})}
KV_FIELDS = {"Labels", "Annotations", "CommonLabels", "CommonAnnotations", "GroupLabels"}
KV_METHODS = {"SortedPairs", "Names", "Values"}
RESERVED_KEYS = {"get", "keys", "values", "items", "Remove", *KV_METHODS}
SIMPLE_RE = re.compile(r'^[\w.()\[\]"]+$')
COMPARISONS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
FILTERS = {"len": "length", "toUpper": "upper", "toLower": "lower", "title": "title",
           "urlquery": "urlquery"}

Token = tuple[str, str]  # (kind, text)


class Untranslatable(Exception):
    """A Go construct with no Herald translation; the message says which and why."""


class Scopes(Protocol):
    """Where an expression is: what "." means, what it holds, the $variables defined."""

    @property
    def dot(self) -> str: ...

    @property
    def element(self) -> str | None: ...

    variables: dict[str, str]


def variable_name(token: str) -> str:
    """The Jinja name for a Go variable ($x becomes x; x_ when it would hide alert data)."""
    name = token.lstrip("$")
    if not name:
        raise Untranslatable("“$” cannot be assigned")
    return f"{name}_" if name in ROOT_FIELDS else name


def tokens_of(inner: str, shown: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(inner.rstrip()):
        match = TOKEN_RE.match(inner, position)
        if match is None or match.end() == position:
            raise Untranslatable(f"{shown}: cannot read “{inner[position:].strip()[:20]}”")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


@dataclass
class Expression:
    """A Go pipeline read from tokens and written as a Jinja expression."""

    scope: Scopes
    tokens: list[Token]
    shown: str
    lenient: bool  # inside a condition a missing label is false, as in Go
    position: int = 0
    element_kind: str | None = None

    def pipeline(self) -> str:
        if not self.tokens:
            raise Untranslatable(f"{self.shown}: an expression is missing")
        result = self._pipe()
        if self.position < len(self.tokens):
            raise Untranslatable(f"{self.shown}: cannot translate “{self._peek()}” here")
        return result

    def _pipe(self) -> str:
        result = self._command(None)
        while self._peek() == "|":
            self.position += 1
            result = self._command(result)
        return result

    def _next(self) -> Token:
        if self.position >= len(self.tokens):
            raise Untranslatable(f"{self.shown}: an expression is missing")
        self.position += 1
        return self.tokens[self.position - 1]

    def _peek(self) -> str:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else ""

    def _command(self, piped: str | None) -> str:
        kind, value = self._next()
        arguments: list[str] = []
        if kind == "word" and value not in ("true", "false", "nil"):
            while self._peek() not in ("", "|", ")"):
                arguments.append(self._operand())
            return _call(value, arguments + ([piped] if piped is not None else []), self.shown,
                         self.lenient)
        self.position -= 1
        operand = self._operand()
        if piped is not None:
            raise Untranslatable(f"{self.shown}: cannot pipe into “{value}”")
        return operand

    def _operand(self) -> str:
        kind, value = self._next()
        if kind == "string":
            return value if value.startswith('"') else json.dumps(value[1:-1])
        if kind == "number":
            return value
        if kind == "word" and value in ("true", "false", "nil"):
            return {"nil": "none"}.get(value, value)
        if kind in ("field", "variable"):
            return self._field(value)
        if value == "(":
            inner = Expression(self.scope, self.tokens[self.position:], self.shown,
                               self.lenient)
            result = inner._pipe()
            if inner._peek() != ")":
                raise Untranslatable(f"{self.shown}: a “(” is not closed")
            self.position += inner.position + 1
            self.element_kind = inner.element_kind
            return f"({result})"
        raise Untranslatable(f"{self.shown}: cannot translate “{value}”")

    def _field(self, token: str) -> str:
        head, _, path = ("", "", token[1:]) if token.startswith(".") else token.partition(".")
        segments = [segment for segment in path.split(".") if segment]
        base, element = self._base(head)
        if not segments:
            if not base:
                raise Untranslatable(f"{self.shown}: “.” (all of the data) has no Herald "
                                     "equivalent here")
            return base
        return self._path(base, element, segments)

    def _base(self, head: str) -> tuple[str, str | None]:
        if head == "":
            return self.scope.dot, self.scope.element
        if head == "$":
            return "", "root"
        if head in self.scope.variables:
            return self.scope.variables[head], None
        raise Untranslatable(f"{self.shown}: the variable {head} is not defined")

    def _path(self, base: str, element: str | None, segments: list[str]) -> str:
        fields = ROOT_FIELDS if element == "root" else ELEMENT_FIELDS.get(element or "")
        first = segments[0]
        if fields is not None and first not in fields:
            where = "the alert data" if element == "root" else f"an {element}"
            raise Untranslatable(f"{self.shown}: Herald has no “.{first}” in {where}")
        expression = f"{base}.{first}" if base else first
        previous = first
        for segment in segments[1:]:
            expression += _segment(previous, segment, self.lenient)
            previous = segment
        if previous in KV_METHODS and not (element == "alert" and segments == ["Values"]):
            expression += "()"  # an alert's .Values is its map of numbers, not KV's method
        self.element_kind = ("alert" if previous in ("Alerts", "Firing", "Resolved")
                             else "pair" if previous == "SortedPairs" else None)
        return expression


def _segment(previous: str, segment: str, lenient: bool) -> str:
    """One more step of a field path: a label's name after a label set, else an attribute."""
    if previous in KV_FIELDS and segment not in KV_METHODS:
        if lenient:
            return f".get({json.dumps(segment)})"
        return f"[{json.dumps(segment)}]" if segment in RESERVED_KEYS else f".{segment}"
    if previous in KV_METHODS:
        raise Untranslatable(f"“.{previous}.{segment}” cannot be translated")
    return f".{segment}"


def _wrapped(expression: str) -> str:
    """The expression, in parentheses unless it is one name, path, call or group."""
    if SIMPLE_RE.match(expression) or STRING_RE.fullmatch(expression) or _one_group(expression):
        return expression
    return f"({expression})"


def _one_group(expression: str) -> bool:
    if not (expression.startswith("(") and expression.endswith(")")):
        return False
    depth = 0
    for index, char in enumerate(STRING_RE.sub('""', expression)):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index == len(STRING_RE.sub('""', expression)) - 1
    return False


def _call(function: str, arguments: list[str], shown: str, lenient: bool = False) -> str:
    """A Go function call written with Jinja's operators and filters."""
    args = [_wrapped(argument) for argument in arguments]
    count = len(args)
    if function in FILTERS and count == 1:
        return f"{args[0]}|{FILTERS[function]}"
    if function in COMPARISONS and count == 2:
        return f"{args[0]} {COMPARISONS[function]} {args[1]}"
    if function in ("and", "or") and count >= 2:
        return f" {function} ".join(args)
    if function == "not" and count == 1:
        return f"not {args[0]}"
    if function == "join" and count == 2:
        return f"{args[1]}|join({args[0]})"
    if function == "index" and count == 2 and lenient:  # a missing key is false, as in Go
        return f"{args[0]}.get({args[1]})"
    if function == "index" and count == 2:
        return f"{args[0]}[{args[1]}]"
    raise Untranslatable(f"{shown}: the function “{function}” with {count} argument(s) is "
                         "not translated")
