"""Herald's Jinja written back in Grafana's Go template language, for export.

The reverse of gotemplate.py: ``{% include "x" %}`` becomes ``{{ template "x" . }}``,
``{% if %}``/``{% elif %}``/``{% else %}``/``{% for %}``/``{% set %}`` become ``if``/
``else if``/``else``/``range``/``$x :=``, block ends become ``{{ end }}``, comments stay
comments, and expressions are written by goexport_expr.py. Text already in Go (kept as
written at import) and plain text are returned unchanged; text that cannot be written in
Go is also returned unchanged, with the reason, so the export page can flag it.

Jinja's trim_blocks and lstrip_blocks remove a newline after a block tag and the indent
before it; Go keeps both, so the Go text trims them itself (``-}}``, or by leaving them out).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from app.provisioning.goexport_expr import go_pipeline, go_string
from app.provisioning.goexpr import ROOT_FIELDS, Untranslatable
from app.provisioning.gotemplate import Translation, is_go

TAG_RE = re.compile(
    r"\{%(?P<bl>[-+]?)(?P<b>.*?)(?P<br>[-+]?)%\}"
    r"|\{\{(?P<vl>-?)(?P<v>.*?)(?P<vr>-?)\}\}"
    r"|\{#(?P<cl>[-+]?)(?P<c>.*?)(?P<cr>[-+]?)#\}", re.DOTALL)
FOR_RE = re.compile(r"^for\s+(\w+)\s+in\s+(.+)$", re.DOTALL)
SET_RE = re.compile(r"^set\s+(\w+)\s*=\s*(.+)$", re.DOTALL)
INCLUDE_RE = re.compile(r'^include\s+("(?:[^"\\]|\\.)*"|\'[^\']*\')$')
ENDS = {"endif": "if", "endfor": "for"}


def to_go(source: str) -> Translation:
    """Go template text for a Herald text; unchanged, with the reason, when it cannot be."""
    if not isinstance(source, str) or is_go(source) or not TAG_RE.search(source):
        return Translation(source)
    try:
        return Translation(_GoWriter(source).run(), go=True)
    except Untranslatable as exc:
        return Translation(source, str(exc))


def define(name: str, body: str) -> str:
    """A Grafana template entry's text: the body inside {{ define "name" }}...{{ end }}."""
    return f"{{{{ define {go_string(name)} }}}}{body}{{{{ end }}}}"


@dataclass
class _Scope:
    keyword: str  # "if" or "for"
    dot: str = ""  # the Jinja name a range's "." stands for
    names: dict[str, str] = field(default_factory=dict)  # Jinja name -> Go form
    ranges: int = 0  # ranges open around (and including) this scope


@dataclass
class _GoWriter:
    source: str
    out: list[str] = field(default_factory=list)
    scopes: list[_Scope] = field(default_factory=list)
    top: dict[str, str] = field(default_factory=dict)  # {% set %} outside any block
    eat_newline: bool = False

    def run(self) -> str:
        tags = list(TAG_RE.finditer(self.source))
        position = 0
        for index, match in enumerate(tags):
            self._literal(self.source[position:match.start()], match, at_start=position == 0)
            self._tag(match, tags, index)
            position = match.end()
        self._literal(self.source[position:], None, at_start=False)
        if self.scopes:
            raise Untranslatable(f"a {{% {self.scopes[-1].keyword} %}} is not closed")
        return "".join(self.out)

    # --- text and whitespace ------------------------------------------------------------

    def _literal(self, text: str, tag: re.Match[str] | None, at_start: bool) -> None:
        if self.eat_newline and text.startswith("\n"):
            text = text[1:]
        self.eat_newline = False
        if tag is not None and tag.group("v") is None and not (tag.group("bl")
                                                               or tag.group("cl")):
            line = text[text.rfind("\n") + 1:]
            if line.strip(" \t") == "" and ("\n" in text or at_start):
                text = text[:len(text) - len(line)]  # lstrip_blocks drops the indent
        self.out.append(text)

    def _emit(self, match: re.Match[str], body: str, block: bool, comment: bool = False) -> None:
        kind = "b" if match.group("b") is not None else "c" if match.group("c") is not None \
            else "v"
        left = "- " if match.group(f"{kind}l") == "-" else " "
        right = " -" if match.group(f"{kind}r") == "-" else " "
        if block and not match.group(f"{kind}r"):
            rest = self.source[match.end():]
            if rest.startswith("\n"):  # trim_blocks drops this newline
                if len(rest) == 1 or not rest[1].isspace():
                    right = " -"
                else:
                    self.eat_newline = True
        if comment:  # Go wants {{/* */}} with no space inside, unless trimmed
            left, right = left.strip() + " " * (left == "- "), right.rstrip(" ")
        self.out.append(f"{{{{{left}{body}{right}}}}}")

    # --- names --------------------------------------------------------------------------

    @property
    def ranges(self) -> int:
        return self.scopes[-1].ranges if self.scopes else 0

    def lookup(self, name: str) -> str:
        """The Go form of a Jinja name where the writer is now."""
        for scope in reversed(self.scopes):
            if name == scope.dot and scope.ranges == self.ranges:
                return "."
            if name in scope.names:
                return scope.names[name]
            if name == scope.dot:
                raise Untranslatable(f"“{name}” of an outer loop is used in an inner loop")
        if name in self.top:
            return self.top[name]
        if name in ROOT_FIELDS:
            return f"{'$' if self.ranges else ''}.{name}"
        raise Untranslatable(f"“{name}” has no Grafana equivalent")

    def _pipeline(self, text: str) -> str:
        return go_pipeline(text.strip(), self.lookup)

    # --- tags ---------------------------------------------------------------------------

    def _tag(self, match: re.Match[str], tags: list[re.Match[str]], index: int) -> None:
        if match.group("v") is not None:
            self._emit(match, self._pipeline(match.group("v")), block=False)
        elif match.group("c") is not None:
            self._emit(match, f"/* {match.group('c').strip()} */", block=True, comment=True)
        else:
            self._emit(match, self._statement(match.group("b").strip(), tags, index),
                       block=True)

    def _statement(self, text: str, tags: list[re.Match[str]], index: int) -> str:
        keyword = text.split(None, 1)[0] if text else ""
        rest = text[len(keyword):].strip()
        if keyword == "if":
            self.scopes.append(_Scope("if", ranges=self.ranges))
            return f"if {self._pipeline(rest)}"
        if keyword in ("elif", "else") and self.scopes and self.scopes[-1].keyword in (
                "if", "for") and not (keyword == "else" and rest):
            if keyword == "elif" and self.scopes[-1].keyword != "if":
                raise Untranslatable("{% elif %} inside a {% for %}")
            self.scopes[-1].names.clear()
            return "else" if keyword == "else" else f"else if {self._pipeline(rest)}"
        if keyword in ENDS and not rest and self.scopes \
                and self.scopes[-1].keyword == ENDS[keyword]:
            self.scopes.pop()
            return "end"
        if keyword == "for":
            return self._for(text, tags, index)
        if keyword == "set":
            return self._set(text)
        if keyword == "include":
            return self._include(text)
        raise Untranslatable(f"{{% {text} %}} has no Grafana equivalent")

    def _for(self, text: str, tags: list[re.Match[str]], index: int) -> str:
        match = FOR_RE.match(text)
        if match is None or " recursive" in text or re.search(r"\sif\s", match.group(2)):
            raise Untranslatable(f"{{% {text} %}}: only “for name in list” is written in Go")
        name, collection = match.group(1), self._pipeline(match.group(2))
        if _used_in_inner_loop(name, tags, index):
            self.scopes.append(_Scope("for", names={name: f"${name}"}, ranges=self.ranges + 1))
            return f"range ${name} := {collection}"
        self.scopes.append(_Scope("for", dot=name, ranges=self.ranges + 1))
        return f"range {collection}"

    def _set(self, text: str) -> str:
        match = SET_RE.match(text)
        if match is None:
            raise Untranslatable(f"{{% {text} %}}: only “set name = value” is written in Go")
        name = match.group(1)
        value = self._pipeline(match.group(2))
        go_name = name[:-1] if name.endswith("_") and name[:-1] in ROOT_FIELDS else name
        (self.scopes[-1].names if self.scopes else self.top)[name] = f"${go_name}"
        return f"${go_name} := {value}"

    def _include(self, text: str) -> str:
        match = INCLUDE_RE.match(text)
        if match is None:
            raise Untranslatable(f"{{% {text} %}}: only a plain include is written in Go")
        quoted = match.group(1)
        name = quoted[1:-1] if quoted.startswith("'") else go_unquote(quoted)
        return f"template {go_string(name)} {'$' if self.ranges else '.'}"


def go_unquote(quoted: str) -> str:
    """The value of a double-quoted Jinja string."""
    return str(json.loads(quoted))


def _used_in_inner_loop(name: str, tags: list[re.Match[str]], index: int) -> bool:
    """Whether a loop's variable is used inside a loop nested in it (so "." will not do)."""
    depth = 0
    word = re.compile(rf"\b{re.escape(name)}\b")
    for match in tags[index + 1:]:
        statement = (match.group("b") or "").strip()
        if depth == 0 and re.match(rf"set\s+{re.escape(name)}\s*=", statement):
            return False  # {% set name = name %}: the variable Go code keeps the loop's dot in
        if statement.startswith("for ") or statement == "for":
            depth += 1
        elif statement == "endfor":
            if depth == 0:
                return False
            depth -= 1
        elif depth and word.search(match.group("v") or match.group("b") or ""):
            return True
    return False
