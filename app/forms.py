"""The contact point form as data: parse a submitted form into blocks, and back."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from app.contact_points import IntegrationInput
from app.integrations import DEFAULT_TYPE, get_type
from app.integrations.base import Errors, Field, IntegrationType, Values, from_storage
from app.models import ContactPoint
from app.template_fields import value_from_choice
from app.text import normalise_newlines

TOKEN_RE = re.compile(r"^[a-z0-9]{1,16}$")
MAX_BLOCKS = 100  # integrations per contact point (app/provisioning/apply.py holds the same)


def new_token() -> str:
    return secrets.token_hex(4)


ANNOTATION_KEYS = ("summary", "description", "runbook_url")


@dataclass
class TestInput:
    """What the Test panel of a block asks for: the predefined alert, or custom data."""

    custom: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, form: MultiDict, token: str) -> TestInput:
        prefix = f"{token}.test."
        pairs = zip(form.getlist(prefix + "label.k"), form.getlist(prefix + "label.v"),
                    strict=False)
        return cls(
            custom=form.get(prefix + "mode") == "custom",
            annotations={k: form.get(prefix + k, "").strip() for k in ANNOTATION_KEYS},
            labels={k.strip(): v.strip() for k, v in pairs if k.strip()},
        )

    def alert_data(self) -> tuple[dict[str, str], dict[str, str]]:
        """The labels and annotations merged into the test alert."""
        if not self.custom:
            return {}, {}
        return dict(self.labels), {k: v for k, v in self.annotations.items() if v}


@dataclass
class BlockState:
    """One integration block of the form: what is shown and what was typed."""

    token: str
    type: str
    values: Values = field(default_factory=dict)
    uid: str = ""
    source: str = ""
    disable_resolve_message: bool = False
    configured: set[str] = field(default_factory=set)  # secret keys kept from `source`
    errors: Errors = field(default_factory=dict)
    test: TestInput | None = None  # the Test panel is open
    test_result: Any = None
    previews: dict[str, Any] = field(default_factory=dict)  # field key -> preview shown
    focus: str = ""  # the field to show open and focused after a change, e.g. a Reset
    extra_rows: dict[str, int] = field(default_factory=dict)  # more empty rows asked for

    @property
    def integration_type(self) -> IntegrationType:
        return get_type(self.type)  # type: ignore[return-value]

    def value(self, spec: Field):
        return self.values.get(spec.key, spec.initial)

    def to_input(self) -> IntegrationInput:
        return IntegrationInput(
            type=self.type,
            values=dict(self.values),
            uid=self.uid or None,
            source=self.source or None,
            disable_resolve_message=self.disable_resolve_message,
        )

    def retyped(self, type_id: str) -> BlockState:
        """The same block switched to another type: that type's fresh fields."""
        return BlockState(token=self.token, type=type_id, uid=self.uid, source=self.source)

    def copy(self) -> BlockState:
        """A new block with the same settings; secrets come from the same source."""
        return BlockState(
            token=new_token(),
            type=self.type,
            values=dict(self.values),
            source=self.source,
            disable_resolve_message=self.disable_resolve_message,
            configured=set(self.configured),
        )


@dataclass
class FormState:
    name: str = ""
    blocks: list[BlockState] = field(default_factory=list)
    name_error: str | None = None
    fallback: str = ""  # the fallback contact point's name, "" for none
    fallback_error: str | None = None
    version: str = ""  # the contact point's version when the form was opened
    conflict: bool = False

    def block(self, token: str) -> BlockState:
        for block in self.blocks:
            if block.token == token:
                return block
        raise BadRequest(f"No integration block {token!r} in this form.")


def version_of(contact_point: ContactPoint) -> str:
    return str(contact_point.version)


def seen_version(form_version: str) -> int | None:
    """The version a form was opened at, or None when it carries none."""
    return int(form_version) if form_version.isdigit() and len(form_version) < 19 else None


def new_block(type_id: str = DEFAULT_TYPE) -> BlockState:
    return BlockState(token=new_token(), type=type_id)


def state_from_contact_point(contact_point: ContactPoint) -> FormState:
    """The edit form of a saved contact point; secrets show as configured."""
    blocks = []
    for integration in contact_point.integrations:
        integration_type = get_type(integration.type)
        if integration_type is None:
            continue
        # Secrets are not decrypted for a form that must not show them anyway.
        values = from_storage(integration_type, integration.settings or {}, {})
        configured = integration.configured_secret_keys
        for key in integration_type.secret_keys:
            values.pop(key, None)
        blocks.append(
            BlockState(
                token=new_token(),
                type=integration.type,
                values=values,
                uid=integration.uid,
                source=integration.uid,
                disable_resolve_message=integration.disable_resolve_message,
                configured=configured,
            )
        )
    fallback = contact_point.fallback.name if contact_point.fallback else ""
    return FormState(name=contact_point.name, blocks=blocks, fallback=fallback,
                     version=version_of(contact_point))


def parse_form(form: MultiDict, contact_point: ContactPoint | None) -> FormState:
    """Read every block of a submitted form; malformed structure is a 400."""
    tokens = form.getlist("block")
    if len(tokens) > MAX_BLOCKS:
        raise BadRequest(f"A contact point can have at most {MAX_BLOCKS} integrations.")
    if len(set(tokens)) != len(tokens) or not all(TOKEN_RE.match(t) for t in tokens):
        raise BadRequest("Malformed integration block index.")
    stored = {i.uid: i for i in contact_point.integrations} if contact_point else {}
    blocks = [_parse_block(form, token, stored) for token in tokens]
    return FormState(name=normalise_newlines(form.get("name", "")), blocks=blocks,
                     fallback=normalise_newlines(form.get("fallback", "")),
                     version=form.get("version", ""))


def _parse_block(form: MultiDict, token: str, stored: dict) -> BlockState:
    prefix = f"{token}."
    type_id = form.get(prefix + "type", "")
    integration_type = get_type(type_id)
    if integration_type is None:
        raise BadRequest(f"Unknown integration type: {type_id[:64]!r}.")
    source = form.get(prefix + "source", "")
    source_integration = stored.get(source)
    if source_integration is None:
        source, secret_keys = "", set()
    elif source_integration.type != type_id:  # switched type: its secrets do not apply
        secret_keys = set()
    else:
        secret_keys = source_integration.configured_secret_keys
    values: Values = {}
    configured: set[str] = set()
    for spec in integration_type.fields:
        name = f"{prefix}s.{spec.key}"
        if spec.secret and name not in form and spec.key in secret_keys:
            configured.add(spec.key)
            continue
        values[spec.key] = normalise_newlines(read_field(form, name, spec))
    uid = form.get(prefix + "uid", "")
    extra_rows = {spec.key: min(form.get(f"{prefix}rows.{spec.key}", 0, type=int) or 0, 50)
                  for spec in integration_type.fields
                  if spec.element in ("map", "list", "records")}
    return BlockState(
        token=token,
        type=type_id,
        values=values,
        uid=uid if uid in stored else "",
        source=source,
        disable_resolve_message=(prefix + "disableResolveMessage") in form,
        configured=configured,
        extra_rows={key: count for key, count in extra_rows.items() if count > 0},
    )


def read_field(form: MultiDict, name: str, spec: Field):
    """The value of one field as typed, in the shape the registry uses."""
    if spec.element == "checkbox":
        return name in form
    if spec.element == "list":
        return [item.strip() for item in form.getlist(name) if item.strip()]
    if spec.element == "map":
        pairs = zip(form.getlist(name + ".k"), form.getlist(name + ".v"), strict=False)
        return {k.strip(): v for k, v in pairs if k.strip() or v.strip()}
    if spec.element == "records":
        columns = {sub.key: form.getlist(f"{name}.{sub.key}") for sub in spec.subfields}
        rows = zip(*columns.values(), strict=False)
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        return [{k: v.strip() for k, v in r.items() if v.strip()} for r in records
                if any(v.strip() for k, v in r.items() if k != "type")]
    raw = form.get(name, "")
    text = raw.strip() if spec.element != "textarea" else raw.strip("\r\n ")
    if spec.template:
        return value_from_choice(form.get(name + ".mode"), text, form.get(name + ".tpl", ""))
    return text
