"""The dispatcher: send an alert group through integrations, retry, record every attempt."""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from app import logs
from app.alerts import AlertGroup, test_alert_group
from app.crypto import SecretDecryptionError
from app.extensions import db
from app.integrations import get_type
from app.integrations.base import (
    IntegrationType,
    SendContext,
    SendError,
    Values,
    from_storage,
    validate,
    with_default_templates,
)
from app.models import ContactPoint, DeliveryAttempt, Integration

logger = logging.getLogger(__name__)

MAX_WORKERS = 16
KEEP_ATTEMPTS = 50  # per integration
RETRY_ATTEMPTS = 3
RETRY_BACKOFF = 1.0  # seconds before the first retry, doubled for each next one
RETRY_MAX_TIME = 30.0  # no retry starts later than this after the first attempt


@dataclass
class DeliveryResult:
    """The outcome of sending one notification through one integration."""

    integration_uid: str | None
    type: str
    label: str
    outcome: str  # success, failure, skipped
    status_code: int | None
    duration_ms: int
    error: str = ""
    warning: str = ""

    @property
    def ok(self) -> bool:
        """True unless the delivery failed (a skipped delivery is not a failure)."""
        return self.outcome != "failure"


@dataclass
class _Job:
    """One integration to send to, prepared in the caller's thread."""

    integration_id: int | None
    uid: str | None
    type_id: str
    label: str
    integration_type: IntegrationType | None
    values: Values
    disable_resolve_message: bool = False
    error: str = ""


# --- public API -------------------------------------------------------------------------


def notify(
    contact_point: ContactPoint, group: AlertGroup, *, is_test: bool = False
) -> list[DeliveryResult]:
    """Send the group through every integration of the contact point, concurrently.

    Real notifications retry transient failures; tests never do. Every integration gets
    one recorded attempt. Returns one result per integration, in the contact point's order.
    """
    jobs = [_job(integration, label) for integration, label in _labelled(contact_point)]
    results = _run_all(jobs, group, retry=not is_test)
    _record(jobs, results, is_test=is_test)
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
    job = _Job(
        integration_id=integration_id,
        uid=integration.uid if integration else None,
        type_id=type_id,
        label=integration_type.label if integration_type else type_id,
        integration_type=integration_type,
        values=dict(values),
    )
    if integration_type is not None:
        errors = validate(integration_type, job.values)
        if errors:
            job.error = "The settings are not valid: " + " ".join(errors.values())
    result = _deliver(job, group, current_app.config, retry=False)
    if integration_id:
        _record([job], [result], is_test=True)
    return result


def refused(integration_type: IntegrationType, error: str) -> DeliveryResult:
    """The result of a test that was not sent because its settings were refused."""
    return DeliveryResult(None, integration_type.type, integration_type.label, "failure", None,
                          0, error=error)


def last_attempts(integration_ids: Iterable[int]) -> dict[int, DeliveryAttempt]:
    """The newest delivery attempt of each integration, in one query."""
    ids = list(integration_ids)
    if not ids:
        return {}
    newest = (
        select(func.max(DeliveryAttempt.id))
        .where(DeliveryAttempt.integration_id.in_(ids))
        .group_by(DeliveryAttempt.integration_id)
    )
    attempts = db.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.id.in_(newest)))
    return {attempt.integration_id: attempt for attempt in attempts}


# --- preparing --------------------------------------------------------------------------


def _labelled(contact_point: ContactPoint) -> list[tuple[Integration, str]]:
    """Each integration with its label, numbered when a type appears more than once."""
    integrations = list(contact_point.integrations)
    totals = Counter(integration.type for integration in integrations)
    seen: Counter[str] = Counter()
    labelled = []
    for integration in integrations:
        integration_type = get_type(integration.type)
        label = integration_type.label if integration_type else integration.type
        seen[integration.type] += 1
        if totals[integration.type] > 1:
            label = f"{label} #{seen[integration.type]}"
        labelled.append((integration, label))
    return labelled


def _job(integration: Integration, label: str) -> _Job:
    """The job for a saved integration; secrets are decrypted here, in the caller's thread."""
    integration_type = get_type(integration.type)
    job = _Job(
        integration_id=integration.id,
        uid=integration.uid,
        type_id=integration.type,
        label=label,
        integration_type=integration_type,
        values={},
        disable_resolve_message=integration.disable_resolve_message,
    )
    if integration_type is not None:
        try:
            secrets = integration.secrets
        except SecretDecryptionError as exc:
            job.error = str(exc)
        else:
            job.values = from_storage(integration_type, integration.settings or {}, secrets)
            if integration.review_note:  # imported text awaiting review: send the defaults
                job.values = with_default_templates(integration_type, job.values)
    return job


# --- sending ----------------------------------------------------------------------------


def _run_all(jobs: list[_Job], group: AlertGroup, *, retry: bool) -> list[DeliveryResult]:
    """Deliver every job, in a bounded thread pool when there is more than one."""
    config = current_app.config
    if len(jobs) <= 1:
        return [_deliver(job, group, config, retry=retry) for job in jobs]
    app = current_app._get_current_object()
    workers = min(len(jobs), int(config.get("HERALD_SEND_WORKERS") or MAX_WORKERS))

    def deliver_in_context(job: _Job) -> DeliveryResult:
        with app.app_context():
            return _deliver(job, group, config, retry=retry)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="herald-send") as pool:
        return list(pool.map(deliver_in_context, jobs))


def _deliver(job: _Job, group: AlertGroup, config: Any, *, retry: bool) -> DeliveryResult:
    """Send one job with its secrets kept out of every log line; never raises."""
    with logs.secrets_hidden(_secret_values(job)):
        result = _send(job, group, config, retry=retry)
        if result.outcome == "failure":
            logger.warning("delivery failed", extra={"fields": {
                "integration": job.uid or "", "type": job.type_id, "error": result.error}})
    return result


def _secret_values(job: _Job) -> list[Any]:
    if job.integration_type is None:
        return []
    return [job.values.get(key) for key in job.integration_type.secret_keys]


def _send(job: _Job, group: AlertGroup, config: Any, *, retry: bool) -> DeliveryResult:
    """Send one job, retrying transient failures when asked; never raises."""
    started = time.monotonic()
    if job.error or job.integration_type is None or job.integration_type.send is None:
        error = job.error or f"Herald cannot send to {job.label} integrations yet."
        return _result(job, "failure", started, error=error)
    if group.status == "resolved" and job.disable_resolve_message:
        return _result(job, "skipped", started, warning="Resolved messages are disabled.")
    context = SendContext(job.integration_type, job.values, group, config)
    attempts = 0
    while True:
        attempts += 1
        try:
            sent = job.integration_type.send(context)
        except SendError as exc:
            delay = _retry_delay(exc, attempts, started, config) if retry else None
            if delay is None:
                suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
                return _result(job, "failure", started, status=exc.status,
                               error=exc.message + suffix, context=context)
            time.sleep(delay)
        except Exception:  # a bug in one sender must not stop the others or the page
            logger.exception("The %s sender failed unexpectedly", job.type_id)
            return _result(job, "failure", started, context=context,
                           error=f"Internal error in Herald's {job.label} sender; see its log.")
        else:
            outcome = "skipped" if sent.skipped else "success"
            return _result(job, outcome, started, status=sent.status, warning=sent.skipped,
                           context=context)


def _retry_delay(exc: SendError, attempts: int, started: float, config: Any) -> float | None:
    """Seconds to wait before the next attempt, or None when it is not worth one."""
    if exc.permanent or attempts >= int(config.get("HERALD_RETRY_ATTEMPTS", RETRY_ATTEMPTS)):
        return None
    backoff = float(config.get("HERALD_RETRY_BACKOFF", RETRY_BACKOFF))
    delay = exc.retry_after if exc.retry_after is not None else backoff * 2 ** (attempts - 1)
    elapsed = time.monotonic() - started
    if elapsed + delay > float(config.get("HERALD_RETRY_MAX_TIME", RETRY_MAX_TIME)):
        return None
    return delay


def _result(
    job: _Job,
    outcome: str,
    started: float,
    *,
    status: int | None = None,
    error: str = "",
    warning: str = "",
    context: SendContext | None = None,
) -> DeliveryResult:
    warnings = [warning] if warning else []
    if context is not None:
        warnings += [w for w in dict.fromkeys(context.warnings) if w]
    return DeliveryResult(
        integration_uid=job.uid,
        type=job.type_id,
        label=job.label,
        outcome=outcome,
        status_code=status,
        duration_ms=round((time.monotonic() - started) * 1000),
        error=_redacted(error, job),
        warning=_redacted(" ".join(warnings), job),
    )


def _redacted(text: str, job: _Job) -> str:
    """The text with every secret value of the job replaced: a provider may echo one back."""
    with logs.secrets_hidden(_secret_values(job)):
        return logs.redact(text)


# --- recording --------------------------------------------------------------------------


def _record(jobs: list[_Job], results: list[DeliveryResult], *, is_test: bool) -> None:
    """Store one attempt per saved integration, then keep only the newest few of each."""
    recorded = [(job, result) for job, result in zip(jobs, results, strict=True)
                if job.integration_id is not None]
    if not recorded:
        return
    for job, result in recorded:
        db.session.add(DeliveryAttempt(
            integration_id=job.integration_id,
            duration_ms=result.duration_ms,
            outcome=result.outcome,
            status_code=result.status_code,
            error=result.error,
            warning=result.warning,
            is_test=is_test,
        ))
    try:
        db.session.flush()
        for integration_id in {job.integration_id for job, _ in recorded}:
            _prune(integration_id)
        db.session.commit()
    except SQLAlchemyError:  # e.g. the integration was deleted meanwhile: keep the results
        db.session.rollback()
        logger.exception("Could not record delivery attempts")


def _prune(integration_id: int) -> None:
    """Delete all but the newest KEEP_ATTEMPTS attempts (one indexed statement)."""
    oldest_kept = (
        select(DeliveryAttempt.id)
        .where(DeliveryAttempt.integration_id == integration_id)
        .order_by(DeliveryAttempt.id.desc())
        .offset(KEEP_ATTEMPTS - 1)
        .limit(1)
        .scalar_subquery()
    )
    db.session.execute(
        delete(DeliveryAttempt).where(
            DeliveryAttempt.integration_id == integration_id, DeliveryAttempt.id < oldest_kept
        ),
        execution_options={"synchronize_session": False},
    )
