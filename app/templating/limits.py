"""What one rendering may cost: time, loop turns, and the size of every value it builds."""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from jinja2.runtime import Undefined

from app.templating.context import AlertView

MAX_DEPTH = 16
MAX_INT_BITS = 4096
MAX_FORMAT_WIDTH = 1000
MAX_PAD = 100
PRINTF_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
PRINTABLE = (str, int, float, type(None), date, datetime, timedelta, AlertView, Undefined)


class TemplateLimitError(Exception):
    """A rendering went past one of its limits."""


@dataclass(frozen=True)
class Limits:
    """The caps of one rendering; user templates get tighter ones than the built-ins."""

    output: int  # characters in the result
    emitted: int  # characters produced anywhere, buffers and macros included
    text: int  # characters in any one value
    items: int  # items in any one value, nested ones counted
    iterations: int  # loop turns, all loops together
    seconds: float


USER_LIMITS = Limits(
    output=64 * 1024, emitted=256 * 1024, text=64 * 1024, items=10_000, iterations=100_000,
    seconds=1.0,
)
BUILTIN_LIMITS = Limits(
    output=1024 * 1024, emitted=4 * 1024 * 1024, text=1024 * 1024, items=100_000,
    iterations=1_000_000, seconds=10.0,
)


@dataclass
class Budget:
    """What one rendering has spent so far."""

    limits: Limits
    deadline: float = field(default=float("inf"))
    emitted: int = 0
    iterations: int = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            seconds = self.limits.seconds
            raise TemplateLimitError(
                f"rendering took longer than {seconds:g} second{'s' * (seconds != 1)}"
            )

    def turn(self) -> None:
        """Count one loop turn."""
        self.iterations += 1
        if self.iterations > self.limits.iterations:
            raise TemplateLimitError(f"loops ran more than {self.limits.iterations:,} times")
        self.tick()

    def emit(self, size: int) -> None:
        self.emitted += size
        if self.emitted > self.limits.emitted:
            raise TemplateLimitError(
                f"the template produced more than {self.limits.emitted:,} characters"
            )


_budget: ContextVar[Budget | None] = ContextVar("herald_template_budget", default=None)


def current() -> Budget:
    """The budget of the rendering under way (an untimed one outside a rendering)."""
    return _budget.get() or Budget(USER_LIMITS)


@contextmanager
def budget_scope(limits: Limits) -> Iterator[Budget]:
    """Start a timed budget for one rendering."""
    budget = Budget(limits, deadline=time.monotonic() + limits.seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def too_long(limits: Limits) -> TemplateLimitError:
    return TemplateLimitError(f"text would be longer than {limits.text:,} characters")


def too_many(limits: Limits) -> TemplateLimitError:
    return TemplateLimitError(f"a value would have more than {limits.items:,} items")


def measure(value: Any, limits: Limits, printing: bool = False) -> tuple[int, int]:
    """Items (nested ones included) and characters in a value; shared parts count each time."""
    items = chars = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            chars += len(item)
        elif isinstance(item, int):
            chars += item.bit_length() // 3 + 1
        elif isinstance(item, list | tuple | set | frozenset | dict):
            if depth >= MAX_DEPTH:
                raise TemplateLimitError("values are nested too deeply")
            items += len(item)
            if items > limits.items:
                raise too_many(limits)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif printing and not isinstance(item, PRINTABLE):
            raise TemplateLimitError(f"cannot output a {type(item).__name__!r} value")
        if chars > limits.text:
            raise too_long(limits)
    return items, chars


def check_value(value: Any) -> Any:
    """Refuse a value bigger than the current limits allow; return it unchanged."""
    measure(value, current().limits)
    return value


def check_printf(fmt: str) -> None:
    """Refuse printf-style widths that would pad text to an enormous size."""
    for match in PRINTF_RE.finditer(fmt):
        for number in match.groups():
            if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                raise TemplateLimitError(
                    f"format widths are limited to {MAX_FORMAT_WIDTH:,} characters"
                )


def _is_sequence(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would go past the limits, before computing it."""
    limits = current().limits
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if _is_sequence(sequence) and isinstance(times, int) and times > 1:
                items, chars = measure(sequence, limits)
                if not isinstance(sequence, str) and items * times > limits.items:
                    raise too_many(limits)
                if chars * times > limits.text:
                    raise too_long(limits)
    if operator == "+" and _is_sequence(left) and _is_sequence(right):
        (left_items, left_chars), (right_items, right_chars) = (
            measure(left, limits), measure(right, limits))
        if left_items + right_items > limits.items:
            raise too_many(limits)
        if left_chars + right_chars > limits.text:
            raise too_long(limits)
    if isinstance(left, int) and isinstance(right, int):
        bits = max(left.bit_length(), 1)
        size = bits * right if operator == "**" else bits + right.bit_length()
        if operator in ("*", "**") and size > MAX_INT_BITS:
            raise TemplateLimitError(f"numbers are limited to {MAX_INT_BITS:,} bits")
    if operator == "%" and isinstance(left, str):
        check_printf(left)
        measure(right, limits)


def check_str_method(method: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Refuse str.join / str.replace calls that would build text past the limit."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if not isinstance(owner, str) or name not in ("join", "replace") or not args:
        return args
    limits = current().limits
    if name == "join":
        parts = list(args[0])
        if len(parts) > limits.items:
            raise too_many(limits)
        size = sum(len(part) for part in parts if isinstance(part, str))
        if size + len(owner) * max(len(parts) - 1, 0) > limits.text:
            raise too_long(limits)
        return (parts, *args[1:])
    if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        check_replace(owner, args[0], args[1], args[2] if len(args) > 2 else -1, limits)
    return args


def check_replace(text: str, old: str, new: str, count: Any, limits: Limits) -> None:
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    if len(text) + found * (len(new) - len(old)) > limits.text:
        raise too_long(limits)
