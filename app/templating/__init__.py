"""Notification templates: a sandboxed Jinja environment, the built-ins, and rendering.

A title or message field holds Jinja source, rendered against one alert group with
Grafana's names: ``Status``, ``Alerts`` (with ``.Firing`` and ``.Resolved``),
``GroupLabels``, ``CommonLabels``, ``CommonAnnotations`` (with ``.SortedPairs()``,
``.Names()``, ``.Values()``, ``.Remove(names)``), ``ExternalURL``, ``Receiver``,
``GroupKey``, ``TruncatedAlerts``; each alert has ``Status``, ``Labels``, ``Annotations``,
``StartsAt``, ``EndsAt``, ``GeneratorURL``, ``Fingerprint``, ``SilenceURL``,
``DashboardURL``, ``PanelURL``, ``ValueString`` and ``Values`` (numbers by query ref ID,
printed as Go prints them). An empty field uses a built-in
template (see BUILTIN_TEMPLATES).

A saved NotificationTemplate is used by name: ``{% include "my-template" %}`` (names are
matched ignoring case and surrounding spaces; built-in names come first, so
``{% include "default.message" %}`` always means the built-in). Macros of a saved
template can be imported: ``{% import "my-macros" as m %}{{ m.summary(Alerts) }}``.
Looking saved templates up needs an application context.

Templates run with trim_blocks and lstrip_blocks, undefined names are errors, and every
rendering is limited in time, loop turns and size (see limits.py). A failing template in a
field never stops a notification: render_field falls back to the built-in and says why.
"""
from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Template, TemplateNotFound, TemplateSyntaxError

from app.alerts import AlertGroup
from app.templating.builtin import BUILTIN_TEMPLATES
from app.templating.context import template_context
from app.templating.defaults import DEFAULTS
from app.templating.environment import SOURCE_FILENAME, BuiltinEnvironment, HeraldEnvironment
from app.templating.limits import BUILTIN_LIMITS, USER_LIMITS, Limits, budget_scope

MAX_SOURCE_LENGTH = 64 * 1024

TEXT_ENVIRONMENT = HeraldEnvironment(autoescape=False)
HTML_ENVIRONMENT = HeraldEnvironment(autoescape=True)
BUILTIN_TEXT = BuiltinEnvironment(autoescape=False)
BUILTIN_HTML = BuiltinEnvironment(autoescape=True)

__all__ = [
    "BUILTIN_TEMPLATES", "Rendered", "TemplateRenderError", "check_syntax", "render_field",
    "render_source",
]


class TemplateRenderError(Exception):
    """A template that cannot be compiled or rendered, with the line at fault."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message, lineno)
        self.message = message
        self.lineno = lineno

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.message}" if self.lineno else self.message


@dataclass
class Rendered:
    """A field's rendered text, and why the built-in was used instead, if it was."""

    text: str
    warning: str = ""


def _environment(html: bool) -> HeraldEnvironment:
    return HTML_ENVIRONMENT if html else TEXT_ENVIRONMENT


def _describe(exc: BaseException) -> str:
    """What went wrong, in words for the person who wrote the template."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.message or "syntax error"
    if isinstance(exc, TemplateNotFound):
        return f"there is no template named {exc.name!r}"
    if isinstance(exc, RecursionError):
        return "templates call or include each other too deeply"
    if isinstance(exc, MemoryError):
        return "the template used too much memory"
    return str(exc) or type(exc).__name__


def _template_lines(exc: BaseException) -> tuple[int | None, str, int | None]:
    """The line in the source at fault, and the innermost included template and line."""
    top = inner_line = None
    inner_name = ""
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename == SOURCE_FILENAME:
            top, inner_name, inner_line = lineno, "", None
        elif filename.startswith("<template "):
            inner_name, inner_line = filename[len("<template "):-1], lineno
    return top, inner_name, inner_line


def to_render_error(exc: BaseException) -> TemplateRenderError:
    """Turn any failure of compiling or rendering into a TemplateRenderError."""
    message = _describe(exc)
    if isinstance(exc, TemplateSyntaxError) and exc.name is None:
        return TemplateRenderError(message, exc.lineno)
    top, inner_name, inner_line = _template_lines(exc)
    if inner_name:
        message = f"in template {inner_name} line {inner_line}: {message}"
    return TemplateRenderError(message, top)


def _compile(source: str, html: bool) -> Template:
    if len(source) > MAX_SOURCE_LENGTH:
        raise TemplateRenderError(
            f"the template is longer than {MAX_SOURCE_LENGTH:,} characters"
        )
    try:
        return _environment(html).from_string(source)
    except Exception as exc:
        raise to_render_error(exc) from exc


Variables = Mapping[str, Any] | None


def _render(template: Template, group: AlertGroup, limits: Limits,
            variables: Variables = None, vars_: dict[str, str] | None = None) -> str:
    """Render within the limits; any failure becomes a TemplateRenderError."""
    chunks: list[str] = []
    size = 0
    context = {**(variables or {}), **template_context(group, vars_)}
    with budget_scope(limits):
        try:
            for chunk in template.generate(context):
                size += len(chunk)
                if size > limits.output:
                    raise TemplateRenderError(
                        f"the output is longer than {limits.output:,} characters"
                    )
                chunks.append(chunk)
        except TemplateRenderError:
            raise
        except Exception as exc:
            raise to_render_error(exc) from exc
    return "".join(chunks)


def check_syntax(source: str) -> None:
    """Check that a template compiles; TemplateRenderError says where it does not."""
    _compile(source, html=False)


def render_source(source: str, group: AlertGroup, *, html: bool = False,
                  vars_: dict[str, str] | None = None) -> str:
    """Render a person's template (for previews); TemplateRenderError on any failure.

    vars_ are a sender's own variables, seen as Vars (the webhook's payload.vars)."""
    return _render(_compile(source, html), group, USER_LIMITS, vars_=vars_)


def render_builtin(name: str, group: AlertGroup, *, html: bool = False,
                   variables: Variables = None) -> str:
    """Render a built-in template by name (.html ones always autoescaped).

    variables are extra names a sender gives its built-in (the email's Message, Title...);
    the group's own names always win.
    """
    if name not in BUILTIN_TEMPLATES:
        raise TemplateRenderError(f"there is no built-in template named {name!r}")
    environment = BUILTIN_HTML if html or name.endswith(".html") else BUILTIN_TEXT
    if environment is BUILTIN_TEXT and name in DEFAULTS:
        text = _render_in_python(name, group)
        if text is not None:
            return text
    template = environment.get_template(name)
    return _render(template, group, BUILTIN_LIMITS, variables)


def _render_in_python(name: str, group: AlertGroup) -> str | None:
    """The built-in's text from its Python version; None leaves it to Jinja, which gives
    the error in a template's words (a value it cannot print, an output past the cap)."""
    try:
        text = DEFAULTS[name](group)
    except Exception:
        return None
    return text if len(text) <= BUILTIN_LIMITS.output else None


def _render_default(name: str, group: AlertGroup, html: bool,
                    variables: Variables = None) -> Rendered:
    """The built-in's text; empty, with a warning, if even that cannot be rendered."""
    try:
        return Rendered(render_builtin(name, group, html=html, variables=variables))
    except TemplateRenderError as error:
        return Rendered("", f"built-in template {name!r} failed: {error}")


def render_field(
    source: str | None, default_template: str, group: AlertGroup, *, html: bool = False,
    variables: Variables = None,
) -> Rendered:
    """Render a title/message field; an empty or failing one uses the built-in default."""
    if not source or not source.strip():
        return _render_default(default_template, group, html, variables)
    try:
        return Rendered(render_source(source, group, html=html))
    except TemplateRenderError as error:
        fallback = _render_default(default_template, group, html, variables)
        warning = f"template failed, default used: {error}"
        return Rendered(fallback.text, "; ".join(filter(None, [warning, fallback.warning])))
