"""API tokens: named, with a role, shown once when made, stored as a SHA-256 digest."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth import new_token_value, token_digest
from app.extensions import db
from app.models import NAME_MAX_LENGTH, TOKEN_ROLES, ApiToken, name_key


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.name_key)))


def find_token(name: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.name_key == name_key(name)))


def _snapshot(token: ApiToken) -> dict[str, str]:
    return {"name": token.name, "role": token.role}


def token_errors(name: str, role: str) -> dict[str, str]:
    errors = {}
    if not name.strip():
        errors["name"] = "Name is required."
    elif len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = f"Name must be at most {NAME_MAX_LENGTH} characters."
    elif find_token(name) is not None:
        errors["name"] = f"A token named “{name.strip()}” already exists."
    if role not in TOKEN_ROLES:
        errors["role"] = "Choose sender, viewer, editor or admin."
    return errors


def create_token(name: str, role: str, created_by: str) -> tuple[ApiToken | None, str, dict]:
    """(token, its value, errors): the value exists only here, never stored or shown again."""
    errors = token_errors(name, role)
    if errors:
        return None, "", errors
    value = new_token_value()
    token = ApiToken(digest=token_digest(value), role=role, created_by=created_by)
    token.set_name(name)
    db.session.add(token)
    try:
        db.session.flush()
        audit.record("create", "api-token", token.name, str(token.id), None, _snapshot(token))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None, "", {"name": f"A token named “{name.strip()}” already exists."}
    return token, value, {}


def revoke_token(token: ApiToken) -> None:
    """Delete the token: requests carrying it are refused from now on."""
    audit.record("delete", "api-token", token.name, str(token.id), _snapshot(token), None)
    db.session.delete(token)
    db.session.commit()
