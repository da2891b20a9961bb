"""Label matchers as Alertmanager and Grafana write them: =, !=, =~, !~ with anchored regexes."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

OPERATORS = ("=", "!=", "=~", "!~")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
MAX_VALUE_LENGTH = 4096  # a matcher value or regex; longer ones are refused, not truncated
MAX_MATCHERS = 100  # per policy or silence
# name, operator, value: the value either double-quoted (Go escapes) or bare up to , or }
_MATCHER_RE = re.compile(
    r'\s*(?P<name>"(?:[^"\\]|\\.)*"|[^\s=!~{},"]+)\s*(?P<op>=~|!~|!=|=)\s*'
    r'(?P<value>"(?:[^"\\]|\\.)*"|[^,}]*?)\s*(?:,|$)'
)


class MatcherError(ValueError):
    """A matcher that cannot be used, said in words."""


@dataclass(frozen=True)
class Matcher:
    """One label matcher; regexes are anchored on both ends as in Alertmanager."""

    name: str
    op: str
    value: str
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def make(cls, name: str, op: str, value: str) -> Matcher:
        """A checked matcher: known operator, a label name, a value that compiles."""
        if not isinstance(name, str) or not name.strip():
            raise MatcherError("a matcher needs a label name")
        if op not in OPERATORS:
            raise MatcherError(f"unknown matcher operator {op!r}: use =, !=, =~ or !~")
        if not isinstance(value, str):
            raise MatcherError(f"the value of matcher {name}{op} must be text")
        if len(value) > MAX_VALUE_LENGTH or len(name) > MAX_VALUE_LENGTH:
            raise MatcherError(
                f"matcher {name[:40]}{op}… is too long (at most {MAX_VALUE_LENGTH:,} characters)"
            )
        pattern = None
        if op in ("=~", "!~"):
            try:
                pattern = re.compile(f"^(?:{value})$")
            except re.error as exc:
                raise MatcherError(
                    f"the regular expression {value!r} of label {name} does not compile: {exc}"
                ) from None
        return cls(name.strip(), op, value, pattern)

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether the label set matches (a missing label counts as the empty value)."""
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = self.pattern.match(actual) is not None  # type: ignore[union-attr]
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f"{self.name}{self.op}{json.dumps(self.value, ensure_ascii=False)}"

    def as_list(self) -> list[str]:
        """Grafana's object_matchers entry: [name, operator, value]."""
        return [self.name, self.op, self.value]

    def as_silence(self) -> dict[str, Any]:
        """Alertmanager's API v2 matcher object."""
        return {"name": self.name, "value": self.value,
                "isRegex": self.op in ("=~", "!~"), "isEqual": self.op in ("=", "=~")}


def matches_all(matchers: list[Matcher], labels: dict[str, str]) -> bool:
    return all(matcher.matches(labels) for matcher in matchers)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise MatcherError(f"cannot read the quoted text {text}") from None
    return text


def parse_matchers(text: str) -> list[Matcher]:
    """Alertmanager's matcher text: `foo="bar"`, `{a=~"x|y", b!=c}` (braces optional)."""
    if not isinstance(text, str):
        raise MatcherError("a matcher must be text such as severity=\"critical\"")
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1].strip()
    matchers, position = [], 0
    while position < len(body):
        found = _MATCHER_RE.match(body, position)
        if not found or found.end() == position:
            raise MatcherError(f"cannot read matcher {text!r}: expected name, operator, value "
                               'as in severity="critical"')
        name = _unquote(found["name"])
        matchers.append(Matcher.make(name, found["op"], _unquote(found["value"].strip())))
        position = found.end()
    if not matchers:
        raise MatcherError(f"cannot read matcher {text!r}: it is empty")
    return matchers


def parse_matcher(text: str) -> Matcher:
    """Exactly one matcher from its text."""
    found = parse_matchers(text)
    if len(found) != 1:
        raise MatcherError(f"{text!r} holds {len(found)} matchers, expected one")
    return found[0]


def from_object_matchers(data: Any, where: str = "object_matchers") -> list[Matcher]:
    """Grafana's object_matchers: [[name, operator, value], ...]."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise MatcherError(f"{where} must be a list of [name, operator, value]")
    if len(data) > MAX_MATCHERS:
        raise MatcherError(f"{where} has {len(data):,} matchers; at most {MAX_MATCHERS} allowed")
    result = []
    for index, item in enumerate(data):
        if not isinstance(item, list | tuple) or len(item) != 3:
            raise MatcherError(f"{where}[{index}] must be [name, operator, value]")
        try:
            result.append(Matcher.make(*(str(part) if isinstance(part, int | float) else part
                                         for part in item)))
        except MatcherError as exc:
            raise MatcherError(f"{where}[{index}]: {exc}") from None
    return result


def from_silence_matchers(data: Any) -> list[Matcher]:
    """Alertmanager's API v2 matchers: [{name, value, isRegex, isEqual}]."""
    if not isinstance(data, list) or not data:
        raise MatcherError("matchers must be a non-empty list")
    if len(data) > MAX_MATCHERS:
        raise MatcherError(f"{len(data):,} matchers; at most {MAX_MATCHERS} allowed")
    result = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise MatcherError(f"matchers[{index}] must be an object")
        regex, equal = bool(item.get("isRegex")), item.get("isEqual", True) is not False
        op = {(False, True): "=", (False, False): "!=", (True, True): "=~",
              (True, False): "!~"}[(regex, equal)]
        try:
            result.append(Matcher.make(item.get("name", ""), op, item.get("value", "")))
        except MatcherError as exc:
            raise MatcherError(f"matchers[{index}]: {exc}") from None
    return result


def to_lists(matchers: list[Matcher]) -> list[list[str]]:
    return [matcher.as_list() for matcher in matchers]


def compile_lists(data: list[list[str]] | None) -> list[Matcher]:
    """Stored [[name, op, value]] back to matchers (stored ones were checked on save)."""
    return [Matcher.make(*item) for item in data or []]


def matchers_text(matchers: list[Matcher]) -> str:
    """Alertmanager's text of a matcher set, sorted, as used in route keys."""
    return "{" + ",".join(sorted(str(matcher) for matcher in matchers)) + "}"


def matchers_from_rows(rows: list[tuple[str, str, str]], errors: dict[str, str]) -> list[Matcher]:
    """Form rows (label, operator, value) as matchers; errors["matcher-<i>"] says what is wrong."""
    found = []
    for index, (label, op, value) in enumerate(rows):
        if not label and not value:
            continue  # an empty row is not a matcher
        if op not in OPERATORS:
            errors[f"matcher-{index}"] = "Choose an operator."
            continue
        try:
            found.append(Matcher.make(label, op, value))
        except MatcherError as exc:
            errors[f"matcher-{index}"] = str(exc)[0].upper() + str(exc)[1:] + "."
    if len(found) > MAX_MATCHERS:
        errors["matchers"] = f"At most {MAX_MATCHERS} matchers."
    return found


def rows_from_request(values: Any) -> list[tuple[str, str, str]]:
    """The matcher rows of a submitted form (matcher_label, matcher_operator, matcher_value)."""
    rows = zip(values.getlist("matcher_label"), values.getlist("matcher_operator"),
               values.getlist("matcher_value"), strict=False)
    return [(label.strip(), op, value) for label, op, value in list(rows)[:MAX_MATCHERS + 1]]
