"""Workers: claim due notifications from the outbox, send them, record, retry, fall back."""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, update

from app.alerts import group_from_dict
from app.delivery import metrics, outbox
from app.delivery.models import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    Notification,
    WorkerHeartbeat,
)
from app.delivery.sending import (
    DeliveryResult,
    Job,
    attempt_row,
    prepare,
    send_once,
    type_label,
)
from app.extensions import db
from app.models import ContactPoint, Integration, utcnow

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10.0  # seconds between a pool's heartbeats
Tick = Callable[[], object]  # periodic work run in the worker's housekeeping thread


class Worker:
    """A pool of sender threads in this process, plus one housekeeping thread."""

    def __init__(self, app: Flask, threads: int = 4, *, ticks: tuple[Tick, ...] = (),
                 poll: float = 1.0, batch: int = 4) -> None:
        self.app = app
        self.threads = max(1, threads)
        self.ticks = ticks
        self.poll = poll
        self.batch = batch
        self.id = f"{socket.gethostname()[:40]}:{os.getpid()}:{id(self) % 10000}"
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._running: list[threading.Thread] = []
        self._last_beat = float("-inf")

    def start(self) -> Worker:
        for number in range(self.threads):
            self._spawn(self._send_loop, f"herald-worker-{number}")
        self._spawn(self._housekeeping_loop, "herald-housekeeping")
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._running.append(thread)

    def wake(self) -> None:
        """Look for due notifications now (new ones were just committed)."""
        self._wake.set()

    def stop(self, deadline: float = 30.0) -> bool:
        """Stop claiming; let sends in flight finish up to the deadline. True if all did."""
        self._stopping.set()
        self._wake.set()
        ends = time.monotonic() + deadline
        for thread in self._running:
            thread.join(max(0.0, ends - time.monotonic()))
        return not any(thread.is_alive() for thread in self._running)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _send_loop(self) -> None:
        with self.app.app_context():
            while not self._stopping.is_set():
                try:
                    claimed = self.run_once()
                except Exception:  # the database went away for a moment: try again later
                    logger.exception("Worker could not claim notifications")
                    db.session.rollback()
                    claimed = 0
                if not claimed:
                    self._wait()

    def _wait(self) -> None:
        try:
            timeout = outbox.next_due_in(self.poll)
        except Exception:
            db.session.rollback()
            timeout = self.poll
        if timeout > 0 and self._wake.wait(timeout):
            self._wake.clear()

    def run_once(self) -> int:
        """Claim and deliver one batch; the number of notifications claimed."""
        lease = outbox.lease_seconds(self.app.config)
        ids = outbox.claim(self.id, self.batch, lease)
        for index, notification_id in enumerate(ids):
            if self._stopping.is_set():  # hand the rest back at once rather than on lease expiry
                release(ids[index:], self.id)
                break
            deliver(notification_id, self.id)
        if len(ids) == self.batch:
            self._wake.set()  # there may be more: let an idle thread look too
        return len(ids)

    def _housekeeping_loop(self) -> None:
        with self.app.app_context():
            self._beat()
            while not self._stopping.wait(self.poll):
                if time.monotonic() - self._last_beat >= HEARTBEAT_EVERY:
                    self._beat()
                for tick in self.ticks:
                    try:
                        if tick():
                            self._wake.set()
                    except Exception:
                        logger.exception("Periodic task %s failed", getattr(tick, "__name__", tick))
                        db.session.rollback()
            self._forget()

    def _beat(self) -> None:
        """Say this pool is alive (one upsert of its heartbeat row)."""
        self._last_beat = time.monotonic()
        try:
            row = db.session.get(WorkerHeartbeat, self.id) or WorkerHeartbeat(worker_id=self.id)
            row.threads, row.seen_at = self.threads, utcnow()
            db.session.add(row)
            db.session.commit()
        except Exception:
            logger.exception("Worker could not write its heartbeat")
            db.session.rollback()

    def _forget(self) -> None:
        """A pool that stops takes its heartbeat away."""
        try:
            db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == self.id))
            db.session.commit()
        except Exception:
            db.session.rollback()


def release(ids: list[int], worker_id: str) -> None:
    """Give claimed rows back, due now, for another worker (or this one after a restart)."""
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.claimed_by == worker_id,
               Notification.status == SENDING)
        .values(status=PENDING, lease_until=None, claimed_by="",
                attempts=Notification.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver(notification_id: int, worker_id: str) -> str | None:
    """Send one claimed notification, record the attempt, schedule a retry or fall back."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or not outbox.owned(notification, worker_id):
        db.session.rollback()
        return None
    group = group_from_dict(notification.group)
    job = _job_for(notification)
    result = send_once(job, group, current_app.config)
    status, error_note = _next_state(notification, result, current_app.config)
    attempt = attempt_row(job, result, group, is_test=False, notification_id=notification.id)
    if error_note:
        attempt.error = f"{attempt.error} {error_note}".strip()
    db.session.add(attempt)
    _finish(notification, worker_id, status, result)
    # Counted before the commit, which would expire the row and cost a query to reload it.
    metrics.observe_delivery(notification, result, status)
    db.session.commit()
    if status == FAILED:
        send_to_fallback(notification)
    return status


def _job_for(notification: Notification) -> Job:
    integration = (db.session.get(Integration, notification.integration_id)
                   if notification.integration_id else None)
    if integration is None:
        job = Job(None, None, notification.integration_type,
                  type_label(notification.integration_type), None, {},
                  error="The integration was deleted before the notification was sent.")
    else:
        job = prepare(integration, type_label(integration.type))
    job.contact_point_id = notification.contact_point_id
    job.contact_point_name = notification.contact_point_name
    return job


def _next_state(notification: Notification, result: DeliveryResult, config) -> tuple[str, str]:
    """The notification's next status, and a note for the history when it will be retried."""
    if result.outcome == "success":
        return SENT, ""
    if result.outcome == "skipped":
        return SKIPPED, ""
    delay = retry_delay(notification, result, config)
    if delay is None:
        return FAILED, ""
    notification.due_at = utcnow() + timedelta(seconds=delay)
    limit = int(config.get("HERALD_RETRY_ATTEMPTS", 3))
    return PENDING, f"(attempt {notification.attempts} of {limit}; next in {delay:g} s)"


def retry_delay(notification: Notification, result: DeliveryResult, config) -> float | None:
    """Seconds before the next attempt, or None when another is not worth it."""
    attempts = notification.attempts
    if result.permanent or attempts >= int(config.get("HERALD_RETRY_ATTEMPTS", 3)):
        return None
    backoff = float(config.get("HERALD_RETRY_BACKOFF", 1.0))
    delay = result.retry_after if result.retry_after is not None else backoff * 2 ** (attempts - 1)
    first = notification.first_attempt_at or utcnow()
    elapsed = (utcnow() - first).total_seconds()
    if elapsed + delay > float(config.get("HERALD_RETRY_MAX_TIME", 30.0)):
        return None
    return delay


def _finish(notification: Notification, worker_id: str, status: str,
            result: DeliveryResult) -> None:
    """Write the new status, but only while this worker still holds the row."""
    now = utcnow()
    values = {"status": status, "lease_until": None, "due_at": notification.due_at,
              "first_attempt_at": notification.first_attempt_at or now}
    if status != PENDING:
        values["finished_at"] = now
    else:
        values["claimed_by"] = ""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.claimed_by == worker_id,
               Notification.status == SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def send_to_fallback(notification: Notification) -> int:
    """When every notification of a dispatch failed for good, send the group to the fallback.

    Once per dispatch (a conditional UPDATE decides between workers); a notification that
    was itself sent to a fallback does not fall back again.
    """
    if notification.source == "fallback" or notification.contact_point_id is None:
        return 0
    contact_point = db.session.get(ContactPoint, notification.contact_point_id)
    if contact_point is None or contact_point.fallback is None:
        return 0
    siblings = db.session.scalars(
        Notification.__table__.select().with_only_columns(Notification.status)
        .where(Notification.dispatch_id == notification.dispatch_id)
    ).all()
    if any(status != FAILED for status in siblings):
        return 0
    won = db.session.execute(
        update(Notification)
        .where(Notification.dispatch_id == notification.dispatch_id,
               Notification.fallback_done.is_(False))
        .values(fallback_done=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        db.session.rollback()
        return 0
    group = group_from_dict(notification.group)
    rows = outbox.enqueue(contact_point.fallback, group, source="fallback",
                          fallback_of=notification)
    db.session.commit()
    logger.info("Notification %s failed for good; sent to fallback contact point %s",
                notification.id, contact_point.fallback.name)
    return len(rows)


__all__ = ["Worker", "deliver", "release", "retry_delay", "send_to_fallback", "SENT", "SKIPPED"]
