"""The sandboxed Jinja environment: what templates may touch, and where includes come from."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from jinja2 import (
    BaseLoader,
    DictLoader,
    Environment,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)
from jinja2.environment import TemplateModule
from jinja2.runtime import Context, LoopContext, missing
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Namespace
from markupsafe import Markup

from app.templating.builtin import BUILTIN_TEMPLATES
from app.templating.context import KV, AlertList, AlertView
from app.templating.filters import finalize, make_filters, make_globals, plain_filters
from app.templating.limits import check_binop, check_str_method, check_value, current

SOURCE_FILENAME = "<template>"
FORBIDDEN_NAMES = frozenset({
    "self", "config", "request", "session", "g", "url_for", "get_flashed_messages", "lipsum",
})
STR_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
    "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join",
    "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind",
    "rindex", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
    "swapcase", "title", "upper",
})
DICT_METHODS = frozenset({"get", "keys", "values", "items"})
DATE_ATTRIBUTES = frozenset({
    "year", "month", "day", "isoformat", "strftime", "weekday", "isoweekday",
})
ANY_PUBLIC = None  # objects whose every public attribute is the template's own data
SAFE_ATTRIBUTES: dict[type, frozenset[str] | None] = {
    AlertView: AlertView.FIELDS,
    KV: DICT_METHODS | {"SortedPairs", "Names", "Values", "Remove"},
    AlertList: frozenset({"Firing", "Resolved", "count", "index"}),
    Markup: STR_METHODS | {"striptags", "unescape"},
    str: STR_METHODS,
    dict: DICT_METHODS,
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
    datetime: DATE_ATTRIBUTES | {"hour", "minute", "second", "microsecond", "timestamp"},
    date: DATE_ATTRIBUTES,
    timedelta: frozenset({"days", "seconds", "microseconds", "total_seconds"}),
    LoopContext: frozenset({
        "index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
        "depth0", "previtem", "nextitem", "cycle", "changed",
    }),
    Cycler: frozenset({"current", "next", "reset"}),
    Namespace: ANY_PUBLIC,
    TemplateModule: ANY_PUBLIC,  # {% import "x" as m %}: m's macros
}


def allowed_attributes(obj: Any) -> frozenset[str] | None:
    """The attributes a template may read on this object (None: any public one)."""
    fields = getattr(type(obj), "_fields", None)
    if isinstance(obj, tuple) and fields:  # a named tuple: Pair, groupby's groups
        return frozenset(fields) | {"count", "index"}
    for cls in type(obj).__mro__:
        if cls in SAFE_ATTRIBUTES:
            return SAFE_ATTRIBUTES[cls]
    return frozenset()


class HeraldUndefined(StrictUndefined):
    """Fails as soon as it is used, with a message in Herald's words."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        name, obj = self._undefined_name, self._undefined_obj
        if obj is missing:
            return f"{name!r} is undefined"
        if isinstance(obj, KV):
            return f"there is no label or annotation named {name!r}"
        if isinstance(obj, AlertView):
            return f"an alert has no field {name!r}"
        if isinstance(obj, list | tuple) and isinstance(name, int):
            return f"there is no item at index {name} (the list has {len(obj)})"
        return f"{type(obj).__name__} value has no attribute or key {name!r}"


def saved_template_source(name: str) -> str | None:
    """The text of the saved NotificationTemplate with this name, if there is one."""
    from flask import has_app_context

    if not has_app_context():
        return None
    from app.extensions import db
    from app.models import NotificationTemplate, name_key

    return db.session.scalar(
        db.select(NotificationTemplate.template).where(
            NotificationTemplate.name_key == name_key(name)
        )
    )


class TemplateLoader(BaseLoader):
    """Finds included templates: the built-ins first, then the saved templates."""

    def get_source(
        self, environment: Any, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        current().tick()
        filename = f"<template {template!r}>"
        if template in BUILTIN_TEMPLATES:
            return BUILTIN_TEMPLATES[template], filename, lambda: True
        source = saved_template_source(template)
        if source is None:
            raise TemplateNotFound(template)
        budget = current()
        # A saved template may change between renderings, never during one.
        return source, filename, lambda: current() is budget


def _wrap(node: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


def _refuse_unsafe_names(tree: nodes.Template, name: str | None, filename: str | None) -> None:
    for node in tree.find_all(nodes.Name):
        if node.name in FORBIDDEN_NAMES:
            raise TemplateSyntaxError(
                f"{node.name!r} is not available in templates", node.lineno, name, filename
            )
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", "")
        if isinstance(attr, str) and attr.startswith("_"):
            raise TemplateSyntaxError(
                f"names starting with '_' are not available: {attr!r}", node.lineno, name,
                filename,
            )


def _insert_guards(tree: nodes.Template) -> None:
    """Route loops, literals, ~ joins and literal text through the limit checks."""
    for loop in list(tree.find_all(nodes.For)):
        loop.iter = _wrap(loop.iter, "herald_loop")
    for parent in list(tree.find_all(nodes.Node)):
        for field in parent.fields:
            child = getattr(parent, field)
            if _needs_value_guard(child):
                setattr(parent, field, _wrap(child, "herald_value"))
            elif isinstance(child, list):
                setattr(parent, field, [
                    _wrap(item, "herald_value") if _needs_value_guard(item) else item
                    for item in child
                ])


def _needs_value_guard(node: Any) -> bool:
    if isinstance(node, nodes.List | nodes.Dict | nodes.Concat | nodes.TemplateData):
        return True
    return isinstance(node, nodes.Tuple) and node.ctx == "load"


class HeraldEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, narrowed to the alert data and bounded in cost."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, autoescape: bool) -> None:
        super().__init__(
            loader=TemplateLoader(), undefined=HeraldUndefined, autoescape=autoescape,
            trim_blocks=True, lstrip_blocks=True, finalize=finalize, auto_reload=True,
        )
        self.filters = make_filters()
        self.globals = make_globals()

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        _refuse_unsafe_names(tree, name, filename)
        _insert_guards(tree)
        tree.set_environment(self)
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        allowed = allowed_attributes(obj)
        return allowed is ANY_PUBLIC or attr in allowed

    def wrap_str_format(self, value: Any) -> None:
        """No str.format: its specs pad to any width and its fields reach attributes."""
        return None

    def getattr(self, obj: Any, attribute: str) -> Any:
        current().tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        current().tick()
        return super().getitem(obj, argument)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        current().tick()
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        current().tick()
        args = check_str_method(__obj, args)
        return check_value(super().call(__context, __obj, *args, **kwargs))


class BuiltinEnvironment(Environment):
    """Herald's own built-in templates, and nothing else, rendered without the sandbox.

    They are trusted code: the sandbox and the limits guard against what a person writes
    in a template, not against the alert data a template prints. The built-ins' work grows
    only with the size of the group, which the intake already caps, so they skip the
    sandbox's per-attribute checks (most of a default message's cost) and the limits'
    measuring of every filtered and printed value (a third of a default title's), and keep
    the same options and output. Only the cap on a rendering's output still applies. A saved
    template can never be loaded here; one that includes a built-in renders it in the
    sandbox, under every limit.
    """

    def __init__(self, autoescape: bool) -> None:
        super().__init__(
            loader=DictLoader(BUILTIN_TEMPLATES), undefined=HeraldUndefined,
            autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
        )
        self.filters = plain_filters()
        self.globals = make_globals()
