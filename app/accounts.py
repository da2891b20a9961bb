"""Accounts: create, change role, reset password, remove; the last admin always stays."""
from __future__ import annotations

from sqlalchemy import func, select

from app import audit
from app.auth import hash_password, password_problem
from app.extensions import db
from app.models import ROLES, ApiToken, User, name_key
from app.names import name_problem


def snapshot(user: User) -> dict:
    return {"username": user.username, "role": user.role}


def _username_problem(username: str) -> str | None:
    return name_problem(username, User, thing="account", label="Username")


def create_user(
    username: str, password: str, role: str, confirm: str | None = None
) -> tuple[User | None, dict[str, str]]:
    errors = {}
    if problem := _username_problem(username):
        errors["username"] = problem
    if problem := password_problem(password):
        errors["password"] = problem
    elif confirm is not None and confirm != password:
        errors["confirm"] = "The passwords do not match."
    if role not in ROLES:
        errors["role"] = f"Role must be one of: {', '.join(ROLES)}."
    if errors:
        return None, errors
    user = User(password_hash=hash_password(password), role=role)
    user.set_username(username)
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.username, str(user.id), None, snapshot(user))
    db.session.commit()
    return user, {}


def admin_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin"))


def set_role(user: User, role: str) -> str | None:
    if role not in ROLES:
        return f"Role must be one of: {', '.join(ROLES)}."
    if user.role == "admin" and role != "admin" and admin_count() <= 1:
        return "The last admin cannot be demoted: make another account admin first."
    before = snapshot(user)
    user.role = role
    audit.record("update", "user", user.username, str(user.id), before, snapshot(user))
    db.session.commit()
    return None


def reset_password(user: User, password: str) -> str | None:
    if problem := password_problem(password):
        return problem
    user.password_hash = hash_password(password)
    user.session_version += 1  # ends the account's open sessions
    user.failed_logins, user.locked_until = 0, None
    audit.record("reset-password", "user", user.username, str(user.id), None, None)
    db.session.commit()
    return None


def delete_user(user: User) -> str | None:
    if user.role == "admin" and admin_count() <= 1:
        return "The last admin cannot be removed."
    audit.record("delete", "user", user.username, str(user.id), snapshot(user), None)
    for token in db.session.scalars(select(ApiToken).where(ApiToken.created_by == user.username)):
        # The account's API tokens go with it.
        audit.record("delete", "api-token", token.name, str(token.id), {"role": token.role}, None)
        db.session.delete(token)
    db.session.delete(user)
    db.session.commit()
    return None


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.name_key == name_key(username)))


def ensure_admin(username: str, password: str) -> None:
    """Create the admin account given by the environment when there is no account yet."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return
    user, errors = create_user(username, password, "admin")
    if errors:
        raise RuntimeError("HERALD_ADMIN_USER/HERALD_ADMIN_PASSWORD: " + " ".join(errors.values()))
