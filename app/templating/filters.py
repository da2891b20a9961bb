"""Jinja's filters and globals, each made to respect the rendering's limits."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote_plus

from jinja2 import pass_context
from jinja2.filters import FILTERS, make_attrgetter
from jinja2.runtime import Context
from jinja2.utils import Cycler, Joiner, Namespace

from app.templating.limits import (
    MAX_PAD,
    Limits,
    TemplateLimitError,
    check_printf,
    check_replace,
    check_value,
    current,
    measure,
    too_long,
    too_many,
)

Precheck = Callable[..., None]


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str,
         default: Any) -> Any:
    """A filter argument given by position (after the value) or by name."""
    return args[index] if len(args) > index else kwargs.get(name, default)


def _check_width(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    width = _arg(args, kwargs, 0, "width", 80)
    if isinstance(width, int) and width > limits.text:
        raise too_long(limits)


def _check_indent(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    width = _arg(args, kwargs, 0, "width", 4)
    if (len(width) if isinstance(width, str) else width) > MAX_PAD:
        raise TemplateLimitError(f"indent is limited to {MAX_PAD} characters")


def _check_wordwrap(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    wrapstring = _arg(args, kwargs, 2, "wrapstring", None)
    if isinstance(wrapstring, str) and len(wrapstring) > MAX_PAD:
        raise TemplateLimitError(f"wrapstring is limited to {MAX_PAD} characters")


def _check_count(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    count = _arg(args, kwargs, 0, "linecount", None) or _arg(args, kwargs, 0, "slices", 0)
    if isinstance(count, int) and count > limits.items:
        raise too_many(limits)


def _check_replace(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    old, new = _arg(args, kwargs, 0, "old", ""), _arg(args, kwargs, 1, "new", "")
    count = _arg(args, kwargs, 2, "count", None)
    check_replace(str(value), str(old), str(new), -1 if count is None else count, limits)


def _check_format(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    check_printf(str(value))


def _check_sum(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    start = _arg(args, kwargs, 1, "start", 0)
    if not isinstance(start, int | float):
        raise TemplateLimitError("sum only adds numbers")


def _check_tojson(limits: Limits, value: Any, *args: Any, **kwargs: Any) -> None:
    indent = _arg(args, kwargs, 0, "indent", None)
    if isinstance(indent, int) and indent > 16 or isinstance(indent, str) and len(indent) > 16:
        raise TemplateLimitError("tojson indent is limited to 16")


PRECHECKS: dict[str, Precheck] = {
    "center": _check_width, "indent": _check_indent, "wordwrap": _check_wordwrap,
    "batch": _check_count, "slice": _check_count, "replace": _check_replace,
    "format": _check_format, "sum": _check_sum, "tojson": _check_tojson,
}


def _call_filter(func: Callable[..., Any], context: Context, value: Any, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
    """Call a Jinja filter, passing what its decorator asks for."""
    passes = getattr(getattr(func, "jinja_pass_arg", None), "name", None)
    first = {"context": context, "eval_context": context.eval_ctx,
             "environment": context.environment}.get(passes or "")
    if first is None:
        return func(value, *args, **kwargs)
    return func(first, value, *args, **kwargs)


def guarded(func: Callable[..., Any], precheck: Precheck | None = None) -> Callable[..., Any]:
    """The filter, refusing values past the limits and checking the clock."""

    @pass_context
    def filter_(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = current()
        budget.tick()
        measure(value, budget.limits)
        if precheck:
            precheck(budget.limits, value, *args, **kwargs)
        result = _call_filter(func, context, value, args, kwargs)
        measure(result, budget.limits)
        return result

    return filter_


@pass_context
def join(context: Context, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    """Jinja's join, refusing joins that would build text past the limit."""
    limits = current().limits
    parts = list(value)
    if attribute is not None:
        parts = list(map(make_attrgetter(context.environment, attribute), parts))
    size = len(d) * max(len(parts) - 1, 0)
    for part in parts:
        size += measure(part, limits)[1]
        if size > limits.text:
            raise too_long(limits)
    return _call_filter(FILTERS["join"], context, parts, (d,), {})


@pass_context
def loop_guard(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    """Wraps every for loop's iterable: counts turns and checks the clock."""
    budget = current()
    for item in iterable:
        budget.turn()
        yield item


@pass_context
def value_guard(context: Context, value: Any) -> Any:
    """Wraps list, tuple and dict literals and ~ joins: refuses oversized values."""
    return check_value(value)


@pass_context
def finalize(context: Context, value: Any) -> Any:
    """Runs on everything a template outputs: counts it, refuses what is not printable."""
    budget = current()
    budget.tick()
    budget.emit(measure(value, budget.limits, printing=True)[1])
    return value


def guarded_range(*args: int) -> range:
    """range(), refusing more items than a value may hold."""
    numbers = range(*args)
    limits = current().limits
    if len(numbers) > limits.items:
        raise TemplateLimitError(f"range() is limited to {limits.items:,} items")
    return numbers


def guarded_dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    return check_value(dict(*args, **kwargs))


def urlquery(value: Any) -> str:
    """Go's urlquery (url.QueryEscape): every reserved character escaped, "/" included,
    and spaces as "+"; Jinja's urlencode keeps "/"."""
    return quote_plus(str(value), safe="")


def make_filters() -> dict[str, Callable[..., Any]]:
    """All of Jinja's filters, guarded, plus the hooks the parser inserts."""
    filters = {name: guarded(func, PRECHECKS.get(name)) for name, func in FILTERS.items()}
    filters["join"] = join
    filters["urlquery"] = urlquery
    filters["herald_loop"] = loop_guard
    filters["herald_value"] = value_guard
    return filters


def plain_filters() -> dict[str, Callable[..., Any]]:
    """Jinja's filters as they are, plus Herald's own: for the built-in templates only."""
    return {**FILTERS, "urlquery": urlquery}


def make_globals() -> dict[str, Any]:
    """Jinja's globals, without lipsum, and with range and dict limited."""
    return {"range": guarded_range, "dict": guarded_dict, "cycler": Cycler, "joiner": Joiner,
            "namespace": Namespace}
