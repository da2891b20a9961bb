"""Grouping timers and the notification log with a controllable clock, as Alertmanager."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.alerting.grouping import (
    claim_groups,
    flush_due_groups,
    next_flush_in,
    prune_expired,
    prune_resolved_alerts,
)
from app.alerting.matchers import parse_matchers
from app.alerting.models import AggregationGroup, NotificationLogEntry, Silence
from app.alerting.silences import expire_silence, save_silence
from app.alerting.state import ingest_alerts
from app.alerts import Alert, group_from_dict
from app.delivery.models import Notification
from app.extensions import db
from tests.conftest import make_config

T0 = datetime(2026, 11, 30, 12, 0, 0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def alert(name: str, start: float = 0, end: float | None = None, **labels: str) -> Alert:
    return Alert(status="firing", labels={"alertname": name, **labels}, annotations={},
                 starts_at=at(start), ends_at=at(end) if end is not None else None)


def sent() -> list[dict]:
    """The notifications in the outbox, oldest first, as (status, {fingerprint: status})."""
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    return [(row.group["status"], sorted((a["labels"]["alertname"], a["status"])
                                         for a in row.group["alerts"])) for row in rows]


@pytest.fixture
def ops(app, make_contact_point):
    app.config["HERALD_RESOLVE_TIMEOUT"] = 3600  # tests re-send only where they test timeouts
    return make_contact_point("Ops", [("webhook", {"url": "http://127.0.0.1:9/hook"})])


def ingest(alerts: list[Alert], now: float) -> None:
    ingest_alerts(alerts, at(now))
    db.session.commit()


def test_first_notification_waits_for_group_wait(ops):
    assert next_flush_in(60, now=at(0)) == 60
    ingest([alert("A")], 0)
    assert next_flush_in(60, now=at(0)) == 30
    assert flush_due_groups(now=at(29)) == 0
    assert sent() == []
    assert flush_due_groups(now=at(30)) == 1
    assert sent() == [("firing", [("A", "firing")])]
    body = db.session.scalars(select(Notification)).one().group
    assert body["receiver"] == "Ops"
    assert body["groupKey"] == '{}:{alertname="A"}'
    assert body["groupLabels"] == {"alertname": "A"}
    assert body["externalURL"] == "http://herald.test/"


def test_changes_wait_for_group_interval_and_unchanged_repeats_after_repeat_interval(ops):
    ingest([alert("A", job="x")], 0)
    flush_due_groups(now=at(30))
    ingest([alert("A", job="y", start=40)], 40)  # another alert of the same group
    assert flush_due_groups(now=at(60)) == 0  # next flush only after group interval
    ingest([alert("A", job="x")], 300)  # Prometheus re-sends firing alerts
    assert flush_due_groups(now=at(330)) == 1
    assert len(sent()) == 2 and sent()[1] == ("firing", [("A", "firing"), ("A", "firing")])
    for moment in (630, 930):  # refreshed, unchanged: nothing new until repeat interval
        ingest([alert("A", job="x"), alert("A", job="y", start=40)], moment - 1)
        assert flush_due_groups(now=at(moment)) == 1
    assert len(sent()) == 2
    for moment in range(1230, 330 + 4 * 3600 + 600, 300):
        ingest([alert("A", job="x"), alert("A", job="y", start=40)], moment - 1)
        flush_due_groups(now=at(moment))
    assert len(sent()) == 3  # once more after four hours, not before


def test_resolved_is_sent_once_when_every_alert_resolved(ops):
    ingest([alert("A", job="x"), alert("A", job="y")], 0)
    flush_due_groups(now=at(30))
    ingest([alert("A", job="x", end=100)], 100)
    flush_due_groups(now=at(330))
    assert sent()[-1] == ("firing", [("A", "firing"), ("A", "resolved")])
    ingest([alert("A", job="y", end=400)], 400)
    flush_due_groups(now=at(630))
    assert sent()[-1] == ("resolved", [("A", "resolved")])
    assert db.session.scalar(select(func.count(AggregationGroup.id))) == 0
    flush_due_groups(now=at(930))
    assert len(sent()) == 3  # nothing twice for the same state


def test_an_alert_without_ends_at_resolves_after_the_resolve_timeout(app, ops):
    app.config["HERALD_RESOLVE_TIMEOUT"] = 300
    ingest([alert("A")], 0)
    flush_due_groups(now=at(30))
    flush_due_groups(now=at(330))  # 330 s > 300 s resolve timeout without a refresh
    assert sent() == [("firing", [("A", "firing")]), ("resolved", [("A", "resolved")])]


def test_a_refreshed_alert_keeps_firing(app, ops):
    app.config["HERALD_RESOLVE_TIMEOUT"] = 300
    ingest([alert("A")], 0)
    flush_due_groups(now=at(30))
    ingest([alert("A")], 200)
    flush_due_groups(now=at(330))
    assert sent() == [("firing", [("A", "firing")])]


def test_restart_in_the_middle_of_group_wait_keeps_the_pending_notification(
        ops, database_path):
    ingest([alert("A")], 0)
    db.session.remove()
    restarted = create_app(make_config(database_path))
    with restarted.app_context():
        assert flush_due_groups(now=at(10)) == 0
        assert flush_due_groups(now=at(31)) == 1
        assert sent() == [("firing", [("A", "firing")])]
        db.session.remove()
        db.engine.dispose()


def test_two_workers_never_claim_the_same_group(ops):
    ingest([alert("A"), alert("B")], 0)
    first = claim_groups("worker-1", at(30), 10, 60)
    second = claim_groups("worker-2", at(30), 10, 60)
    assert len(first) == 2 and second == []
    assert flush_due_groups(now=at(31)) == 0  # still leased to worker-1
    assert flush_due_groups(now=at(91)) == 2  # the lease ran out: flushed once, elsewhere
    assert len(sent()) == 2


def test_a_silenced_alert_is_not_notified_until_the_silence_expires(ops):
    silence = save_silence(None, parse_matchers('alertname="A"'), at(0), at(3600), "ann",
                           "maintenance", now=at(0))
    db.session.commit()
    ingest([alert("A"), alert("B")], 0)
    flush_due_groups(now=at(30))
    assert sent() == [("firing", [("B", "firing")])]
    expire_silence(silence.id, now=at(100))
    db.session.commit()
    flush_due_groups(now=at(330))
    assert sent()[-1] == ("firing", [("A", "firing")])


def test_an_old_alert_is_flushed_at_once(ops):
    ingest([alert("A", start=-3600)], 0)
    assert flush_due_groups(now=at(0)) == 1


def test_webhook_bodies_without_a_contact_point_go_through_the_policies(ops):
    body = {"receiver": "am", "status": "firing", "alerts": [
        {"status": "firing", "labels": {"alertname": "FromAM", "env": "prod"},
         "annotations": {"summary": "s"}, "startsAt": "2026-11-30T12:00:00Z"}]}
    ingest(group_from_dict(body).alerts, 0)
    flush_due_groups(now=at(30))
    assert sent() == [("firing", [("FromAM", "firing")])]


def test_resolved_alerts_are_forgotten_once_no_group_holds_them(ops):
    ingest([alert("A", end=10)], 20)  # resolved when it arrives: no group takes it
    assert prune_resolved_alerts(at(10) + timedelta(hours=2)) == 1


def test_concurrent_workers_flush_each_group_once(app, ops):
    ingest([alert(f"A{i}") for i in range(20)], 0)
    db.session.remove()
    barrier = threading.Barrier(4)

    def worker() -> int:
        with app.app_context():
            barrier.wait(timeout=30)
            flushed = 0
            while count := flush_due_groups(now=at(30), limit=3):
                flushed += count
            db.session.remove()
            return flushed

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: worker(), range(4)))
    assert sum(counts) == 20
    assert len(sent()) == 20


def test_expired_silences_and_old_log_entries_are_pruned_after_the_retention(ops):
    old = save_silence(None, parse_matchers('alertname="C"'), at(0), at(60), "ann", "old",
                       now=at(0))
    recent = save_silence(None, parse_matchers('alertname="B"'), at(0), at(7200), "ann",
                          "recent", now=at(0))
    db.session.commit()
    old_id, recent_id = old.id, recent.id
    ingest([alert("A")], 0)
    assert flush_due_groups(now=at(30)) == 1  # notifies, and writes the notification log
    retention = timedelta(hours=1)

    assert prune_expired(at(30) + timedelta(minutes=30), retention) == 0  # all still kept
    removed = prune_expired(at(60) + timedelta(hours=1, seconds=1), retention)

    assert removed == 2  # the silence expired at 60 s, the log entry written at 30 s
    assert old_id != recent_id
    assert list(db.session.scalars(select(Silence.id))) == [recent_id]
    assert db.session.scalar(select(func.count(NotificationLogEntry.id))) == 0
