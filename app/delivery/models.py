"""The outbox: one row per notification to deliver (one alert group x one integration)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models import NAME_MAX_LENGTH, utcnow

# A notification's life: pending (waiting for its due time) -> sending (claimed by a worker,
# under a lease) -> sent | failed | skipped; a transient failure goes back to pending.
PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
FINISHED = (SENT, FAILED, SKIPPED)


class Notification(db.Model):
    """One alert group to deliver through one integration, written with the intake."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_due", "status", "due_at"),
        Index("ix_notification_dispatch", "dispatch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Rows written together for one contact point and one group share a dispatch id: the
    # fallback contact point is used when every one of them has failed for good.
    dispatch_id: Mapped[str] = mapped_column(String(32))
    contact_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_point.id", ondelete="SET NULL"), default=None, index=True
    )
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("integration.id", ondelete="SET NULL"), default=None
    )
    contact_point_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    integration_type: Mapped[str] = mapped_column(String(64))
    group: Mapped[dict[str, Any]] = mapped_column(JSON)  # Alertmanager's webhook body
    group_key: Mapped[str] = mapped_column(String(1024), default="")
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    source: Mapped[str] = mapped_column(String(16), default="webhook")
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # The notification whose final failure sent this one to a fallback contact point.
    fallback_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), default=None
    )
    fallback_done: Mapped[bool] = mapped_column(default=False)
    # The parts an earlier attempt delivered, for a send in several messages (one per
    # recipient): the retry sends only the others.
    parts_done: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True), default=None)


class WorkerHeartbeat(db.Model):
    """A worker pool saying it is alive; /-/ready reads the newest."""

    __tablename__ = "worker_heartbeat"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    threads: Mapped[int] = mapped_column(default=0)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
