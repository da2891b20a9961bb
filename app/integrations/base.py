"""The declaration of an integration type: its fields, rules, summary and sender."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from app.integrations.urls import has_template, rendered_url, templated_url_problem, url_problem
from app.text import normalise_newlines
from app.transport.errors import SendError, Sent  # noqa: F401 (senders import them here)

ELEMENTS = ("input", "textarea", "checkbox", "select", "map", "list", "records")
KINDS = ("text", "url", "int", "emails", "email")
# The groups of the Integration dropdown, in their order.
CATEGORIES = ("Chat", "Incident management", "Email & SMS", "Generic")
EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")
ADDRESS_SPLIT_RE = re.compile(r"[,;\n]+")
HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 token
MAX_VALUE_LENGTH = 10_000
MAX_INT = 2**31 - 1

Values = dict[str, Any]
Errors = dict[str, str]


@dataclass(frozen=True)
class Field:
    """One setting of an integration type, under Grafana's key (dots for nesting)."""

    key: str
    label: str
    element: str = "input"
    kind: str = "text"
    required: bool = False
    secret: bool = False
    primary: bool = False  # shown with the required fields though optional
    default: Any = None
    options: tuple[tuple[str, str], ...] = ()
    placeholder: str = ""
    help: str = ""
    subfields: tuple[Field, ...] = ()
    template: str = ""  # built-in template used when a title/message-like field is empty
    templated: bool = False  # a URL rendered as a template for each group (Grafana's tmpl)

    def __post_init__(self) -> None:
        assert self.element in ELEMENTS, self.element
        assert self.kind in KINDS, self.kind

    @property
    def shown_directly(self) -> bool:
        return self.required or self.primary

    @property
    def empty(self) -> Any:
        """The value a field holds when nothing was entered."""
        return {"checkbox": False, "map": {}, "list": [], "records": []}.get(self.element, "")

    @property
    def initial(self) -> Any:
        """The value a new integration block starts with."""
        return self.empty if self.default is None else self.default


Rule = Callable[[Values], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class IntegrationType:
    """Everything Herald knows about one kind of integration, declared once."""

    type: str
    label: str
    description: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    summary: Callable[[Values], str] | None = None
    send: Callable[..., Any] | None = None
    # Settings naming where the stored secrets are sent: when one changes, kept secrets
    # must be typed again, so a secret never follows an edited destination.
    destination_keys: tuple[str, ...] = ()
    category: str = "Generic"  # one of CATEGORIES: its group in the Integration dropdown
    # A warning for the top of the form's block, from the app's configuration ("" for none).
    notice: Callable[[Mapping[str, Any]], str] | None = None
    by_key: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        assert self.category in CATEGORIES, self.category
        object.__setattr__(self, "by_key", {f.key: f for f in self.fields})

    @property
    def main_fields(self) -> list[Field]:
        return [f for f in self.fields if f.shown_directly]

    @property
    def optional_fields(self) -> list[Field]:
        return [f for f in self.fields if not f.shown_directly]

    @property
    def secret_keys(self) -> list[str]:
        return [f.key for f in self.fields if f.secret]

    def describe(self, values: Values) -> str:
        """A short description for the contact points list."""
        return self.summary(values) if self.summary else ""

    def notice_for(self, config: Mapping[str, Any]) -> str:
        """What a person must know before using this type here (email without SMTP)."""
        return self.notice(config) if self.notice else ""


# --- rules -----------------------------------------------------------------------------


def one_of(keys: tuple[str, ...], message: str) -> Rule:
    """At least one of keys must be set; the error goes on the first key."""

    def rule(values: Values) -> Iterable[tuple[str, str]]:
        if not any(values.get(k) for k in keys):
            yield keys[0], message

    return rule


def needs(key: str, other: str, message: str) -> Rule:
    """When key is set, other must be set too; the error goes on other."""

    def rule(values: Values) -> Iterable[tuple[str, str]]:
        if values.get(key) and not values.get(other):
            yield other, message

    return rule


def not_together(first: tuple[str, ...], second: tuple[str, ...], message: str) -> Rule:
    """Settings of the first group and of the second may not both be set."""

    def rule(values: Values) -> Iterable[tuple[str, str]]:
        if any(values.get(k) for k in first) and any(values.get(k) for k in second):
            yield second[0], message

    return rule


def refused_map_keys(key: str, refused: Iterable[str], message: str) -> Rule:
    """A key/value map may not contain these keys (compared ignoring case)."""
    refused_lower = {name.lower() for name in refused}

    def rule(values: Values) -> Iterable[tuple[str, str]]:
        bad = sorted(k for k in values.get(key) or {} if k.lower() in refused_lower)
        if bad:
            yield key, f"{message}: {', '.join(bad)}"

    return rule


def header_names(key: str) -> Rule:
    """A key/value map of HTTP headers: names are tokens, values fit on one line."""

    def rule(values: Values) -> Iterable[tuple[str, str]]:
        headers = values.get(key) or {}
        bad = sorted(name for name in headers if not HEADER_NAME_RE.match(name))
        if bad:
            yield key, f"Not a valid header name: {', '.join(bad[:3])}"
        elif any("\r" in v or "\n" in v for v in headers.values() if isinstance(v, str)):
            yield key, "Header values must fit on one line."

    return rule


# --- values --------------------------------------------------------------------------


def split_addresses(text: str) -> list[str]:
    """Email addresses separated by commas, semicolons or new lines."""
    return [part.strip() for part in ADDRESS_SPLIT_RE.split(text or "") if part.strip()]


def joined_addresses(text: str) -> str:
    """Addresses as Grafana's email settings hold them: one string, separated by ";"."""
    return ";".join(split_addresses(text))


def url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _check_text(spec: Field, value: str) -> str | None:
    if len(value) > MAX_VALUE_LENGTH:
        return f"{spec.label} must be at most {MAX_VALUE_LENGTH:,} characters."
    if spec.kind == "url" and (templated_url_problem(value) if spec.templated
                               and has_template(value) else url_problem(value)):
        return f"{spec.label} must be a valid http:// or https:// URL."
    if spec.kind == "int" and not (value.isascii() and value.isdigit() and len(value) <= 10
                                   and int(value) <= MAX_INT):
        return f"{spec.label} must be a whole number from 0 to {MAX_INT:,}."
    if spec.kind == "email" and not EMAIL_RE.match(value):
        return f"{spec.label} must be an email address."
    if spec.kind == "emails":
        addresses = split_addresses(value)
        bad = [a for a in addresses if not EMAIL_RE.match(a)]
        if bad:
            return f"Not a valid email address: {', '.join(bad[:3])}"
        if not addresses:
            return f"{spec.label}: enter at least one email address."
    if spec.element == "select" and value not in {v for v, _ in spec.options} and not (
            spec.templated and has_template(value)):  # Grafana renders it when sending
        return f"{spec.label}: choose one of the listed options."
    return None


def check_field(spec: Field, value: Any) -> str | None:
    """The message for a value that does not fit its field, or None."""
    if spec.required and value in ("", None, [], {}):
        return f"{spec.label} is required."
    if value in ("", None):
        return None
    if isinstance(value, str):
        return _check_text(spec, value)
    if spec.element == "map" and any(not k.strip() for k in value):
        return f"{spec.label}: every row needs a key."
    if spec.element == "records":
        for record in value:
            for sub in spec.subfields:
                message = check_field(sub, record.get(sub.key, ""))
                if message:
                    return message
    return None


def validate(integration_type: IntegrationType, values: Values) -> Errors:
    """Check effective values (secrets included) against fields and rules."""
    errors: Errors = {}
    for spec in integration_type.fields:
        message = check_field(spec, values.get(spec.key, spec.empty))
        if message:
            errors[spec.key] = message
    for rule in integration_type.rules:
        for key, message in rule(values):
            errors.setdefault(key, message)
    return errors


# --- storage -------------------------------------------------------------------------


def get_path(data: Any, key: str) -> Any:
    """The value at a dotted key of nested settings, or None."""
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def set_path(data: dict[str, Any], key: str, value: Any) -> None:
    """Set the value at a dotted key, creating the nested dicts on the way."""
    *parents, last = key.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def stored_value(spec: Field, value: Any) -> Any:
    """The value as Grafana stores it, or None when it is left out."""
    if spec.element == "checkbox":
        return bool(value) if (value or spec.default) else None
    if value in ("", None, [], {}):
        return None
    if spec.kind == "int" and isinstance(value, str):
        return int(value)
    if spec.kind == "emails" and isinstance(value, str):
        return joined_addresses(value) or None
    return normalise_newlines(value)


def to_storage(
    integration_type: IntegrationType, values: Values
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split values into Grafana-shaped settings and the secret settings."""
    settings: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    for spec in integration_type.fields:
        stored = stored_value(spec, values.get(spec.key))
        if stored is None:
            continue
        if spec.secret:
            secrets[spec.key] = stored
        else:
            set_path(settings, spec.key, stored)
    return settings, secrets


def from_storage(
    integration_type: IntegrationType, settings: dict[str, Any], secrets: dict[str, Any]
) -> Values:
    """Flat values, keyed by field key, from stored settings and secrets."""
    return {spec.key: _stored_value(spec, settings, secrets) for spec in integration_type.fields}


class StoredValues(Mapping[str, Any]):
    """from_storage's values, each read only when asked for (a list summary reads one)."""

    def __init__(self, integration_type: IntegrationType, settings: dict[str, Any],
                 secrets: dict[str, Any]) -> None:
        self.by_key, self.settings, self.secrets = integration_type.by_key, settings, secrets

    def __getitem__(self, key: str) -> Any:
        return _stored_value(self.by_key[key], self.settings, self.secrets)

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_key)

    def __len__(self) -> int:
        return len(self.by_key)


def _stored_value(spec: Field, settings: dict[str, Any], secrets: dict[str, Any]) -> Any:
    raw = secrets.get(spec.key) if spec.secret else get_path(settings, spec.key)
    return spec.initial if raw is None else _normalise(spec, raw)


def _normalise(spec: Field, raw: Any) -> Any:
    """A stored value as the form and senders use it (older rows may hold CRLF)."""
    if spec.element == "checkbox":
        return raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes", "on")
    if spec.element in ("map", "records", "list"):
        return normalise_newlines(raw)
    if spec.kind == "emails":
        return joined_addresses(str(raw))
    return normalise_newlines(str(raw))


def normalised_settings(integration_type: IntegrationType | None,
                        settings: dict[str, Any]) -> dict[str, Any]:
    """Stored settings with each declared value as Herald stores it today."""
    result = normalise_newlines(settings)
    for spec in integration_type.fields if integration_type else ():
        raw = get_path(result, spec.key)
        if raw is not None and not spec.secret and spec.element != "checkbox":
            value = stored_value(spec, raw)
            set_path(result, spec.key, raw if value is None else value)
    return result


# --- sending -------------------------------------------------------------------------

ELLIPSIS = "…"
# Characters that only make sense joined to the next one: never end a cut text on them.
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}


@dataclass
class SendContext:
    """Everything a sender needs: its values, the alert group and the instance settings."""

    integration_type: IntegrationType
    values: Values
    group: Any  # app.alerts.AlertGroup
    config: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    # Parts of a send in several messages (one per recipient) that earlier attempts of this
    # notification delivered: a sender sending in parts skips them (see SendError.done).
    done: frozenset[str] = frozenset()

    def text(self, key: str, *, html: bool = False) -> str:
        """The field's value rendered as a template (its built-in one when empty)."""
        spec = self.integration_type.by_key[key]
        return self.render(self.values.get(key), spec.template, html=html, label=spec.label)

    def url(self, key: str, default: str = "") -> str:
        """A URL setting (or default when empty), rendered first when it is templated."""
        spec = self.integration_type.by_key[key]
        source = str(self.values.get(key) or default)
        if not spec.templated:
            return source
        return rendered_url(source, lambda text: self.render_strictly(text, label=spec.label),
                            label=spec.label, secret=spec.secret)

    def render_strictly(self, source: str, *, label: str,
                        vars_: dict[str, str] | None = None) -> str:
        """A template rendered for the group (vars_ seen as Vars); a failure is a SendError,
        never a default."""
        from app.templating import TemplateRenderError, render_source

        try:
            return render_source(source, self.group, vars_=vars_)
        except TemplateRenderError as exc:
            raise SendError(f"{label}: template failed: {exc}", permanent=True) from exc

    def render(
        self, source: str | None, template: str = "", *, html: bool = False, label: str = "",
        variables: dict[str, Any] | None = None,
    ) -> str:
        """A template source rendered for the group, or the named built-in when empty.

        variables are extra names the built-in may use (the email's Message and links).
        """
        # Imported here so that declaring types never loads the template machinery.
        from app.templating import render_field

        if not source and not template:
            return ""
        rendered = render_field(source or None, template, self.group, html=html,
                                variables=variables)
        if rendered.warning:
            self.warnings.append(f"{label}: {rendered.warning}" if label else rendered.warning)
        return rendered.text


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_text(text: str, limit: int) -> str:
    """Text shortened with an ellipsis to at most limit characters, counted as UTF-16 units.

    UTF-16 units are never fewer than code points, so the result fits whichever way a
    provider counts, and a surrogate pair is never split.
    """
    if utf16_length(text) <= limit:
        return text
    kept: list[str] = []
    room = limit - 1
    for char in text:
        room -= 2 if ord(char) > 0xFFFF else 1
        if room < 0:
            break
        kept.append(char)
    while kept and (kept[-1] in _JOINERS or kept[-1].isspace()):
        kept.pop()
    return "".join(kept) + ELLIPSIS


def cut_bytes(text: str, limit: int) -> str:
    """Text shortened with an ellipsis so that its UTF-8 encoding is at most limit bytes."""
    if len(text.encode()) <= limit:
        return text
    room = limit
    while True:
        cut = cut_text(text, room)
        over = len(cut.encode()) - limit
        if over <= 0:
            return cut
        room -= max(1, over // 4)


HERALD_ICON = "/static/herald-32.png"


def herald_icon_url(config: dict[str, Any]) -> str:
    """Herald's icon on its external URL, where Grafana links its own (footers, avatars)."""
    return f"{str(config.get('HERALD_EXTERNAL_URL') or '').rstrip('/')}{HERALD_ICON}"


def alert_list_url(external_url: str) -> str:
    """Grafana's link to its alert list at the group's external URL ("" without one)."""
    return f"{external_url.rstrip('/')}/alerting/list" if external_url else ""


def with_default_templates(integration_type: IntegrationType, values: Values) -> Values:
    """The values with every templated field emptied, so that its built-in default is used."""
    return {key: "" if key in integration_type.by_key and integration_type.by_key[key].template
            else value for key, value in values.items()}
