"""Previews in the template editor: the data to render with, and errors in people's words."""
from __future__ import annotations

import json
from dataclasses import dataclass

from app.alerts import AlertGroup, group_from_dict, group_to_dict, sample_groups
from app.templating import TemplateRenderError, render_source
from app.text import normalise_newlines

MAX_JSON_BYTES = 256 * 1024
PREVIEW_DATA = {
    "firing": "Sample firing group",
    "resolved": "Sample resolved group",
    "custom": "Custom data (JSON)",
}


def describe_error(error: TemplateRenderError) -> str:
    """'Line 3: unexpected '}'' — the line first, as a person looks for it."""
    if error.lineno:
        return f"Line {error.lineno}: {error.message}"
    return error.message[:1].upper() + error.message[1:]


def normalise_source(source: str) -> str:
    """Browsers send textarea lines ending in CRLF; templates keep plain newlines."""
    return normalise_newlines(source)


@dataclass
class Preview:
    """A template rendered for the editor, or why it could not be."""

    text: str = ""
    error: str = ""


def sample_json() -> str:
    """The sample firing group as webhook JSON, for people to edit."""
    return json.dumps(group_to_dict(sample_groups()["firing"]), indent=2)


def preview_group(choice: str, custom_json: str) -> AlertGroup:
    """The alert group to preview with; ValueError says what is wrong with custom data."""
    if choice != "custom":
        return sample_groups()["resolved" if choice == "resolved" else "firing"]
    if not custom_json.strip():
        raise ValueError("Enter the alert data as JSON, or choose a sample group.")
    if len(custom_json.encode()) > MAX_JSON_BYTES:
        raise ValueError(f"The alert data must be at most {MAX_JSON_BYTES // 1024} KiB.")
    try:
        data = json.loads(custom_json)
    except json.JSONDecodeError as error:
        raise ValueError(f"The alert data is not valid JSON: line {error.lineno}, column "
                         f"{error.colno}: {error.msg}.") from None
    except RecursionError:  # json gives up on arrays or objects nested past the stack
        raise ValueError("The alert data is not valid JSON: it is nested too deeply.") from None
    try:
        return group_from_dict(data)
    except ValueError as error:
        raise ValueError(f"The alert data is not a valid alert group: {error}.") from None


def render_preview(source: str, choice: str, custom_json: str = "") -> Preview:
    """The template rendered against the chosen data; errors with their line number."""
    try:
        group = preview_group(choice, custom_json)
    except ValueError as error:
        return Preview(error=str(error))
    try:
        return Preview(render_source(normalise_source(source), group))
    except TemplateRenderError as error:
        return Preview(error=describe_error(error))
