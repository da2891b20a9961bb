"""Helpers for pipeline tests: a sender token, posting alert groups, draining the outbox."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.alerts import group_key_for
from app.delivery.models import PENDING, SENDING, Notification
from app.delivery.worker import Worker
from app.extensions import db
from app.provisioning.tokens import create_token


def make_token(role: str, name: str | None = None) -> str:
    """A new API token with the role; its value."""
    token, value, errors = create_token(name or f"{role}-token", role, "")
    assert token is not None, errors
    return value


def alert(name: str = "DiskFull", status: str = "firing", **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": name, "instance": "db-1", **labels},
        "annotations": {"summary": f"{name} on db-1"},
        "startsAt": datetime(2026, 11, 30, 12, 0, tzinfo=UTC).isoformat(),
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.test/graph",
        "fingerprint": "",
    }


def webhook_body(*alerts: dict[str, Any], status: str = "firing") -> dict[str, Any]:
    """Alertmanager's webhook body (version 4) for the alerts."""
    alerts = alerts or (alert(),)
    return {
        "version": "4", "receiver": "herald", "status": status, "alerts": list(alerts),
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonAnnotations": {}, "externalURL": "http://alertmanager.test",
        "groupKey": group_key_for({"alertname": alerts[0]["labels"]["alertname"]}),
        "truncatedAlerts": 0,
    }


def waiting() -> int:
    """Notifications still pending or in flight."""
    count = db.session.scalar(select(func.count(Notification.id))
                              .where(Notification.status.in_((PENDING, SENDING))))
    db.session.rollback()
    return count


def drain(app: Flask, timeout: float = 20.0) -> int:
    """Run a worker in this thread until the outbox is empty; the notifications claimed."""
    worker = Worker(app, threads=1, batch=8)
    claimed = 0
    ends = time.monotonic() + timeout
    while waiting():
        assert time.monotonic() < ends, "the outbox did not empty in time"
        got = worker.run_once()
        claimed += got
        if not got:  # a retry is scheduled a moment later
            time.sleep(0.02)
    return claimed
