"""What the Alert groups page shows: each group, its alerts and its timers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.alerting.matchers import matchers_text
from app.alerting.models import AggregationGroup, AlertState, GroupMember, NotificationLogEntry
from app.alerting.policies import current_route
from app.alerting.silences import active_silences, silenced_by
from app.delivery.models import Notification
from app.extensions import db
from app.models import utcnow


@dataclass
class GroupView:
    """One aggregation group as a person reads it."""

    policy: str
    receiver: str
    labels: dict[str, str]
    next_flush_at: datetime
    last_sent_at: datetime | None
    alerts: list[dict] = field(default_factory=list)
    deliveries: list[tuple[str, str]] = field(default_factory=list)  # (integration, status)


def group_views(now: datetime | None = None) -> list[GroupView]:
    """Every group with its alerts (firing or resolved, silenced marked), by contact point."""
    now = now or utcnow()
    routes = {route.policy_id: route for route in current_route().walk()}
    silences = active_silences(now)
    sent = {(entry.key_hash, entry.receiver): entry.sent_at
            for entry in db.session.scalars(select(NotificationLogEntry))}
    members: dict[int, list[AlertState]] = {}
    rows = db.session.execute(select(GroupMember.group_id, AlertState)
                              .join(AlertState, GroupMember.alert_id == AlertState.id))
    for group_id, alert in rows:
        members.setdefault(group_id, []).append(alert)
    views = []
    for group in db.session.scalars(select(AggregationGroup)):
        route = routes.get(group.policy_id)
        receiver = route.opts.receiver if route else ""
        view = GroupView(
            policy="Default policy" if route is None or not route.path
            else matchers_text(route.matchers),
            receiver=receiver, labels=group.group_labels, next_flush_at=group.next_flush_at,
            last_sent_at=sent.get((group.key_hash, receiver)))
        view.deliveries = last_deliveries(group.group_key, receiver)
        for alert in sorted(members.get(group.id, []), key=lambda a: a.starts_at):
            view.alerts.append({
                "labels": alert.labels, "since": alert.starts_at,
                "state": "resolved" if alert.ends_at <= now else "firing",
                "silenced": bool(silenced_by(silences, alert.labels))})
        views.append(view)
    return sorted(views, key=lambda v: (v.receiver.casefold(), v.policy, sorted(v.labels.items())))


def last_deliveries(group_key: str, receiver: str) -> list[tuple[str, str]]:
    """(integration type, outbox status) of the group's latest notification to receiver."""
    latest = db.session.scalar(
        select(Notification.dispatch_id).where(Notification.group_key == group_key[:1024],
                                               Notification.contact_point_name == receiver)
        .order_by(Notification.id.desc()).limit(1))
    if latest is None:
        return []
    rows = db.session.execute(select(Notification.integration_type, Notification.status)
                              .where(Notification.dispatch_id == latest)
                              .order_by(Notification.id))
    return [(integration_type, status) for integration_type, status in rows]
