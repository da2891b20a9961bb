"""Names people give things: required, bounded, unique ignoring case, and free copy names."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.extensions import db
from app.models import NAME_MAX_LENGTH, name_key


def name_problem(name: str, model, current=None, *, thing: str, label: str = "Name") -> str | None:
    """Why this name cannot be used for a `model` row (other than `current`), or None."""
    name = name.strip()
    if not name:
        return f"{label} is required."
    if len(name) > NAME_MAX_LENGTH:
        return f"{label} must be at most {NAME_MAX_LENGTH} characters."
    query = select(model.id).where(model.name_key == name_key(name))
    if current is not None and current.id is not None:
        query = query.where(model.id != current.id)
    if db.session.scalar(query) is not None:
        article = "An" if thing[0] in "aeiou" else "A"
        return f"{article} {thing} named “{name}” already exists."
    return None


def copy_name(name: str, is_free: Callable[[str], bool]) -> str:
    """'<name> (copy)', or '(copy 2)' and on, whichever is free, within the length limit."""
    base = f"{name[:NAME_MAX_LENGTH - 12]} (copy"
    candidate, number = f"{base})", 2
    while not is_free(candidate):
        candidate = f"{base} {number})"
        number += 1
    return candidate
