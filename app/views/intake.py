"""Alerts in: Alertmanager's and Grafana's webhook bodies, and Herald's metrics."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.alerting import webhook
from app.auth import requires
from app.delivery import metrics
from app.provisioning.operations import ApiError


@requires("sender")
def route_post_webhook_alertmanager():
    """Accept one alert group: for the named contact point (202 once its notifications are
    stored), or, without ?contact_point=, for the notification policies (202 once its alerts
    are stored and grouped)."""
    name = request.args.get("contact_point")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body must be a JSON object (Alertmanager's webhook body).")
    try:
        if name is None:
            alerts = webhook.accept_through_policies(body)
            wake_workers()
            return jsonify(message="accepted", alerts=alerts), 202
        if not name.strip():
            raise ApiError(400, "contact_point is empty: give the name of a contact point, or "
                                "leave the parameter out to route through the policies.")
        accepted = webhook.accept_for_contact_point(name, body)
    except webhook.IntakeError as exc:
        raise ApiError(exc.status, exc.message) from None
    wake_workers()
    return jsonify(message="accepted", deliveries=accepted.deliveries), 202


def wake_workers() -> None:
    """Let this process's workers look at the outbox and the group timers now, instead of
    at their next poll."""
    worker = current_app.extensions.get("herald.worker")
    if worker is not None:
        worker.wake()
        worker.wake_ticks()


@requires("viewer")
def metrics_page() -> Response:
    """Prometheus's text format; open to all when HERALD_METRICS_PUBLIC is set."""
    return Response(generate_latest(metrics.REGISTRY), mimetype=CONTENT_TYPE_LATEST)


metrics_page.public_when = "HERALD_METRICS_PUBLIC"  # type: ignore[attr-defined]


def register(app) -> None:
    app.add_url_rule("/metrics", endpoint="metrics", view_func=metrics_page)
