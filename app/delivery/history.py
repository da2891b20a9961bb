"""The delivery history: filtered pages of attempts, the 24-hour chart data, pruning."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, case, delete, func, select

from app.delivery import outbox
from app.delivery.models import FINISHED, Notification
from app.extensions import db
from app.models import DeliveryAttempt, utcnow

OUTCOMES = ("success", "failure", "skipped")
PRUNE_BATCH = 5000


@dataclass(frozen=True)
class Filters:
    contact_point_id: int | None = None
    integration_type: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None
    include_tests: bool = True


def attempts_query(filters: Filters):
    """The attempts matching the filters, newest first."""
    query = select(DeliveryAttempt).order_by(DeliveryAttempt.id.desc())
    if filters.contact_point_id is not None:
        query = query.where(DeliveryAttempt.contact_point_id == filters.contact_point_id)
    if filters.integration_type:
        query = query.where(DeliveryAttempt.integration_type == filters.integration_type)
    if filters.outcome:
        query = query.where(DeliveryAttempt.outcome == filters.outcome)
    if filters.since is not None:
        query = query.where(DeliveryAttempt.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(DeliveryAttempt.created_at < filters.until)
    if not filters.include_tests:
        query = query.where(DeliveryAttempt.is_test.is_(False))
    return query


def page(filters: Filters, number: int, size: int) -> tuple[list[DeliveryAttempt], bool]:
    """One page of attempts and whether there is a next one (no COUNT over the history)."""
    rows = list(db.session.scalars(
        attempts_query(filters).offset((number - 1) * size).limit(size + 1)))
    return rows[:size], len(rows) > size


@lru_cache(maxsize=4)
def _hourly_statement(dialect: str):
    """The hourly counts' query, built once per database kind with its ids and start bound."""
    hour = func.strftime("%Y-%m-%d %H", DeliveryAttempt.created_at) if dialect == "sqlite" \
        else func.to_char(DeliveryAttempt.created_at, "YYYY-MM-DD HH24")
    failed = DeliveryAttempt.outcome == "failure"
    return (select(DeliveryAttempt.contact_point_id, hour, func.sum(case((failed, 0), else_=1)),
                   func.sum(case((failed, 1), else_=0)))
            .where(DeliveryAttempt.contact_point_id.in_(bindparam("ids", expanding=True)),
                   DeliveryAttempt.created_at >= bindparam("start"))
            .group_by(DeliveryAttempt.contact_point_id, hour))


@lru_cache(maxsize=2)
def _slots(start: datetime) -> dict[str, int]:
    return {(start + timedelta(hours=h)).strftime("%Y-%m-%d %H"): h for h in range(24)}


def hourly(contact_point_ids: list[int],
           now: datetime | None = None) -> dict[int, tuple[tuple[int, int], ...]]:
    """Per contact point, 24 (delivered, failed) pairs: the last 24 hours, oldest first.

    The list page asks this on every request, so its statement is built once."""
    if not contact_point_ids:
        return {}
    now = now or utcnow()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    index = _slots(start)
    charts = {point_id: [(0, 0)] * 24 for point_id in contact_point_ids}
    rows = db.session.execute(_hourly_statement(db.engine.dialect.name),
                              {"ids": contact_point_ids, "start": start})
    for point_id, slot, ok, failed in rows:
        if slot in index:
            charts[point_id][index[slot]] = (int(ok or 0), int(failed or 0))
    return {point_id: tuple(hours) for point_id, hours in charts.items()}


def prune(now: datetime | None = None) -> int:
    """Delete history and finished notifications older than HERALD_HISTORY_DAYS, in batches."""
    days = float(current_app.config.get("HERALD_HISTORY_DAYS", 14))
    cutoff = (now or utcnow()) - timedelta(days=days)
    removed = 0
    for model, condition in (
        (DeliveryAttempt, DeliveryAttempt.created_at < cutoff),
        (Notification, Notification.status.in_(FINISHED) & (Notification.finished_at < cutoff)),
    ):
        while True:
            ids = select(model.id).where(condition).limit(PRUNE_BATCH).scalar_subquery()
            count = db.session.execute(
                delete(model).where(model.id.in_(ids)),
                execution_options={"synchronize_session": False}).rowcount
            db.session.commit()
            removed += count
            if count < PRUNE_BATCH:
                break
    return removed


class ResendRefused(Exception):
    """A history entry that cannot be sent again; the message says why."""


def resend(attempt: DeliveryAttempt, worker_id: str) -> Notification:
    """Write a new notification for the failed attempt's integration and group, claimed.

    The caller delivers it (app.delivery.batch.deliver) with worker_id; were that to be
    cut short, the lease makes any worker send it later.
    """
    if attempt.outcome != "failure" or attempt.is_test or attempt.notification_id is None:
        raise ResendRefused("Only failed notifications can be sent again.")
    original = db.session.get(Notification, attempt.notification_id)
    if original is None:
        raise ResendRefused("This notification is no longer kept; it cannot be sent again.")
    if original.integration_id is None:
        raise ResendRefused("Its integration was deleted; it cannot be sent again.")
    now = utcnow()
    lease = timedelta(seconds=outbox.lease_seconds(current_app.config))
    row = Notification(
        dispatch_id=original.dispatch_id, contact_point_id=original.contact_point_id,
        integration_id=original.integration_id, contact_point_name=original.contact_point_name,
        integration_type=original.integration_type, group=original.group,
        group_key=original.group_key, status="sending", source="resend", attempts=1,
        due_at=now, lease_until=now + lease, claimed_by=worker_id, created_at=now,
        first_attempt_at=now,
        fallback_done=True, fallback_of_id=None,
    )
    db.session.add(row)
    db.session.commit()
    return row
