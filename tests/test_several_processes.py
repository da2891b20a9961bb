"""Two web processes and two worker processes on one database: each notification once."""
from __future__ import annotations

import json
import signal
from collections import Counter
from itertools import cycle

import pytest
import requests
from sqlalchemy import func, select

from app.delivery.models import SENT, Notification
from app.extensions import db
from app.models import DeliveryAttempt
from tests.loopback import slow_receiver
from tests.pipeline import alert, make_token, waiting, webhook_body
from tests.processes import free_port, kill, start_server, start_worker, wait_for, wait_for_port

ALERTS = 1000


@pytest.fixture
def receiver():
    with slow_receiver(0) as server:
        yield server


def received(receiver) -> Counter:
    with receiver.lock:
        bodies = list(receiver.bodies)
    return Counter(json.loads(body)["alerts"][0]["labels"]["alertname"] for body in bodies)


def start_web(database_url: str, tmp_path, count: int) -> tuple[list, list[int]]:
    """count web processes without workers of their own (HERALD_WORKERS=0)."""
    ports = [free_port() for _ in range(count)]
    processes = [start_server(database_url, tmp_path / f"web{n}.log", port, HERALD_WORKERS="0")
                 for n, port in enumerate(ports)]
    for port in ports:
        wait_for_port(port)
    return processes, ports


def post_alerts(ports: list[int], token: str, count: int) -> None:
    """Post count groups (one alert each, a unique alertname) across the web processes."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    targets = cycle(ports)
    for number in range(count):
        answer = session.post(
            f"http://127.0.0.1:{next(targets)}/api/v1/webhook/alertmanager?contact_point=ops",
            json=webhook_body(alert(f"Alert{number}")), timeout=30)
        assert answer.status_code == 202, answer.text


def test_two_web_and_two_worker_processes_deliver_each_notification_once(
        app, database_url, tmp_path, receiver, make_contact_point):
    make_contact_point("ops", [("webhook", {"url": receiver.url})])
    token = make_token("sender")
    db.session.remove()
    web, ports = start_web(database_url, tmp_path, 2)
    workers = [start_worker(database_url, tmp_path / f"worker{n}.log") for n in range(2)]
    try:
        post_alerts(ports, token, ALERTS)
        wait_for(lambda: waiting() == 0, 180, "every notification to be delivered")
    finally:
        for process in web + workers:
            kill(process, signal.SIGTERM)
    counts = received(receiver)
    assert len(counts) == ALERTS and max(counts.values()) == 1  # exactly once each
    claimed_by = Counter(db.session.scalars(select(Notification.claimed_by)))
    assert len(claimed_by) == 2  # both worker processes took their share
    assert db.session.scalar(select(func.count()).where(Notification.attempts != 1)) == 0
    assert db.session.scalar(select(func.count(DeliveryAttempt.id))) == ALERTS


def test_a_killed_worker_process_leaves_its_rows_to_the_other(
        app, database_url, tmp_path, make_contact_point):
    with slow_receiver(0.02) as receiver:
        make_contact_point("ops", [("webhook", {"url": receiver.url})])
        token = make_token("sender")
        db.session.remove()
        web, ports = start_web(database_url, tmp_path, 1)
        post_alerts(ports, token, 200)
        env = {"HERALD_LEASE_SECONDS": "2"}
        doomed = start_worker(database_url, tmp_path / "doomed.log", **env)
        survivor = start_worker(database_url, tmp_path / "survivor.log", **env)
        try:
            wait_for(lambda: receiver.count >= 20, 60, "the first deliveries")
            kill(doomed, signal.SIGKILL)
            wait_for(lambda: waiting() == 0, 120, "the outbox to empty")
        finally:
            kill(doomed)
            kill(survivor, signal.SIGTERM)
            for process in web:
                kill(process, signal.SIGTERM)
        counts = received(receiver)
    assert len(counts) == 200  # every one at least once, the dead worker's rows too
    assert max(counts.values()) <= 2
    statuses = set(db.session.scalars(select(Notification.status)))
    assert statuses == {SENT}
