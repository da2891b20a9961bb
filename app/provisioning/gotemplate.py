"""Grafana's Go templates in Herald's Jinja: common forms translated, the rest left as is.

Translated: references to templates (``{{ template "default.title" . }}`` becomes
``{% include "default.title" %}``), fields of the alert data (``{{ .CommonLabels.alertname }}``),
``len``, comparisons, ``and``/``or``/``not``, ``toUpper``/``toLower``/``title``/``join``/
``index``, pipes, ``{{ $x := ... }}``, ``if``/``else``/``range``/``end`` over those, and
comments.
Anything else makes the whole text untranslatable: it is kept as written, with the reason.
Text already in Herald's language (or plain text) is returned unchanged.

Go keeps the text around an action as written; Jinja's trim_blocks and lstrip_blocks would
eat it, so block tags get ``+`` where that would change the output.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.provisioning.goexpr import (
    COMPARISONS,
    FILTERS,
    STRING_RE,
    Expression,
    Untranslatable,
    tokens_of,
    variable_name,
)
from app.templating import TemplateRenderError, check_syntax
from app.templating.builtin import DOT_TEMPLATES

ACTION_RE = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
GO_FIELD_RE = re.compile(r"(?:^|[\s(|])[.$]")
GO_KEYWORDS = {"define", "template", "block", "range", "if", "else", "end", "with"}
# A Go function called with an argument (`len "abc"`, `urlquery .X`) is Go, never Jinja
# (Jinja's and/or/not are operators, so they are not in the list).
GO_FUNCTIONS = {*FILTERS, *COMPARISONS, "join", "index", "printf", "print", "html", "js"}
GO_ARGUMENT_STARTS = tuple('.$"(`0123456789')


@dataclass(frozen=True)
class Translation:
    """Herald text for a source, or the source as is with the reason it needs review."""

    text: str
    problem: str = ""
    go: bool = False  # the source was written in Grafana's Go template language


def builtin_only(name: str) -> str | None:
    """Resolve a template name to Herald's built-in of the same name, if there is one."""
    from app.templating import BUILTIN_TEMPLATES

    return name if name in BUILTIN_TEMPLATES else None


def is_go_action(inner: str) -> bool:
    """Whether the inside of a {{ }} is Go (a keyword, a .field or a $variable), not Jinja."""
    inner = inner.strip()
    if inner.startswith("/*"):
        return True
    words = inner.split(None, 1)
    return bool(words) and (words[0] in GO_KEYWORDS
                            or (words[0] in GO_FUNCTIONS and len(words) > 1
                                and words[1].startswith(GO_ARGUMENT_STARTS))
                            or bool(GO_FIELD_RE.search(STRING_RE.sub('""', inner))))


def is_go(source: str) -> bool:
    """Whether a text uses Grafana's Go template language (Herald's own uses {% %})."""
    if "{%" in source or "{#" in source:
        return False
    return any(is_go_action(match.group(2)) for match in ACTION_RE.finditer(source))


def translate(source: str, resolve: Callable[[str], str | None] = builtin_only) -> Translation:
    """Translate Go template text; resolve maps a template name to a Herald template name."""
    if not is_go(source):
        return Translation(source)
    try:
        text = _Translator(source, resolve).run()
        check_syntax(text)
    except Untranslatable as exc:
        return Translation(source, str(exc), go=True)
    except TemplateRenderError as exc:
        return Translation(source, f"the translation does not compile ({exc})", go=True)
    return Translation(text, go=True)


def split_defines(source: str) -> list[tuple[str, str]]:
    """The (name, body) of each top-level {{ define "name" }}...{{ end }}; [] when none."""
    found: list[tuple[str, str]] = []
    depth, name, start = 0, "", 0
    for match in ACTION_RE.finditer(source):
        words = match.group(2).split(None, 1)
        keyword = words[0] if words else ""
        if keyword == "define" and depth == 0:
            name = _string_value(words[1] if len(words) > 1 else "")
            start = match.end() if not match.group(3) else _skip_space(source, match.end())
            depth = 1
        elif keyword in ("if", "range", "with", "block", "define"):
            depth += depth > 0
        elif keyword == "end" and depth:
            depth -= 1
            if depth == 0:
                body = source[start:match.start()]
                found.append((name, body.rstrip() if match.group(1) else body))
    return found


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _string_value(token: str) -> str:
    token = token.strip()
    if token.startswith("`") and token.endswith("`"):
        return token[1:-1]
    try:
        return str(json.loads(token))
    except ValueError:
        return token.strip('"')


@dataclass
class Scope:
    keyword: str  # "if" or "for"
    dot: str  # the Jinja expression "." stands for inside the block
    element: str | None  # "alert", "pair" or None when the element's fields are unknown


@dataclass
class _Translator:
    source: str
    resolve: Callable[[str], str | None]
    out: list[str] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)

    def run(self) -> str:
        position = 0
        for match in ACTION_RE.finditer(self.source):
            self._literal(self.source[position:match.start()])
            self._action(match)
            position = match.end()
        self._literal(self.source[position:])
        if self.scopes:
            raise Untranslatable(f"a {{{{ {self.scopes[-1].keyword} }}}} has no {{{{ end }}}}")
        return "".join(self.out)

    # --- text and tags --------------------------------------------------------------

    def _literal(self, text: str) -> None:
        self.out.append(text)  # never holds {% or {#: is_go() calls such text Herald's

    def _block(self, match: re.Match[str], body: str, marks: str = "%%") -> None:
        """A {% %} tag keeping Go's whitespace: '-' where Go trims, '+' where Jinja would."""
        before = self.source[:match.start()]
        line_start = before[before.rfind("\n") + 1:]
        indented = line_start != "" and line_start.strip(" \t") == ""
        left = "-" if match.group(1) else ("+" if indented else "")
        after = self.source[match.end():match.end() + 1]
        right = "-" if match.group(3) else ("+" if after == "\n" else "")
        self.out.append(f"{{{marks[0]}{left} {body} {right}{marks[1]}}}")

    @property
    def dot(self) -> str:
        return self.scopes[-1].dot if self.scopes else ""

    @property
    def element(self) -> str | None:
        return self.scopes[-1].element if self.scopes else "root"

    def _action(self, match: re.Match[str]) -> None:
        inner = match.group(2).strip()
        shown = "{{ " + inner + " }}"
        if inner.startswith("/*"):
            if "#}" in inner:
                raise Untranslatable(f"{shown}: a comment holding “#}}” is not translated")
            self._block(match, inner.removeprefix("/*").removesuffix("*/").strip(), "##")
            return
        if not is_go_action(inner):  # Herald's own expression in Go text: keep it
            self.out.append(match.group(0))
            return
        tokens = tokens_of(inner, shown)
        if not tokens:
            raise Untranslatable(f"{shown}: an empty action")
        keyword = tokens[0][1] if tokens[0][0] == "word" else ""
        handler = getattr(self, f"_on_{keyword}", None) if keyword in GO_KEYWORDS else None
        if handler is None and keyword in GO_KEYWORDS:
            raise Untranslatable(f"{shown}: Herald has no equivalent of “{keyword}” here")
        if handler is not None:
            handler(match, tokens[1:], shown)
        elif len(tokens) > 1 and tokens[0][0] == "variable" and tokens[1][1] == ":=":
            self._assign(match, tokens, shown)
        else:
            expression = Expression(self, tokens, shown, lenient=False).pipeline()
            left, right = ("-" if match.group(1) else ""), ("-" if match.group(3) else "")
            self.out.append(f"{{{{{left} {expression} {right}}}}}")

    # --- statements -------------------------------------------------------------------

    def _on_if(self, match, tokens, shown: str) -> None:
        condition = Expression(self, tokens, shown, lenient=True).pipeline()
        self._block(match, f"if {condition}")
        self.scopes.append(Scope("if", self.dot, self.element))

    def _on_else(self, match, tokens, shown: str) -> None:
        if not self.scopes:
            raise Untranslatable(f"{shown} outside of an if or a range")
        scope = self.scopes.pop()
        outer = Scope("if", self.dot, self.element)
        if tokens and tokens[0][1] == "if" and scope.keyword == "if":
            condition = Expression(self, tokens[1:], shown, lenient=True).pipeline()
            self._block(match, f"elif {condition}")
        elif tokens:
            raise Untranslatable(f"{shown}: Herald has no equivalent of this else")
        else:
            self._block(match, "else")
        self.scopes.append(Scope(scope.keyword, outer.dot, outer.element))

    def _on_end(self, match, tokens, shown: str) -> None:
        if not self.scopes:
            raise Untranslatable(f"{shown} closes nothing")
        self._block(match, "end" + self.scopes.pop().keyword)

    def _on_range(self, match, tokens, shown: str) -> None:
        variable = ""
        if len(tokens) > 1 and tokens[0][0] == "variable" and tokens[1][1] == ":=":
            variable, tokens = tokens[0][1], tokens[2:]
        elif tokens and tokens[0][0] == "variable":
            raise Untranslatable(f"{shown}: ranges with an index and a value are not translated")
        expression = Expression(self, tokens, shown, lenient=False)
        collection = expression.pipeline()
        element = expression.element_kind
        name = variable_name(variable) if variable else self._free_name(element or "item")
        self._block(match, f"for {name} in {collection}")
        if variable:
            self.variables[variable] = name
        self.scopes.append(Scope("for", name, element))

    def _free_name(self, base: str) -> str:
        used = {scope.dot for scope in self.scopes}
        name, number = base, 2
        while name in used:
            name, number = f"{base}{number}", number + 1
        return name

    def _on_template(self, match, tokens, shown: str) -> None:
        if not tokens or tokens[0][0] != "string":
            raise Untranslatable(f"{shown}: the template name must be a quoted string")
        name = _string_value(tokens[0][1])
        argument = [value for _, value in tokens[1:]]
        target = self.resolve(name)
        whole_data = argument in ([], ["$"]) or (argument == ["."] and not self.dot)
        if not whole_data and target not in DOT_TEMPLATES:
            raise Untranslatable(f"{shown}: Herald includes templates with the whole alert "
                                 "data only (“.” at the top)")
        if target is None:
            raise Untranslatable(f"{shown}: there is no template named “{name}” in Herald")
        if whole_data:
            self._block(match, f'include "{target}"')
            return
        # Grafana's list templates take a sub-value ({{ template "x" .Alerts.Firing }}):
        # Herald's read it from `dot`.
        value = Expression(self, tokens[1:], shown, lenient=False).pipeline()
        self._block(match, f'with dot = {value} %}}{{% include "{target}" %}}{{% endwith')

    def _assign(self, match, tokens, shown: str) -> None:
        name = variable_name(tokens[0][1])
        value = Expression(self, tokens[2:], shown, lenient=False).pipeline()
        self._block(match, f"set {name} = {value}")
        self.variables[tokens[0][1]] = name
