"""Deliver claimed notifications: send each once, record a batch's attempts together,
schedule retries and fall back when every integration failed for good."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import JSON, DateTime, bindparam, func, select, update

from app.alerts import AlertGroup, group_from_dict
from app.delivery import metrics, outbox
from app.delivery.models import FAILED, PENDING, SENDING, SENT, SKIPPED, Notification
from app.delivery.sending import (
    DeliveryResult,
    Job,
    attempt_values,
    send_once,
    type_label,
)
from app.delivery.sending import prepare as prepare_job
from app.direct import DirectInsert, DirectStatement
from app.extensions import db
from app.models import ContactPoint, DeliveryAttempt, Integration, utcnow
from app.transport.http import configured_timeout

logger = logging.getLogger(__name__)

FLUSH_EVERY = 0.25  # seconds: a batch's outcomes are recorded at least this often


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


@dataclass
class Outcome:
    """One claimed notification after its attempt, waiting to be recorded."""

    row: outbox.Claimed
    result: DeliveryResult
    status: str
    due_at: datetime | None  # the next attempt's time, for a retry
    attempt: dict[str, Any]


def deliver(notification_id: int, worker_id: str) -> str | None:
    """Send one notification this worker holds and record it; None when it is not held."""
    row = outbox.held(notification_id, worker_id)
    if row is None:
        return None
    (outcome,) = deliver_rows([row], worker_id)
    return outcome.status


def deliver_rows(rows: list[outbox.Claimed], worker_id: str,
                 stopping: Callable[[], bool] = lambda: False) -> list[Outcome]:
    """Send claimed rows one after another in this thread, recording their outcomes in few
    transactions.

    Outcomes are written at least every FLUSH_EVERY seconds, so a kill loses the record of
    no more than the sends of that moment (they are sent again once the lease ends). Rows
    whose lease could run out before they are sent, or left when the worker stops, are
    handed back at once.
    """
    config = current_app.config
    items = prepare(rows)
    done: list[Outcome] = []
    waiting: list[Outcome] = []
    flush_at = time.monotonic() + FLUSH_EVERY
    for index, item in enumerate(items):
        if stopping() or (index and utcnow() > item.send_by):
            record(waiting, worker_id)
            release([left.row.id for left in items[index:]], worker_id)
            return done + waiting
        waiting.append(attempt(item, config))
        if time.monotonic() >= flush_at:
            record(waiting, worker_id)
            done, waiting = done + waiting, []
            flush_at = time.monotonic() + FLUSH_EVERY
    record(waiting, worker_id)
    return done + waiting


class Item(NamedTuple):
    """A claimed row with what sending it needs: its integration's job and its group."""

    row: outbox.Claimed
    job: Job | None  # None: the integration was deleted
    group: AlertGroup
    # Past this time the row's lease could end during its send (another worker may then
    # take it over): it is handed back instead.
    send_by: datetime


def prepare(rows: list[outbox.Claimed]) -> list[Item]:
    """The rows with their jobs (the integrations loaded in one query) and their groups
    (each dispatch's parsed once)."""
    jobs = _jobs_for(rows)
    margin = timedelta(seconds=2 * configured_timeout())
    groups: dict[str, AlertGroup] = {}
    items = []
    for row in rows:
        if row.dispatch_id not in groups:
            groups[row.dispatch_id] = group_from_dict(row.group)
        job = jobs.get(row.integration_id) if row.integration_id is not None else None
        items.append(Item(row, job, groups[row.dispatch_id], row.lease_until - margin))
    return items


def _jobs_for(rows: list[outbox.Claimed]) -> dict[int, Job]:
    """The prepared job of each integration the rows go to, in one query."""
    ids = {row.integration_id for row in rows if row.integration_id is not None}
    jobs = {}
    if ids:
        for integration in db.session.scalars(select(Integration).where(Integration.id.in_(ids))):
            jobs[integration.id] = prepare_job(integration, type_label(integration.type))
    db.session.commit()  # end the read; the jobs hold plain values
    return jobs


def attempt(item: Item, config: Any) -> Outcome:
    """Send one row once; its outcome, not yet recorded."""
    row, job = item.row, item.job
    if job is None:
        job = Job(None, None, row.integration_type, type_label(row.integration_type), None,
                  {}, error="The integration was deleted before the notification was sent.")
    job = replace(job, contact_point_id=row.contact_point_id,
                  contact_point_name=row.contact_point_name)
    result = send_once(job, item.group, config, done=frozenset(row.parts_done or ()))
    status, due_at, note = _next_state(row, result, config)
    values = attempt_values(job, result, item.group, is_test=False, notification_id=row.id)
    if note:
        values["error"] = f"{values['error']} {note}".strip()
    return Outcome(row, result, status, due_at, values)


_NOTIFICATIONS = Notification.__table__
# Built once: every batch runs them.
_INSERT_ATTEMPTS = DirectInsert(DeliveryAttempt.__table__)
_FINISH = DirectStatement(
    update(_NOTIFICATIONS)
    .where(_NOTIFICATIONS.c.id == bindparam("b_id"),
           _NOTIFICATIONS.c.claimed_by == bindparam("b_worker"),
           _NOTIFICATIONS.c.status == SENDING)
    .values(status=bindparam("b_status"), lease_until=None,
            due_at=func.coalesce(bindparam("b_due", type_=DateTime()), _NOTIFICATIONS.c.due_at),
            finished_at=bindparam("b_finished", type_=DateTime()),
            claimed_by=bindparam("b_claimed_by"),
            parts_done=bindparam("b_parts", type_=JSON(none_as_null=True)))
)


def record(outcomes: list[Outcome], worker_id: str) -> None:
    """Write the attempts and the rows' new states in one transaction, then fall back.

    A row's state is written only while this worker still holds it (its lease was not
    taken over by another worker).
    """
    if not outcomes:
        return
    now = utcnow()
    _INSERT_ATTEMPTS.many([outcome.attempt for outcome in outcomes])
    _FINISH.many([{
        "b_id": outcome.row.id, "b_worker": worker_id, "b_status": outcome.status,
        "b_due": outcome.due_at, "b_finished": None if outcome.status == PENDING else now,
        "b_claimed_by": "" if outcome.status == PENDING else worker_id,
        "b_parts": sorted(outcome.result.done) or None,
    } for outcome in outcomes])
    db.session.commit()
    for outcome in outcomes:
        metrics.observe_delivery(outcome.row, outcome.result, outcome.status)
    for outcome in outcomes:
        if outcome.status == FAILED:
            send_to_fallback(outcome.row)


def _next_state(row: outbox.Claimed, result: DeliveryResult,
                config) -> tuple[str, datetime | None, str]:
    """The row's next status, its next due time for a retry, and a note for the history."""
    if result.outcome == "success":
        return SENT, None, ""
    if result.outcome == "skipped":
        return SKIPPED, None, ""
    delay = retry_delay(row, result, config)
    if delay is None:
        return FAILED, None, ""
    limit = int(config.get("HERALD_RETRY_ATTEMPTS", 3))
    return (PENDING, utcnow() + timedelta(seconds=delay),
            f"(attempt {row.attempts} of {limit}; next in {delay:g} s)")


def retry_delay(notification: outbox.Claimed, result: DeliveryResult, config) -> float | None:
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


def send_to_fallback(notification: outbox.Claimed) -> int:
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
        select(Notification.status).where(Notification.dispatch_id == notification.dispatch_id)
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


__all__ = ["Item", "Outcome", "attempt", "deliver", "deliver_rows", "prepare", "record",
           "release", "retry_delay", "send_to_fallback"]
