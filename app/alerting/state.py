"""Alerts in: deduplicate by fingerprint, merge as Alertmanager does, route and group them."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from app.alerting.models import AggregationGroup, AlertState, GroupMember, key_hash
from app.alerting.policies import current_route, load_spec, save_tree
from app.alerting.routing import Route
from app.alerts import Alert, fingerprint
from app.extensions import db
from app.models import utcnow

CHUNK = 500  # ids per IN (...) list


@dataclass
class Incoming:
    """An alert about to be stored: naive UTC times, endsAt always set."""

    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    timeout: bool
    updated_at: datetime
    generator_url: str

    def row(self) -> dict[str, Any]:
        return dict(self.__dict__)


def naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def normalise(alert: Alert, now: datetime, resolve_timeout: timedelta) -> Incoming:
    """Alertmanager's defaults: startsAt now (or endsAt), endsAt now + resolve timeout."""
    ends_at = naive(alert.ends_at)
    if ends_at is None and alert.status == "resolved":
        ends_at = now
    starts_at = naive(alert.starts_at) or ends_at or now
    return Incoming(
        # always from the labels: a sender's own fingerprint field is not trusted
        fingerprint=fingerprint(alert.labels), labels=dict(alert.labels),
        annotations=dict(alert.annotations), starts_at=starts_at,
        ends_at=ends_at or now + resolve_timeout, timeout=ends_at is None, updated_at=now,
        generator_url=alert.generator_url,
    )


def merge(old: AlertState | Incoming, new: Incoming, now: datetime) -> Incoming:
    """types.Alert.Merge: the newer alert, the earliest start, an explicit end kept."""
    overlap = (old.starts_at < new.ends_at < old.ends_at
               or old.starts_at < new.starts_at < old.ends_at)
    if not overlap:
        return new  # provider/mem: only alerts whose activity ranges overlap are merged
    merged = Incoming(**new.row())
    merged.starts_at = min(old.starts_at, new.starts_at)
    old_resolved = old.ends_at <= now
    if new.ends_at <= now:
        if old_resolved and old.ends_at > new.ends_at:
            merged.ends_at = old.ends_at
    elif old.ends_at > new.ends_at and not old.timeout:
        merged.ends_at, merged.timeout = old.ends_at, False
    return merged


@dataclass
class Stored:
    """The columns of a stored alert that merging needs."""

    id: int
    starts_at: datetime
    ends_at: datetime
    timeout: bool
    labels: dict[str, str]


def _existing(fingerprints: list[str]) -> dict[str, Stored]:
    table = AlertState.__table__
    found: dict[str, Stored] = {}
    for start in range(0, len(fingerprints), CHUNK):
        query = select(table.c.fingerprint, table.c.id, table.c.starts_at, table.c.ends_at,
                       table.c.timeout, table.c.labels).where(
            table.c.fingerprint.in_(fingerprints[start:start + CHUNK]))
        for key, *values in db.session.execute(query):
            found[key] = Stored(*values)
    return found


_UPDATE_FIELDS = ("annotations", "starts_at", "ends_at", "timeout", "updated_at", "generator_url")
_UPDATE = (update(AlertState.__table__).where(AlertState.__table__.c.id == bindparam("row_id"))
           .values({name: bindparam(name) for name in _UPDATE_FIELDS}))


def store_alerts(alerts: list[Alert], now: datetime) -> dict[str, tuple[int, Incoming]]:
    """Insert or merge every alert; fingerprint -> (row id, stored values)."""
    timeout = timedelta(seconds=current_app.config["HERALD_RESOLVE_TIMEOUT"])
    batch: dict[str, Incoming] = {}
    for alert in alerts:
        item = normalise(alert, now, timeout)
        batch[item.fingerprint] = merge(batch[item.fingerprint], item, now) \
            if item.fingerprint in batch else item
    existing = _existing(list(batch))
    updates, inserts, stored = [], [], {}
    for key, item in batch.items():
        row = existing.get(key)
        if row is None:
            inserts.append(item)
            continue
        item = merge(row, item, now)
        values = item.row()
        if row.labels != item.labels:  # a fingerprint collision: the newest labels win
            values.pop("fingerprint")
            db.session.execute(update(AlertState).where(AlertState.id == row.id).values(values))
        else:
            updates.append({"row_id": row.id, **{k: values[k] for k in _UPDATE_FIELDS}})
        stored[key] = (row.id, item)
    if updates:
        db.session.connection().execute(_UPDATE, updates)
    if inserts:
        result = db.session.execute(insert(AlertState).returning(
            AlertState.id, AlertState.fingerprint, sort_by_parameter_order=True),
            [item.row() for item in inserts])
        for (row_id, key), item in zip(result.all(), inserts, strict=True):
            stored[key] = (row_id, item)
    return stored


def routing_root() -> Route | None:
    """The current tree; the Default policy is stored on first use so groups can refer to it."""
    route = current_route()
    if route.policy_id is None:
        spec = load_spec()
        if not spec.receiver:
            return None  # no contact point yet: alerts are kept, nobody is notified
        save_tree(spec)
        route = current_route()
    return route


def ingest_alerts(alerts: list[Alert], now: datetime | None = None) -> None:
    """Store, route and group alerts in the caller's transaction; the caller commits."""
    now = naive(now) or utcnow()
    stored = store_alerts(alerts, now)
    root = routing_root()
    if root is None:
        return
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for row_id, item in stored.values():
        for route in root.match(item.labels):
            group_labels = route.group_labels(item.labels)
            key = (route.policy_id, route.group_key(group_labels))
            entry = wanted.setdefault(key, {"route": route, "labels": group_labels,
                                            "alerts": [], "old_start": False})
            entry["alerts"].append((row_id, item))
            entry["old_start"] |= item.starts_at + timedelta(
                seconds=route.opts.group_wait) < now
    _group(wanted, now)


def ingest_and_commit(alerts: list[Alert], now: datetime | None = None, attempts: int = 5,
                      ) -> None:
    """ingest_alerts in its own transaction, retried when a concurrent intake wrote the same
    alert or group first (a unique key taken, or SQLite's snapshot gone stale)."""
    for attempt in range(attempts):
        try:
            ingest_alerts(alerts, now)
            db.session.commit()
            return
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))


def _group(wanted: dict[tuple[int, str], dict[str, Any]], now: datetime) -> None:
    """Add the alerts to their groups, making groups (with their group-wait timer) as needed."""
    groups = _existing_groups(list(wanted))
    members, hurry = [], []
    for (policy_id, key), entry in wanted.items():
        group = groups.get((policy_id, key))
        if group is None:
            if not any(item.ends_at > now for _row_id, item in entry["alerts"]):
                continue  # a resolved alert never notified anyone: nothing to group
            group_id = _new_group(policy_id, key, entry, now)
        else:
            group_id, has_flushed, next_flush_at = group
            if not has_flushed and entry["old_start"] and next_flush_at > now:
                hurry.append(group_id)  # an alert older than group wait: flush at once
        members += [{"group_id": group_id, "alert_id": row_id}
                    for row_id, _item in entry["alerts"]]
    if hurry:
        db.session.execute(update(AggregationGroup).where(AggregationGroup.id.in_(hurry))
                           .values(next_flush_at=now))
    if members:
        db.session.execute(_insert_ignore(GroupMember), members)


def _existing_groups(keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple]:
    """(policy id, group key) -> (group id, has flushed, next flush time)."""
    table = AggregationGroup.__table__
    found = {}
    hashes = sorted({key_hash(key) for _policy, key in keys})
    for start in range(0, len(hashes), CHUNK):
        query = select(table.c.policy_id, table.c.group_key, table.c.id, table.c.has_flushed,
                       table.c.next_flush_at).where(
            table.c.key_hash.in_(hashes[start:start + CHUNK]))
        for policy_id, key, *values in db.session.execute(query):
            found[(policy_id, key)] = tuple(values)
    return found


def _new_group(policy_id: int, key: str, entry: dict[str, Any], now: datetime) -> int:
    route: Route = entry["route"]
    wait = timedelta(seconds=route.opts.group_wait)
    return db.session.execute(insert(AggregationGroup).returning(AggregationGroup.id).values(
        policy_id=policy_id, group_key=key, key_hash=key_hash(key), group_labels=entry["labels"],
        group_wait=route.opts.group_wait, group_interval=route.opts.group_interval,
        repeat_interval=route.opts.repeat_interval, has_flushed=False,
        next_flush_at=now if entry["old_start"] else now + wait, lease_until=None,
        claim_token="", created_at=now)).scalar_one()


def _insert_ignore(model):
    """INSERT that skips rows already there (SQLite and PostgreSQL)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()
