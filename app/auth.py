"""Who is asking: sessions and API tokens, roles on every endpoint, login throttling."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from sqlalchemy import Row, bindparam, delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.direct import DirectStatement
from app.extensions import csrf, db
from app.locks import serialise
from app.models import ROLES, SENDER, ApiToken, LoginFailure, User, name_key, utcnow
from app.web import is_htmx

RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.setup", "health.healthy", "health.ready"}
PASSWORD_MIN_LENGTH = 8
FORGET = timedelta(days=1)  # failures from an address older than this are dropped
TOKEN_USE_PRECISION = timedelta(minutes=1)  # last use is written at most this often


@dataclass(frozen=True)
class Principal:
    """The person or API token behind a request."""

    name: str
    role: str
    user_id: int | None = None
    via_token: bool = False

    def can(self, role: str) -> bool:
        """Whether this principal may use an endpoint that declares the given role."""
        if role == SENDER:  # posting alerts: senders, editors and admins
            return self.role == SENDER or RANK.get(self.role, 0) >= RANK["editor"]
        return RANK.get(self.role, 0) >= RANK[role]


def requires(role: str) -> Callable:
    """Declare the least role an endpoint needs; enforce_access checks it for every request."""
    assert role in RANK or role == SENDER, role

    def mark(view: Callable) -> Callable:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return mark


def current_principal() -> Principal | None:
    return g.get("principal")


def actor_name() -> str:
    principal = current_principal()
    return principal.name if principal else "system"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Password must be at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > 1024:
        return "Password must be at most 1,024 characters."
    return None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token_value() -> str:
    return "hrld_" + secrets.token_urlsafe(32)


def has_users() -> bool:
    if current_app.extensions.get("herald_has_users"):
        return True
    found = db.session.scalar(select(func.count()).select_from(User)) > 0
    if found:  # accounts are never all removed (the last admin stays), so remember it
        current_app.extensions["herald_has_users"] = True
    return found


# --- per request -----------------------------------------------------------------------


# What a session check reads of its account (every page asks it: plain values, built once).
_USERS = User.__table__
_SESSION_USER = select(_USERS.c.id, _USERS.c.username, _USERS.c.name_key,
                       _USERS.c.password_hash, _USERS.c.role, _USERS.c.session_version
                       ).where(_USERS.c.id == bindparam("id"))


def _session_principal() -> Principal | None:
    user_id = session.get("user_id")
    if user_id is None:
        return None
    idle = timedelta(minutes=current_app.config["HERALD_SESSION_IDLE_MINUTES"])
    seen = session.get("seen", 0)
    user = db.session.connection().execute(_SESSION_USER, {"id": user_id}).first()
    if (user is None or not hmac.compare_digest(session.get("proof", ""), session_proof(user))
            or time.time() - seen > idle.total_seconds()):
        session.clear()
        return None
    if time.time() - seen > 60:  # refresh the idle clock without a write per request
        session["seen"] = int(time.time())
    return Principal(user.username, user.role, user_id=user.id)


_TOKENS = ApiToken.__table__
# Built once: the intake authenticates every request with it.
_TOKEN_BY_DIGEST = DirectStatement(select(
    _TOKENS.c.id, _TOKENS.c.name, _TOKENS.c.role, _TOKENS.c.created_by, _TOKENS.c.last_used_at,
).where(_TOKENS.c.digest == bindparam("digest")))
_ROLE_BY_NAME_KEY = select(_USERS.c.role).where(
    _USERS.c.name_key == bindparam("key"))


def _token_principal() -> Principal | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    found = _TOKEN_BY_DIGEST.all({"digest": token_digest(header[7:].strip())})
    if not found:
        abort(_unauthorised("Invalid API token."))
    ((token_id, name, role, created_by, last_used_at),) = found  # the digest is unique
    now = utcnow()
    if last_used_at is None or now - last_used_at > TOKEN_USE_PRECISION:
        # One conditional UPDATE: of the processes seeing the same stale time, one writes.
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None),
                                               ApiToken.last_used_at < now - TOKEN_USE_PRECISION))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False))
        db.session.commit()
    return Principal(f"token:{name}", _token_role(role, created_by), via_token=True)


def _token_role(role: str, created_by: str) -> str:
    """A token made by an account never does more than that account may do now."""
    if not created_by:  # made on the command line, by no account
        return role
    creator = db.session.connection().scalar(_ROLE_BY_NAME_KEY, {"key": name_key(created_by)})
    if creator is None:
        return role
    if role == SENDER:  # a sender token is worth what its creator may post
        return SENDER if RANK[creator] >= RANK["editor"] else "none"
    if RANK[creator] >= RANK[role]:
        return role
    return creator


def _unauthorised(message: str):
    response = jsonify(message=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _is_api() -> bool:
    return request.path.startswith("/api/") or request.path == "/metrics"


def enforce_access():
    """before_request: find the principal, then apply the endpoint's declared role."""
    g.principal = _token_principal() if _is_api() else None
    if g.principal is None:
        g.principal = _session_principal()
        if g.principal and _is_api() and request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()  # a session cookie alone never authorises an API write
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if current_app.config.get(getattr(view, "public_when", ""), False):
        return None  # e.g. /metrics with HERALD_METRICS_PUBLIC=1
    role = getattr(view, "required_role", None)
    if role is None:  # an endpoint without a declared role is closed, not open
        current_app.logger.error("Endpoint %s declares no role", request.endpoint)
        abort(403)
    if g.principal is None:
        return _ask_to_log_in()
    if not g.principal.can(role):
        if _is_api():
            abort(jsonify_error(403, "Your role does not allow this."))
        abort(403, description="Your role does not allow this.")
    return None


def jsonify_error(status: int, message: str):
    response = jsonify(message=message)
    response.status_code = status
    return response


def _ask_to_log_in():
    if _is_api():
        return _unauthorised("Authentication required: send Authorization: Bearer <token>.")
    if not has_users():
        target = url_for("auth.setup")
    else:
        target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


# --- logging in --------------------------------------------------------------------------


def _lock_seconds(failures: int, free: int) -> int:
    """No wait for the first `free` failures, then 30 s doubling, at most 15 minutes."""
    if failures < free:
        return 0
    return min(30 * 2 ** (failures - free), 15 * 60)


def _wait_message(until, who: str) -> str | None:
    if until is None or until <= utcnow():
        return None
    seconds = int((until - utcnow()).total_seconds()) + 1
    wait = f"{-(-seconds // 60)} minute(s)" if seconds > 90 else f"{seconds} seconds"
    return f"Too many failed logins{' ' + who if who else ''}. Try again in {wait}."


def authenticate(username: str, password: str, address: str) -> tuple[User | None, str]:
    """Check a login; returns the user or a message. Slows, then locks, repeated failures."""
    # One check at a time per address and per account, in every process sharing the
    # database, so parallel guesses cannot all pass the lock before any counts.
    db.session.commit()  # what this request read so far must not hold the lock open
    serialise(db.session.connection(), f"login-address:{address}",
              f"login-account:{name_key(username)}")
    try:
        return _authenticate(username, password, address)
    finally:
        db.session.rollback()  # _authenticate commits what counts; this only frees the locks


def _authenticate(username: str, password: str, address: str) -> tuple[User | None, str]:
    fresh = {"populate_existing": True}  # read again under the lock, not from the session
    failure = (db.session.get(LoginFailure, address, execution_options=fresh)
               or LoginFailure(address=address, count=0))
    user = db.session.scalar(select(User).where(User.name_key == name_key(username))
                             .execution_options(**fresh))
    for until, who in ((failure.locked_until, "from your address"),
                       (user.locked_until if user else None, "")):
        message = _wait_message(until, who)
        if message:
            return None, message
    if user is not None and check_password_hash(user.password_hash, password):
        user.failed_logins, user.locked_until = 0, None
        db.session.commit()
        return user, ""
    now = utcnow()
    if failure.last_failure_at and now - failure.last_failure_at > timedelta(hours=1):
        failure.count = 0
    failure.count += 1
    failure.last_failure_at = now
    failure.locked_until = now + timedelta(seconds=_lock_seconds(failure.count, 20))
    db.session.merge(failure)
    db.session.execute(delete(LoginFailure).where(LoginFailure.last_failure_at < now - FORGET))
    if user is not None:
        user.failed_logins += 1
        user.locked_until = now + timedelta(seconds=_lock_seconds(user.failed_logins, 5))
    db.session.commit()
    return None, "Invalid username or password."


def session_proof(user: User | Row) -> str:
    """Binds a session to this very account and its current password and session version:
    a removed account's id reused by a new one, a password reset or a logout all end it."""
    material = f"{user.id}:{user.name_key}:{user.password_hash}:{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()


def start_session(user: User) -> None:
    session.clear()
    session.permanent = True
    session.update(user_id=user.id, proof=session_proof(user), seen=int(time.time()))


def end_session() -> None:
    """Log out: the account's sessions end everywhere, copied cookies included."""
    principal = current_principal()
    user = db.session.get(User, principal.user_id) if principal and principal.user_id else None
    if user is not None:
        user.session_version += 1
        db.session.commit()
    session.clear()
