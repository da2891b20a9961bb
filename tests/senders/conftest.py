"""Fixtures for sender tests: alert groups, one-integration deliveries, a real SMTP server."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from app.alerts import Alert, AlertGroup, fingerprint
from app.delivery.notify import DeliveryResult, notify
from tests.smtp_server import SmtpServer, running_smtp_server

EXTERNAL_URL = "http://herald.test/"
LABELS = {"alertname": "DiskFull", "instance": "db-1", "og_priority": "P2"}


def make_group(status: str = "firing", count: int = 1) -> AlertGroup:
    """A group of DiskFull alerts on db-1..db-N, grouped by alertname."""
    alerts = []
    for number in range(1, count + 1):
        labels = {**LABELS, "instance": f"db-{number}"}
        alerts.append(Alert(
            status=status,
            labels=labels,
            annotations={"summary": "Disk is full"},
            starts_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            ends_at=datetime(2026, 1, 2, 4, 0, 0, tzinfo=UTC) if status == "resolved" else None,
            generator_url="http://grafana.test/alerting/disk/view",
            fingerprint=fingerprint(labels),
        ))
    common = {k: v for k, v in LABELS.items() if count == 1 or k != "instance"}
    return AlertGroup(
        receiver="ops",
        status=status,
        alerts=alerts,
        group_labels={"alertname": "DiskFull"},
        common_labels=common,
        common_annotations={"summary": "Disk is full"},
        external_url=EXTERNAL_URL,
        group_key='{}:{alertname="DiskFull"}',
    )


@pytest.fixture
def firing() -> AlertGroup:
    return make_group("firing")


@pytest.fixture
def resolved() -> AlertGroup:
    return make_group("resolved")


Deliver = Callable[..., DeliveryResult]


@pytest.fixture
def deliver(app: Flask, make_contact_point) -> Deliver:
    """Send a group through one integration of a new contact point, as a test (no retry)."""
    created = iter(range(1, 10_000))

    def send(type_id: str, values: dict[str, Any], group: AlertGroup) -> DeliveryResult:
        contact_point = make_contact_point(f"cp {next(created)}", [(type_id, values)])
        (result,) = notify(contact_point, group)
        return result

    return send


def body_of(server) -> Any:
    """The JSON body of the only request the server received."""
    assert len(server.log) == 1, [request.url for request, _ in server.log]
    request, _ = server.log[0]
    return json.loads(request.get_data())


def request_of(server):
    assert len(server.log) == 1
    return server.log[0][0]


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1, already set as Herald's SMTP server."""
    with running_smtp_server() as server:
        app.config["SMTP"] = server.settings()
        yield server
