"""The audit log: who changed what, with before/after snapshots free of secret values."""
from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import NAME_MAX_LENGTH, AuditEntry


def record(
    action: str,
    object_type: str,
    name: str,
    uid: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add an entry to the session; the caller's commit writes it with the change itself."""
    from app.auth import actor_name

    # Cut to the columns' sizes: PostgreSQL refuses longer text where SQLite stores it
    # ("token:" and a token name of the longest kind is longer than an account name).
    db.session.add(AuditEntry(
        actor=actor_name()[:NAME_MAX_LENGTH], action=action, object_type=object_type,
        object_name=name[:380], object_uid=uid, before=before, after=after,
    ))
