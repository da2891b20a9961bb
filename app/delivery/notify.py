"""Test notifications: sent at once, in the request, never retried, recorded in history."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError

from app.alerts import AlertGroup, test_alert_group
from app.delivery.sending import (
    DeliveryResult,
    Job,
    attempt_row,
    labelled,
    prepare,
    send_once,
    type_label,
)
from app.extensions import db
from app.integrations import get_type
from app.integrations.base import IntegrationType, Values, validate
from app.models import ContactPoint, DeliveryAttempt, Integration

logger = logging.getLogger(__name__)

MAX_WORKERS = 16

__all__ = ["DeliveryResult", "notify", "test_integration", "refused", "last_attempts"]


def notify(contact_point: ContactPoint, group: AlertGroup) -> list[DeliveryResult]:
    """Send the group through every integration of the contact point at once, concurrently.

    Used by the row's Test: one attempt each, recorded, in the contact point's order.
    Real notifications go through the outbox instead (app.delivery.outbox).
    """
    jobs = [prepare(integration, label) for integration, label in labelled(contact_point)]
    for job in jobs:
        job.contact_point_name = contact_point.name
    results = _send_all(jobs, group)
    _record(jobs, results, group)
    return results


def test_integration(
    type_id: str,
    values: Values,
    *,
    receiver: str,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    integration_id: int | None = None,
) -> DeliveryResult:
    """Send a test notification to the values of a form (secrets included), once."""
    external_url = current_app.config["HERALD_EXTERNAL_URL"]
    group = test_alert_group(receiver, external_url, labels=labels, annotations=annotations)
    integration_type = get_type(type_id)
    integration = db.session.get(Integration, integration_id) if integration_id else None
    job = Job(
        integration_id=integration_id,
        uid=integration.uid if integration else None,
        type_id=type_id,
        label=type_label(type_id),
        integration_type=integration_type,
        values=dict(values),
        contact_point_id=integration.contact_point_id if integration else None,
        contact_point_name=receiver,
    )
    if integration_type is not None:
        errors = validate(integration_type, job.values)
        if errors:
            job.error = "The settings are not valid: " + " ".join(errors.values())
    result = send_once(job, group, current_app.config)
    if integration_id:
        _record([job], [result], group)
    return result


def refused(integration_type: IntegrationType, error: str) -> DeliveryResult:
    """The result of a test that was not sent because its settings were refused."""
    return DeliveryResult(None, integration_type.type, integration_type.label, "failure", None,
                          0, error=error)


_NEWEST_ATTEMPTS = (  # built once: the list page asks it on every request
    select(DeliveryAttempt.integration_id, DeliveryAttempt.outcome, DeliveryAttempt.error,
           DeliveryAttempt.created_at, DeliveryAttempt.duration_ms)
    .where(DeliveryAttempt.id.in_(
        select(func.max(DeliveryAttempt.id))
        .where(DeliveryAttempt.integration_id.in_(bindparam("ids", expanding=True)))
        .group_by(DeliveryAttempt.integration_id)))
)


def last_attempts(integration_ids: Iterable[int]) -> dict[int, Any]:
    """The newest delivery attempt of each integration, in one query, as plain values
    (integration_id, outcome, error, created_at, duration_ms)."""
    ids = list(integration_ids)
    if not ids:
        return {}
    return {row.integration_id: row for row in db.session.execute(_NEWEST_ATTEMPTS, {"ids": ids})}


def _send_all(jobs: list[Job], group: AlertGroup) -> list[DeliveryResult]:
    """Send every job, in a bounded thread pool when there is more than one."""
    config = current_app.config
    if len(jobs) <= 1:
        return [send_once(job, group, config) for job in jobs]
    app = current_app._get_current_object()
    workers = min(len(jobs), int(config.get("HERALD_SEND_WORKERS") or MAX_WORKERS))

    def send_in_context(job: Job) -> DeliveryResult:
        with app.app_context():
            return send_once(job, group, config)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="herald-test") as pool:
        return list(pool.map(send_in_context, jobs))


def _record(jobs: list[Job], results: list[DeliveryResult], group: AlertGroup) -> None:
    """Store one attempt per saved integration in the history."""
    rows = [attempt_row(job, result, group, is_test=True)
            for job, result in zip(jobs, results, strict=True) if job.integration_id is not None]
    if not rows:
        return
    db.session.add_all(rows)
    try:
        db.session.commit()
    except SQLAlchemyError:  # e.g. the integration was deleted meanwhile: keep the results
        db.session.rollback()
        logger.exception("Could not record delivery attempts")
