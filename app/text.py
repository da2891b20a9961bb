"""Text as Herald keeps it: lines end in a plain newline, whoever typed or sent it."""
from __future__ import annotations

from typing import Any


def normalise_newlines(value: Any) -> Any:
    """The value with every CRLF or lone CR turned into LF, in nested maps and lists too."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, dict):
        return {key: normalise_newlines(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise_newlines(item) for item in value]
    return value
