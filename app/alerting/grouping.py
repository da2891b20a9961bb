"""Group timers and the notification log, as Alertmanager's dispatcher and DedupStage."""
from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from app.alerting.models import (
    AggregationGroup,
    AlertState,
    GroupMember,
    NotificationLogEntry,
    Silence,
)
from app.alerting.policies import current_route
from app.alerting.routing import Route
from app.alerting.silences import ActiveSilence, active_silences, silenced_by
from app.alerting.state import naive
from app.alerts import Alert, AlertGroup, common_items, group_status, silence_url
from app.delivery.outbox import enqueue
from app.extensions import db
from app.models import ContactPoint, name_key, utcnow

LEASE_SECONDS = 60.0
KEEP_RESOLVED = timedelta(hours=1)  # resolved alerts stay listed this long, then go
PRUNE_EVERY = 60.0  # seconds of real time between two prunings in one process
_last_prune = [float("-inf")]


def needs_update(entry: NotificationLogEntry | None, firing: set[str], resolved: set[str],
                 repeat: timedelta, now: datetime) -> bool:
    """DedupStage.needsUpdate: whether this state of the group is worth a notification."""
    if entry is None:
        return bool(firing)  # never notified: only when something fires
    if not firing <= set(entry.firing):
        return True  # a new alert fires
    if not firing:
        return bool(entry.firing)  # everything resolved that the receiver knew firing
    if not resolved <= set(entry.resolved):
        return True
    return entry.sent_at < now - repeat


def prune_resolved_alerts(now: datetime, keep: timedelta = KEEP_RESOLVED) -> int:
    """Forget alerts resolved longer than `keep` ago that no group holds any more."""
    held = select(GroupMember.alert_id).where(GroupMember.alert_id == AlertState.id)
    result = db.session.execute(delete(AlertState).where(
        AlertState.ends_at < now - keep, ~held.exists()))
    db.session.commit()
    return result.rowcount or 0


def prune_expired(now: datetime, retention: timedelta) -> int:
    """Forget silences expired and notification-log entries written longer than `retention`
    ago, as Alertmanager's --data.retention does (its default is 120 hours)."""
    cutoff = now - retention
    removed = db.session.execute(delete(Silence).where(Silence.ends_at < cutoff)).rowcount or 0
    removed += db.session.execute(delete(NotificationLogEntry).where(
        NotificationLogEntry.sent_at < cutoff)).rowcount or 0
    db.session.commit()
    return removed


def claim_groups(token: str, now: datetime, limit: int, lease: float) -> list[int]:
    """Atomically take due groups under a lease: two workers never hold the same group."""
    due = (
        select(AggregationGroup.id)
        .where(AggregationGroup.next_flush_at <= now,
               or_(AggregationGroup.lease_until.is_(None), AggregationGroup.lease_until < now))
        .order_by(AggregationGroup.next_flush_at, AggregationGroup.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(AggregationGroup)
        .where(AggregationGroup.id.in_(due.scalar_subquery()))
        .values(lease_until=now + timedelta(seconds=lease), claim_token=token)
        .returning(AggregationGroup.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(db.session.scalars(statement))
    db.session.commit()
    return ids


def flush_due_groups(now: datetime | None = None, limit: int = 100,
                     lease_seconds: float = LEASE_SECONDS) -> int:
    """Flush every group whose timer is due: notify what changed, set the next timer.

    Each group is one transaction: the outbox rows, the notification log and the next
    timer are committed together. Returns how many groups were flushed.
    """
    now = naive(now) or utcnow()
    if time.monotonic() - _last_prune[0] > PRUNE_EVERY:
        _last_prune[0] = time.monotonic()
        prune_resolved_alerts(now)
        prune_expired(now, timedelta(hours=current_app.config["HERALD_DATA_RETENTION_HOURS"]))
    token = secrets.token_hex(8)
    ids = claim_groups(token, now, limit, lease_seconds)
    if not ids:
        return 0
    routes = {route.policy_id: route for route in current_route().walk()}
    silences = active_silences(now)
    flushed = 0
    for group_id in ids:
        try:
            flushed += _flush_group(group_id, token, now, routes, silences)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("Flushing alert group %s failed", group_id)
            _release(group_id, token)
    return flushed


def _flush_group(group_id: int, token: str, now: datetime, routes: dict[int | None, Route],
                 silences: list[ActiveSilence]) -> int:
    group = db.session.get(AggregationGroup, group_id)
    route = routes.get(group.policy_id) if group else None
    if group is None or group.claim_token != token or route is None:
        db.session.rollback()
        return 0
    alerts = list(db.session.scalars(
        select(AlertState).join(GroupMember, GroupMember.alert_id == AlertState.id)
        .where(GroupMember.group_id == group_id)))
    visible = [alert for alert in alerts if not silenced_by(silences, alert.labels)]
    contact_point = _contact_point(route.opts.receiver)
    group.contact_point_id = contact_point.id if contact_point else None
    if visible and contact_point is not None:
        _notify(group, route, contact_point, visible, now)
    resolved_ids = [alert.id for alert in alerts if alert.ends_at <= now]
    if resolved_ids:  # only those still resolved: one re-sent meanwhile stays (Alertmanager's
        # DeleteIfNotModified)
        still = select(AlertState.id).where(AlertState.id.in_(resolved_ids),
                                            AlertState.ends_at <= now)
        db.session.execute(delete(GroupMember).where(GroupMember.group_id == group_id,
                                                     GroupMember.alert_id.in_(still)))
    remaining = db.session.scalar(select(func.count()).select_from(GroupMember)
                                  .where(GroupMember.group_id == group_id))
    if not remaining:
        db.session.delete(group)
    else:
        group.has_flushed, group.lease_until, group.claim_token = True, None, ""
        group.next_flush_at = now + timedelta(seconds=route.opts.group_interval)
    db.session.commit()
    return 1


def next_flush_in(default: float, now: datetime | None = None) -> float:
    """Seconds until the next group is due (capped at default), for a worker's sleep."""
    now = naive(now) or utcnow()
    due_at = db.session.scalar(select(func.min(AggregationGroup.next_flush_at)))
    db.session.rollback()
    if due_at is None:
        return default
    return max(0.0, min(default, (due_at - now).total_seconds()))


def _release(group_id: int, token: str) -> None:
    """Give a group whose flush failed back at once (else its lease runs out first)."""
    try:
        db.session.execute(update(AggregationGroup).where(
            AggregationGroup.id == group_id, AggregationGroup.claim_token == token)
            .values(lease_until=None, claim_token=""))
        db.session.commit()
    except Exception:  # the database is failing: the lease will run out
        db.session.rollback()


def _contact_point(receiver: str) -> ContactPoint | None:
    if not receiver:
        return None
    query = select(ContactPoint).where(ContactPoint.name_key == name_key(receiver))
    return db.session.scalar(query)


def _notify(group: AggregationGroup, route: Route, contact_point: ContactPoint,
            alerts: list[AlertState], now: datetime) -> None:
    """Enqueue the group and log it, when the notification log says it is needed."""
    firing = {alert.fingerprint for alert in alerts if alert.ends_at > now}
    resolved = {alert.fingerprint for alert in alerts if alert.ends_at <= now}
    entry = db.session.scalar(select(NotificationLogEntry).where(
        NotificationLogEntry.key_hash == group.key_hash,
        NotificationLogEntry.receiver == contact_point.name))
    repeat = timedelta(seconds=route.opts.repeat_interval)
    if not needs_update(entry, firing, resolved, repeat, now):
        return
    enqueue(contact_point, build_group(group, contact_point.name, alerts, now), source="policy")
    if entry is None:
        entry = NotificationLogEntry(group_key=group.group_key, key_hash=group.key_hash,
                                     receiver=contact_point.name)
        db.session.add(entry)
    entry.firing, entry.resolved, entry.sent_at = sorted(firing), sorted(resolved), now


def _sort_key(alert: AlertState) -> tuple:
    labels = alert.labels
    return (labels.get("job", ""), labels.get("instance", ""), sorted(labels.items()))


def build_group(group: AggregationGroup, receiver: str, alerts: list[AlertState],
                now: datetime) -> AlertGroup:
    """The notification: Alertmanager's webhook data for these alerts at this moment."""
    external_url = current_app.config["HERALD_EXTERNAL_URL"]
    items = [_alert(alert, now, external_url) for alert in sorted(alerts, key=_sort_key)]
    return AlertGroup(
        receiver=receiver, status=group_status(items), alerts=items,
        group_labels=dict(group.group_labels),
        common_labels=common_items([alert.labels for alert in items]),
        common_annotations=common_items([alert.annotations for alert in items]),
        external_url=external_url, group_key=group.group_key,
    )


def _alert(alert: AlertState, now: datetime, external_url: str) -> Alert:
    resolved = alert.ends_at <= now
    return Alert(
        status="resolved" if resolved else "firing", labels=dict(alert.labels),
        annotations=dict(alert.annotations), starts_at=_aware(alert.starts_at),
        ends_at=_aware(alert.ends_at) if resolved or not alert.timeout else None,
        generator_url=alert.generator_url, fingerprint=alert.fingerprint,
        silence_url=silence_url(external_url, alert.labels),
    )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)
