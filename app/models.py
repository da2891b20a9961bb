"""Database models: contact points and their integrations."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.crypto import decrypt_value, encrypt_value
from app.extensions import db

NAME_MAX_LENGTH = 190


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_uid() -> str:
    """A short random identifier, in the style of Grafana's uids."""
    return secrets.token_urlsafe(10).replace("-", "a").replace("_", "b")


def name_key(name: str) -> str:
    """The form of a name used to keep names unique ignoring case."""
    return name.strip().casefold()


class ContactPoint(db.Model):
    __tablename__ = "contact_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True, default=new_uid)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH * 4), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    # Herald's extension: where a notification goes when every integration failed for good.
    fallback_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_point.id", ondelete="SET NULL"), default=None
    )
    # Every UPDATE is "... SET version = :seen + 1 WHERE id = :id AND version = :seen": a
    # save based on an older version changes no row and raises StaleDataError.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    integrations: Mapped[list[Integration]] = relationship(
        back_populates="contact_point",
        order_by="Integration.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    fallback: Mapped[ContactPoint | None] = relationship(remote_side="ContactPoint.id")

    def set_name(self, name: str) -> None:
        self.name = name.strip()
        self.name_key = name_key(name)


class Integration(db.Model):
    __tablename__ = "integration"
    __table_args__ = (Index("ix_integration_contact_point", "contact_point_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True, default=new_uid)
    contact_point_id: Mapped[int] = mapped_column(
        ForeignKey("contact_point.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(64), index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Grafana's secureSettings: setting key -> Fernet token, so the configured keys are
    # known without decrypting anything.
    secure_settings: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    disable_resolve_message: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # Why an imported setting needs a person's review (e.g. an untranslatable Go template);
    # empty when nothing does.
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    contact_point: Mapped[ContactPoint] = relationship(back_populates="integrations")

    @property
    def secrets(self) -> dict[str, Any]:
        """The decrypted secret settings, keyed by their (dotted) setting key."""
        return {key: decrypt_value(token) for key, token in (self.secure_settings or {}).items()}

    @secrets.setter
    def secrets(self, values: dict[str, Any]) -> None:
        self.secure_settings = {key: encrypt_value(str(v)) for key, v in values.items() if v}

    @property
    def configured_secret_keys(self) -> set[str]:
        return set(self.secure_settings or {})


class NotificationTemplate(db.Model):
    """A reusable notification template, referenced by name from title/message fields."""

    __tablename__ = "notification_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH * 4), unique=True)
    template: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")  # see ContactPoint
    __mapper_args__ = {"version_id_col": version}

    def set_name(self, name: str) -> None:
        self.name = name.strip()
        self.name_key = name_key(name)


class DeliveryAttempt(db.Model):
    """One attempt to deliver a notification through one integration: the history."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        Index("ix_delivery_attempt_integration", "integration_id", "id"),
        Index("ix_delivery_attempt_contact_point", "contact_point_id", "id"),
        Index("ix_delivery_attempt_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("integration.id", ondelete="SET NULL"), default=None
    )
    contact_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_point.id", ondelete="SET NULL"), default=None
    )
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), default=None, index=True
    )
    contact_point_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    integration_type: Mapped[str] = mapped_column(String(64), default="")
    integration_label: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(String(16))  # success, failure, retry, skipped
    status_code: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    warning: Mapped[str] = mapped_column(Text, default="")
    is_test: Mapped[bool] = mapped_column(default=False)
    group_status: Mapped[str] = mapped_column(String(16), default="")
    alert_names: Mapped[str] = mapped_column(Text, default="")
    group_key: Mapped[str] = mapped_column(Text, default="")
    # The exact exchange, every secret replaced by [REDACTED]: method, url, headers, body;
    # status, headers and the first 4 KiB of the answer.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


ROLES = ("viewer", "editor", "admin")
# A token may also be a sender: it may post alerts and nothing else.
SENDER = "sender"
TOKEN_ROLES = (SENDER, *ROLES)


class User(db.Model):
    """An account. Roles: viewer (read), editor (change and test), admin (also accounts)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH * 4), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    # Bumped on password change or removal so existing sessions end.
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_username(self, username: str) -> None:
        self.username = username.strip()
        self.name_key = name_key(username)


class LoginFailure(db.Model):
    """Failed logins from one client address, for throttling and lock-out."""

    __tablename__ = "login_failure"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)


class RateLimitHit(db.Model):
    """Events counted against a rate limit (a user's test deliveries), shared by processes."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key", "key", "hit_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    hit_at: Mapped[datetime] = mapped_column(default=utcnow)
    cost: Mapped[int] = mapped_column(default=1)


class ApiToken(db.Model):
    """A named API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH * 4), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    created_by: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)

    def set_name(self, name: str) -> None:
        self.name = name.strip()
        self.name_key = name_key(name)


class AuditEntry(db.Model):
    """Who changed what, when; before/after snapshots carry no secret values."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    action: Mapped[str] = mapped_column(String(32))  # create, update, delete, ...
    object_type: Mapped[str] = mapped_column(String(32))
    object_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH * 2), default="")
    object_uid: Mapped[str] = mapped_column(String(64), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


@event.listens_for(Session, "before_flush")
def _touch_contact_points(session: Session, _context: Any, _instances: Any) -> None:
    """Every change to an integration is a change to its contact point: its updated_at and
    version move, so an open edit form sees it and the list's version (which reads the
    contact points alone) changes, whichever code path changed the integration."""
    now = utcnow()
    for integration in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(integration, Integration):
            continue
        if integration in session.dirty and not session.is_modified(integration):
            continue
        contact_point = integration.contact_point
        if contact_point is None and integration.contact_point_id is not None:
            # Taken out of its contact point's list: the parent is still known by its id.
            contact_point = session.get(ContactPoint, integration.contact_point_id)
        if contact_point is not None and contact_point not in session.deleted:
            contact_point.updated_at = now
