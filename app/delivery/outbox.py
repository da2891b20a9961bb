"""The outbox: write notifications with the intake, claim them atomically, finish them."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Integer, Update, bindparam, func, select, update

from app.alerts import AlertGroup, group_to_dict
from app.delivery.models import FAILED, PENDING, SENDING, SKIPPED, Notification
from app.direct import DirectInsert, DirectStatement
from app.extensions import db
from app.models import ContactPoint, Integration, utcnow

_TABLE = Notification.__table__
_INSERT = DirectInsert(_TABLE)  # built once: the intake writes with it


def new_dispatch_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Target:
    """A contact point as the outbox needs it: its integrations' (id, type, no-resolved)."""

    id: int
    name: str
    integrations: tuple[tuple[int, str, bool], ...]


def target_of(contact_point: ContactPoint) -> Target:
    return Target(contact_point.id, contact_point.name, tuple(
        (integration.id, integration.type, integration.disable_resolve_message)
        for integration in contact_point.integrations))


_CONTACT_POINTS, _INTEGRATIONS = ContactPoint.__table__, Integration.__table__
# Built once: the intake runs it for every group it accepts.
_TARGET = DirectStatement(
    select(_CONTACT_POINTS.c.id, _CONTACT_POINTS.c.name, _INTEGRATIONS.c.id,
           _INTEGRATIONS.c.type, _INTEGRATIONS.c.disable_resolve_message)
    .select_from(_CONTACT_POINTS.outerjoin(_INTEGRATIONS))
    .where(_CONTACT_POINTS.c.name_key == bindparam("key"))
    .order_by(_INTEGRATIONS.c.position)
)


def find_target(key: str) -> Target | None:
    """The contact point whose name key this is, with its integrations, in one query."""
    rows = _TARGET.all({"key": key})
    if not rows:
        return None
    integrations = tuple((row[2], row[3], row[4]) for row in rows if row[2] is not None)
    return Target(rows[0][0], rows[0][1], integrations)


def notification_values(
    target: Target,
    group: AlertGroup,
    *,
    source: str,
    due_at: datetime | None = None,
    fallback_of_id: int | None = None,
) -> list[dict[str, Any]]:
    """One notification per integration of the contact point, as column values.

    A resolved group is still written for integrations that disable resolved messages, as
    skipped, so the history says why nothing was sent.
    """
    body = group_to_dict(group)
    body["receiver"] = target.name
    dispatch_id = new_dispatch_id()
    now = utcnow()
    rows = []
    for integration_id, integration_type, no_resolved in target.integrations:
        skipped = group.status == "resolved" and no_resolved
        rows.append({
            "dispatch_id": dispatch_id, "contact_point_id": target.id,
            "integration_id": integration_id, "contact_point_name": target.name,
            "integration_type": integration_type, "group": body,
            "group_key": group.group_key[:1024], "status": SKIPPED if skipped else PENDING,
            "source": source, "attempts": 0, "due_at": due_at or now, "created_at": now,
            "finished_at": now if skipped else None, "fallback_of_id": fallback_of_id,
            "fallback_done": False, "claimed_by": "",
        })
    return rows


def insert_notifications(rows: list[dict[str, Any]]) -> None:
    """Write the rows in the caller's transaction with one INSERT (the caller commits)."""
    _INSERT.many(rows)


def enqueue(
    contact_point: ContactPoint,
    group: AlertGroup,
    *,
    source: str = "webhook",
    due_at: datetime | None = None,
    fallback_of: Notification | Claimed | None = None,
) -> list[Notification]:
    """Add one notification per integration of the contact point to the session.

    Nothing is committed here: the caller commits them with whatever accepted the alerts,
    so an accepted alert and its notifications are stored together or not at all.
    """
    rows = [Notification(**values) for values in notification_values(
        target_of(contact_point), group, source=source, due_at=due_at,
        fallback_of_id=fallback_of.id if fallback_of else None)]
    db.session.add_all(rows)
    return rows


def lease_seconds(config) -> float:
    """How long a claim holds: longer than any send (a timeout per request, a few requests)."""
    configured = float(config.get("HERALD_LEASE_SECONDS") or 0)
    return configured or max(60.0, 4 * float(config.get("HERALD_HTTP_TIMEOUT") or 10))


@dataclass(frozen=True)
class Claimed:
    """A notification as its worker claimed it: everything sending and recording need."""

    id: int
    dispatch_id: str
    contact_point_id: int | None
    integration_id: int | None
    contact_point_name: str
    integration_type: str
    group: dict[str, Any]
    attempts: int
    first_attempt_at: datetime
    lease_until: datetime
    source: str
    parts_done: list[str] | None


_CLAIMED_COLUMNS = tuple(_TABLE.c[name] for name in Claimed.__dataclass_fields__)


_NOW = bindparam("b_now", type_=DateTime())  # the claim's time, in both statements


def _claiming(condition: ColumnElement[bool]) -> Update:
    """UPDATE … RETURNING taking the first b_limit rows meeting condition, in due order."""
    due = (
        select(_TABLE.c.id)
        .where(condition)
        .order_by(_TABLE.c.due_at, _TABLE.c.id)
        .limit(bindparam("b_limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )
    return (
        update(_TABLE)
        .where(_TABLE.c.id.in_(due.scalar_subquery()))
        .values(status=SENDING, lease_until=bindparam("b_lease_until", type_=DateTime()),
                claimed_by=bindparam("b_worker"), attempts=_TABLE.c.attempts + 1,
                first_attempt_at=func.coalesce(_TABLE.c.first_attempt_at, _NOW))
        .returning(*_CLAIMED_COLUMNS)
    )


# Built once: every worker runs them on every claim.
_CLAIM_EXPIRED = _claiming((_TABLE.c.status == SENDING) & (_TABLE.c.lease_until < _NOW))
_CLAIM_DUE = _claiming((_TABLE.c.status == PENDING) & (_TABLE.c.due_at <= _NOW))


def claim_rows(worker_id: str, limit: int, lease_seconds: float) -> list[Claimed]:
    """Atomically take up to limit due notifications for this worker, under a lease.

    UPDATE … RETURNING: on SQLite writers are serialised, and on PostgreSQL the candidate
    rows are locked with SKIP LOCKED, so two workers never claim the same row. A row whose
    lease ran out (its worker died) is due again, and is taken first. The rows come back
    whole, so sending them needs no further query.

    Rows whose lease ran out and pending rows are taken by two statements in one
    transaction: each walks the (status, due_at) index in order and stops at limit. One
    statement with an OR over both states made SQLite read and sort every due row on each
    claim, so draining a backlog took time growing with the square of its size.
    """
    now = utcnow()
    values = {"b_now": now, "b_lease_until": now + timedelta(seconds=lease_seconds),
              "b_worker": worker_id, "b_limit": limit}
    connection = db.session.connection()
    claimed = [Claimed(*row) for row in connection.execute(_CLAIM_EXPIRED, values)]
    if len(claimed) < limit:
        values["b_limit"] = limit - len(claimed)
        claimed += [Claimed(*row) for row in connection.execute(_CLAIM_DUE, values)]
    db.session.commit()
    return sorted(claimed, key=lambda row: row.id)


def claim(worker_id: str, limit: int, lease_seconds: float) -> list[int]:
    """The ids of the rows claim_rows takes."""
    return [row.id for row in claim_rows(worker_id, limit, lease_seconds)]


def held(notification_id: int, worker_id: str) -> Claimed | None:
    """The row, when this worker holds it (its lease was not taken over), else None."""
    row = db.session.execute(select(*_CLAIMED_COLUMNS).where(
        _TABLE.c.id == notification_id, _TABLE.c.status == SENDING,
        _TABLE.c.claimed_by == worker_id)).one_or_none()
    db.session.rollback()
    return Claimed(*row) if row is not None else None


def next_due_in(default: float) -> float:
    """Seconds until the next pending notification is due (capped at default)."""
    due_at = db.session.scalar(
        select(Notification.due_at).where(Notification.status == PENDING)
        .order_by(Notification.due_at).limit(1)
    )
    db.session.rollback()
    if due_at is None:
        return default
    return max(0.0, min(default, (due_at - utcnow()).total_seconds()))


def depth() -> tuple[int, float]:
    """How many notifications wait (pending or sending), and the oldest one's age in seconds."""
    count, oldest = db.session.execute(
        select(func.count(Notification.id), func.min(Notification.due_at))
        .where(Notification.status.in_((PENDING, SENDING)))
    ).one()
    age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0
    return int(count or 0), age


__all__ = ["FAILED", "Claimed", "enqueue", "claim", "claim_rows", "held", "next_due_in", "depth"]
