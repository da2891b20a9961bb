"""Alerting state: the policy tree, alerts, aggregation groups, the notification log, silences."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import NAME_MAX_LENGTH, ContactPoint, utcnow

DEFAULT_GROUP_BY = ["grafana_folder", "alertname"]
DEFAULT_GROUP_WAIT, DEFAULT_GROUP_INTERVAL, DEFAULT_REPEAT_INTERVAL = 30, 300, 4 * 3600


class Policy(db.Model):
    """One node of the notification policy tree; the root (no parent) is the Default policy."""

    __tablename__ = "notification_policy"
    __table_args__ = (Index("ix_notification_policy_parent", "parent_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_policy.id", ondelete="CASCADE"), default=None
    )
    position: Mapped[int] = mapped_column(default=0)
    # None: inherit the parent's contact point (the root always names one when any exists).
    contact_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_point.id"), default=None, index=True
    )
    group_by: Mapped[list[str] | None] = mapped_column(JSON, default=None)  # None: inherit
    matchers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)  # [[name, op, value]]
    continue_matching: Mapped[bool] = mapped_column(default=False)
    group_wait: Mapped[int | None] = mapped_column(default=None)  # seconds; None: inherit
    group_interval: Mapped[int | None] = mapped_column(default=None)
    repeat_interval: Mapped[int | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contact_point: Mapped[ContactPoint | None] = relationship()


class AlertState(db.Model):
    """An alert as last received, deduplicated by the fingerprint of its labels."""

    __tablename__ = "alert_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(16), unique=True)
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    annotations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    starts_at: Mapped[datetime] = mapped_column()
    # Always set: the sender's endsAt, or (timeout) the last update plus the resolve timeout.
    ends_at: Mapped[datetime] = mapped_column(index=True)
    timeout: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generator_url: Mapped[str] = mapped_column(Text, default="")


class AggregationGroup(db.Model):
    """Alerts of one policy sharing the group-by values, with the timer of their next flush."""

    __tablename__ = "aggregation_group"
    __table_args__ = (
        UniqueConstraint("policy_id", "key_hash", name="uq_aggregation_group_key"),
        Index("ix_aggregation_group_due", "next_flush_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("notification_policy.id", ondelete="CASCADE")
    )
    group_key: Mapped[str] = mapped_column(Text)  # Alertmanager's routeKey:labels
    key_hash: Mapped[str] = mapped_column(String(64))  # its SHA-256: keys are unbounded
    group_labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    contact_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_point.id", ondelete="SET NULL"), default=None
    )
    group_wait: Mapped[int] = mapped_column(default=DEFAULT_GROUP_WAIT)
    group_interval: Mapped[int] = mapped_column(default=DEFAULT_GROUP_INTERVAL)
    repeat_interval: Mapped[int] = mapped_column(default=DEFAULT_REPEAT_INTERVAL)
    has_flushed: Mapped[bool] = mapped_column(default=False)
    next_flush_at: Mapped[datetime] = mapped_column()
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    claim_token: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    policy: Mapped[Policy] = relationship()
    contact_point: Mapped[ContactPoint | None] = relationship()


class GroupMember(db.Model):
    """An alert in an aggregation group (until it was notified as resolved)."""

    __tablename__ = "aggregation_group_member"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("aggregation_group.id", ondelete="CASCADE"), primary_key=True
    )
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alert_state.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NotificationLogEntry(db.Model):
    """What was last notified for a group to a contact point, and when (Alertmanager's nflog)."""

    __tablename__ = "notification_log"
    __table_args__ = (UniqueConstraint("key_hash", "receiver", name="uq_notification_log"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(String(64))
    receiver: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    firing: Mapped[list[str]] = mapped_column(JSON, default=list)  # fingerprints
    resolved: Mapped[list[str]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


def key_hash(group_key: str) -> str:
    """The SHA-256 of a group key, what unique keys and lookups use."""
    return hashlib.sha256(group_key.encode()).hexdigest()


def new_silence_id() -> str:
    return str(uuid.uuid4())


class Silence(db.Model):
    """Matchers that mute alerts between two times."""

    __tablename__ = "silence"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_silence_id)
    matchers: Mapped[list[list[str]]] = mapped_column(JSON)  # [[name, op, value]]
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def state(self, now: datetime) -> str:
        if self.ends_at <= now:
            return "expired"
        return "pending" if self.starts_at > now else "active"
