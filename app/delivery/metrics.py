"""Herald's own metrics, in the spirit of Alertmanager's: what was sent, failed, waits."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext

from flask import Flask, has_app_context
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.delivery import outbox
from app.delivery.models import FAILED, PENDING
from app.delivery.sending import DeliveryResult

REGISTRY = CollectorRegistry(auto_describe=True)

NOTIFICATIONS = Counter(
    "herald_notifications_total",
    "Notifications delivered, per integration type and contact point.",
    ["integration", "contact_point"], registry=REGISTRY)
FAILED_NOTIFICATIONS = Counter(
    "herald_notifications_failed_total",
    "Notifications that failed for good (retries spent or a permanent error).",
    ["integration", "contact_point"], registry=REGISTRY)
REQUESTS = Counter(
    "herald_notification_requests_total", "Delivery attempts, retries included.",
    ["integration", "contact_point"], registry=REGISTRY)
FAILED_REQUESTS = Counter(
    "herald_notification_requests_failed_total", "Delivery attempts that failed.",
    ["integration", "contact_point"], registry=REGISTRY)
RETRIES = Counter(
    "herald_notification_retries_total", "Delivery attempts scheduled again after a failure.",
    ["integration"], registry=REGISTRY)
LATENCY = Histogram(
    "herald_notification_latency_seconds", "How long one delivery attempt took.",
    ["integration"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY)
ALERTS_RECEIVED = Counter(
    "herald_alerts_received_total", "Alerts received, per intake format and status.",
    ["format", "status"], registry=REGISTRY)
INVALID_BODIES = Counter(
    "herald_alerts_invalid_total", "Intake requests refused because their body was invalid.",
    ["format"], registry=REGISTRY)


def observe_delivery(notification: outbox.Claimed, result: DeliveryResult, status: str) -> None:
    """Count one attempt of a real notification."""
    labels = (notification.integration_type, notification.contact_point_name)
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(notification.integration_type).observe(result.duration_ms / 1000)
    if result.outcome == "failure":
        FAILED_REQUESTS.labels(*labels).inc()
    if status == PENDING:
        RETRIES.labels(notification.integration_type).inc()
    elif status == FAILED:
        FAILED_NOTIFICATIONS.labels(*labels).inc()
    else:
        NOTIFICATIONS.labels(*labels).inc()


def observe_intake(format_name: str, statuses: list[str]) -> None:
    for status in statuses:
        ALERTS_RECEIVED.labels(format_name, status).inc()


def observe_invalid(format_name: str) -> None:
    INVALID_BODIES.labels(format_name).inc()


class OutboxCollector(Collector):
    """The outbox as every process sees it: read from the database at scrape time."""

    app: Flask | None = None  # for scrapes outside a request (a worker's own port)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if not has_app_context() and self.app is None:
            return
        with nullcontext() if has_app_context() else self.app.app_context():
            count, oldest = outbox.depth()
        yield GaugeMetricFamily("herald_outbox_notifications",
                                "Notifications waiting to be delivered (pending or in flight).",
                                value=count)
        yield GaugeMetricFamily("herald_outbox_oldest_due_seconds",
                                "Age of the oldest notification waiting to be delivered.",
                                value=oldest)


OUTBOX = OutboxCollector()
REGISTRY.register(OUTBOX)


def serve_metrics(app: Flask, port: int) -> None:
    """Expose this process's metrics on 127.0.0.1:port (for `flask worker` processes)."""
    OUTBOX.app = app
    start_http_server(port, addr="127.0.0.1", registry=REGISTRY)
