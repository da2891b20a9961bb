"""Kill -9 at any moment: every accepted notification is still delivered, at most twice."""
from __future__ import annotations

import json
import signal
from collections import Counter

import pytest
from sqlalchemy import select

from app.alerts import group_from_dict
from app.delivery import outbox
from app.delivery.models import SENDING, SENT, Notification
from app.extensions import db
from app.models import DeliveryAttempt
from tests.loopback import slow_receiver
from tests.pipeline import alert, waiting, webhook_body
from tests.processes import kill, start_worker, wait_for

BURST = 60


@pytest.fixture
def receiver():
    with slow_receiver(0.05) as server:
        yield server


def enqueue_burst(make_contact_point, url: str) -> None:
    contact_point = make_contact_point("ops", [("webhook", {"url": url})])
    for number in range(BURST):
        outbox.enqueue(contact_point, group_from_dict(webhook_body(alert(f"Alert{number}"))))
    db.session.commit()


def received(receiver) -> Counter:
    with receiver.lock:
        bodies = list(receiver.bodies)
    return Counter(json.loads(body)["alerts"][0]["labels"]["alertname"] for body in bodies)


def test_a_worker_killed_mid_burst_loses_nothing(app, database_url, tmp_path, receiver,
                                                  make_contact_point):
    enqueue_burst(make_contact_point, receiver.url)
    db.session.remove()
    log = tmp_path / "worker.log"
    env = {"HERALD_LEASE_SECONDS": "2"}
    first = start_worker(database_url, log, **env)
    try:
        wait_for(lambda: receiver.count >= 10, 60, "the first deliveries")
    finally:
        kill(first, signal.SIGKILL)
    in_flight = db.session.scalars(
        select(Notification.id).where(Notification.status == SENDING)).all()
    db.session.rollback()
    assert receiver.count < BURST, "the kill came too late to test anything"

    second = start_worker(database_url, log, **env)
    try:
        wait_for(lambda: waiting() == 0, 120, "the outbox to empty after the restart")
    finally:
        kill(second, signal.SIGTERM)

    counts = received(receiver)
    assert set(counts) == {f"Alert{number}" for number in range(BURST)}, log.read_text()
    assert max(counts.values()) <= 2
    twice = [name for name, count in counts.items() if count == 2]
    assert len(twice) <= len(in_flight)  # only rows in flight at the kill may repeat
    notifications = db.session.scalars(select(Notification)).all()
    assert {n.status for n in notifications} == {SENT}
    succeeded = set(db.session.scalars(select(DeliveryAttempt.notification_id)
                                       .where(DeliveryAttempt.outcome == "success")))
    assert succeeded == {n.id for n in notifications}  # the history is complete


def test_sigterm_lets_the_worker_finish_what_it_sends(app, database_url, tmp_path,
                                                      make_contact_point):
    with slow_receiver(1.0) as slow:
        enqueue_burst(make_contact_point, slow.url)
        db.session.remove()
        log = tmp_path / "worker.log"
        worker = start_worker(database_url, log, threads=2)
        wait_for(lambda: slow.in_flight == 2, 60, "two sends in flight")

        kill(worker, signal.SIGTERM)

        assert worker.returncode == 0, log.read_text()
        assert slow.count == 2  # both sends in flight completed
    assert "Stopping: letting notifications in flight finish." in log.read_text()
    rows = db.session.scalars(select(Notification)).all()
    assert sum(1 for n in rows if n.status == SENT) == 2
    assert not [n for n in rows if n.status == SENDING]  # the rest was handed back
