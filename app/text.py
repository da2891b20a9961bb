"""The one check on text coming in (forms, API, import): valid Unicode, no control characters.

Tab and newline are text; a carriage return is normalised to a newline. Anything else of
Unicode's control category, and UTF-16 surrogates (which are not Unicode scalar values and
cannot be written out as UTF-8), is refused with the field it was found in.
"""
from __future__ import annotations

import re
from typing import Any

_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINES = re.compile(r"\r\n?")


class BadText(ValueError):
    """Text Herald will not store; field names where it was found."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


def problem_of(text: str) -> str | None:
    """Why the text cannot be stored, or None."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    character = found.group()
    code = f"U+{ord(character):04X}"
    if "\ud800" <= character <= "\udfff":
        return f"contains an unpaired surrogate ({code}), which is not valid Unicode"
    return f"contains a control character ({code}); only tab and newline are allowed"


def normalise_newlines(value: Any) -> Any:
    """The value with CR LF and lone CR turned into LF, in nested maps and lists too."""
    if isinstance(value, str):
        return _NEWLINES.sub("\n", value) if "\r" in value else value
    if isinstance(value, dict):
        return {key: normalise_newlines(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise_newlines(item) for item in value]
    return value


def clean(data: Any, field: str = "") -> Any:
    """The data with newlines normalised in every string (keys too); BadText when refused."""
    if isinstance(data, str):
        problem = problem_of(data)
        if problem:
            raise BadText(field, problem)
        return normalise_newlines(data)
    if isinstance(data, dict):
        return {clean(key, _join(field, "(a key)")): clean(value, _join(field, str(key)))
                for key, value in data.items()}
    if isinstance(data, list):
        return [clean(item, f"{field}[{index}]") for index, item in enumerate(data)]
    return data


def _join(field: str, key: str) -> str:
    # A refused key is named by where it is, not by itself (it may be unprintable).
    shown = key if problem_of(key) is None else "(a key)"
    return f"{field}.{shown}" if field else shown
